// The Slack door of onboarding: `/em onboard` and `/em onboarding`, the Home section for new hires, buddies and
// managers, the checklist's checkboxes and the "Take" buttons of first issues.

import { failure } from '../../blocks/notice.js';
import {
  MAX_OFFERED_ISSUES,
  ONBOARDING_CHECK_ACTION,
  onboardingTakeAction,
  planLine,
  planListMessage,
  planStartedMessage,
} from '../../blocks/onboarding.js';
import { userText } from '../../blocks/text.js';
import { runTool } from '../capabilities/tool.js';
import { type CommandContext, type CommandReply, toolContextOf } from '../slack/commands.js';
import type { SlackDeps, SlackSurfaceOf } from '../slack/deps.js';
import type { HomeContext, HomeSectionProvider } from '../slack/home.js';
import { type ButtonArgs, tellPrivately } from '../slack/private-reply.js';
import { answerTeamErrors } from '../teams/listeners.js';
import type { OnboardCommand } from './args.js';
import type { OnboardingService } from './service.js';
import { onboardingListTool, onboardingStartTool } from './tools.js';

/** `/em onboard @person [team] [buddy @person] [template <name>]`. */
export function onboardCommand(
  service: OnboardingService,
): (ctx: CommandContext, command: Omit<OnboardCommand, 'name'>) => Promise<CommandReply> {
  const tool = onboardingStartTool(service);
  return answerTeamErrors(async (ctx: CommandContext, command: Omit<OnboardCommand, 'name'>): Promise<CommandReply> => {
    const result = await runTool(
      tool,
      { ...toolContextOf(ctx), via: 'slack' },
      {
        person: command.person,
        team: command.team,
        buddy: command.buddy,
        template: command.template,
      },
    );
    return result.ok ? planStartedMessage(result.plan, result.warnings) : failure(userText(result.message));
  });
}

/** `/em onboarding`: the running plans. */
export function onboardingCommand(service: OnboardingService): (ctx: CommandContext) => Promise<CommandReply> {
  const tool = onboardingListTool(service);
  return async (ctx) => {
    await runTool(tool, toolContextOf(ctx), {});
    return planListMessage(await service.running(), new Date());
  };
}

/** Home: the plans the person takes part in (their own, as buddy, as manager, as a task's owner). */
export function onboardingHomeSection(service: OnboardingService): HomeSectionProvider {
  return {
    id: 'onboarding',
    title: 'Onboarding',
    async load({ userId }: HomeContext) {
      const now = new Date();
      const plans = await service.plansFor(userId);
      return {
        lines: plans.map((p) => planLine(p, now)),
        empty: 'No onboarding you take part in is running.',
      };
    },
  };
}

type CheckboxArgs = Omit<ButtonArgs, 'action'> & {
  action: { block_id: string; selected_options?: { value: string }[] };
};

/** A checkbox of the welcome checklist: stored at once (a restart keeps it), and the checklist is redrawn. */
export function checkboxToggled(deps: SlackDeps, service: OnboardingService) {
  return async (args: CheckboxArgs) => {
    await args.ack();
    const userId = args.body.user.id;
    const taskId = Number(/^onboarding_task_(\d+)$/.exec(args.action.block_id)?.[1]);
    if (!Number.isInteger(taskId)) return;
    const done = (args.action.selected_options ?? []).some((o) => o.value === String(taskId));
    const refusal = await service.setDone(userId, taskId, done);
    if (refusal) await tellPrivately(args as unknown as ButtonArgs, userId, `:no_entry: ${refusal}`);
    deps.logger.debug({ taskId, done }, 'onboarding task ticked');
  };
}

/** "Take" on an offered first issue: assigning it is proposed through policies. */
export function issueTaken(service: OnboardingService) {
  return async (args: ButtonArgs) => {
    await args.ack();
    const userId = args.body.user.id;
    const [task, key] = (args.action.value ?? '').split('|');
    const answer = await service.takeIssue(userId, Number(task), key ?? '');
    await tellPrivately(args, userId, userText(answer));
  };
}

export function onboardingSurface(service: OnboardingService): SlackSurfaceOf {
  return (deps) => ({
    actions: {
      [ONBOARDING_CHECK_ACTION]: checkboxToggled(deps, service),
      ...Object.fromEntries(
        Array.from({ length: MAX_OFFERED_ISSUES }, (_, i) => [onboardingTakeAction(i), issueTaken(service)]),
      ),
    },
  });
}
