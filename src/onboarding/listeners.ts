// The Slack door of onboarding: `/em onboard` and `/em onboarding`, the Home section for new hires, buddies and
// managers, the checklist's checkboxes and the "Take" buttons of first issues.

import {
  MAX_OFFERED_ISSUES,
  ONBOARDING_CHECK_ACTION,
  ONBOARDING_RESEND_ACTION,
  ONBOARDING_START_MODAL,
  ONBOARDING_START_OPEN,
  onboardingTakeAction,
  planLine,
  planListMessage,
  planStartedMessage,
  START_FIELDS,
  startOnboardingModal,
  startRefusal,
} from '../../blocks/onboarding.js';
import { readableText, userText } from '../../blocks/text.js';
import { runTool } from '../capabilities/tool.js';
import { type CommandContext, type CommandReply, toolContextOf } from '../slack/commands.js';
import type { SlackDeps, SlackSurfaceOf } from '../slack/deps.js';
import { type HomeContext, type HomeSectionProvider, publishHome } from '../slack/home.js';
import { firstDelivery } from '../slack/listeners/once.js';
import { withMentionNames } from '../slack/people.js';
import { type ButtonArgs, tellPrivately, type ViewArgs } from '../slack/private-reply.js';
import { viewInput } from '../slack/view-state.js';
import { answerTeamErrors } from '../teams/listeners.js';
import { TeamChoiceError } from '../teams/scope.js';
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
    return result.ok
      ? planStartedMessage(result.plan, result.warnings, result.welcomed)
      : startRefusal(result.message, command.person);
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

/**
 * Home: the plans the person takes part in (their own, as buddy, as manager, as a task's owner); the new hire may
 * have their checklist sent again.
 */
export function onboardingHomeSection(service: OnboardingService): HomeSectionProvider {
  return {
    id: 'onboarding',
    title: 'Onboarding',
    async load({ userId }: HomeContext) {
      const now = new Date();
      const [plans, choices] = await Promise.all([service.plansFor(userId), service.startChoices(userId)]);
      const actions = [
        ...(plans.some((p) => p.person === userId)
          ? [{ actionId: ONBOARDING_RESEND_ACTION, text: 'Send me my checklist' }]
          : []),
        ...(choices ? [{ actionId: ONBOARDING_START_OPEN, text: 'Start onboarding' }] : []),
      ];
      return {
        lines: plans.map((p) => planLine(p, now)),
        empty: 'No onboarding you take part in is running.',
        ...(actions.length ? { actions } : {}),
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

/** "Send me my checklist" on Home: the welcome DM sent again; only a failure is told (the DM is the answer). */
export function checklistResent(deps: SlackDeps, service: OnboardingService) {
  return async (args: ButtonArgs) => {
    await args.ack();
    if (!(await firstDelivery(deps, args.body))) return;
    const userId = args.body.user.id;
    const problem = await service.resendWelcome(userId);
    if (!problem) return;
    // Told by DM, which may fail for the reason the checklist did.
    await tellPrivately(args, userId, `:warning: ${problem}`).catch((err: unknown) =>
      deps.logger.warn({ err, userId }, 'could not tell the new hire their checklist was not sent'),
    );
  };
}

/** "Start onboarding" on Home: the modal with the teams the person may start plans in, or who may. */
export function startModalOpened(service: OnboardingService) {
  return async (args: ButtonArgs) => {
    await args.ack();
    const userId = args.body.user.id;
    const choices = await service.startChoices(userId);
    if (!choices)
      return tellPrivately(
        args,
        userId,
        ':no_entry: Only team managers, or whoever a policy names for `onboarding.start`, start onboarding.',
      );
    await args.client.views.open({
      trigger_id: args.body.trigger_id,
      view: startOnboardingModal(choices.teams, choices.templates),
    });
  };
}

/** The field a refusal of onboarding.start belongs next to. */
function refusalField(message: string, shown: Set<string>): string {
  const field = /already has a running/.test(message)
    ? START_FIELDS.person
    : /template/.test(message)
      ? START_FIELDS.template
      : START_FIELDS.team;
  return shown.has(field) ? field : START_FIELDS.person;
}

/**
 * Start in the modal: the same onboarding.start tool as `/em onboard` (its permission check included); a refusal
 * shows next to its field and keeps the modal open; the plan started is told to the person in a DM.
 */
export function startSubmitted(deps: SlackDeps, service: OnboardingService) {
  const tool = onboardingStartTool(service);
  return async (args: ViewArgs) => {
    const userId = args.body.user.id;
    const shown = new Set(Object.keys(args.view.state.values));
    const person = viewInput(args, START_FIELDS.person)?.selected_user ?? '';
    if (!person)
      return args.ack({ response_action: 'errors', errors: { [START_FIELDS.person]: 'Pick the new hire.' } });
    const input = {
      person,
      team: viewInput(args, START_FIELDS.team)?.selected_option?.value,
      buddy: viewInput(args, START_FIELDS.buddy)?.selected_user ?? undefined,
      template: viewInput(args, START_FIELDS.template)?.selected_option?.value,
    };
    const checked = tool.input.safeParse(input);
    if (!checked.success) {
      const errors: Record<string, string> = {};
      for (const issue of checked.error.issues) {
        const key = String(issue.path[0]) as keyof typeof START_FIELDS;
        const field = START_FIELDS[key] && shown.has(START_FIELDS[key]) ? START_FIELDS[key] : START_FIELDS.person;
        errors[field] ??= issue.message;
      }
      return args.ack({ response_action: 'errors', errors });
    }
    let result: Awaited<ReturnType<typeof tool.run>>;
    try {
      result = await tool.run(
        { person: { slackId: userId }, db: deps.db, logger: deps.logger, via: 'slack' },
        checked.data,
      );
    } catch (err) {
      if (!(err instanceof TeamChoiceError)) throw err;
      result = { ok: false, message: err.message };
    }
    if (!result.ok) {
      // Slack shows a form's errors as plain text: a mention would read `<@U…>`.
      const plain = readableText(await withMentionNames(args.client, result.message));
      return args.ack({ response_action: 'errors', errors: { [refusalField(result.message, shown)]: plain } });
    }
    await args.ack();
    if (!(await firstDelivery(deps, args.body))) return;
    const dm = await args.client.conversations.open({ users: userId });
    await args.client.chat.postMessage({
      channel: dm.channel?.id as string,
      ...planStartedMessage(result.plan, result.warnings, result.welcomed),
    });
    await publishHome(args.client, deps.home, { userId, db: deps.db }, deps.logger);
  };
}

export function onboardingSurface(service: OnboardingService): SlackSurfaceOf {
  return (deps) => ({
    views: { [ONBOARDING_START_MODAL]: startSubmitted(deps, service) },
    actions: {
      [ONBOARDING_START_OPEN]: startModalOpened(service),
      [ONBOARDING_CHECK_ACTION]: checkboxToggled(deps, service),
      [ONBOARDING_RESEND_ACTION]: checklistResent(deps, service),
      ...Object.fromEntries(
        Array.from({ length: MAX_OFFERED_ISSUES }, (_, i) => [onboardingTakeAction(i), issueTaken(service)]),
      ),
    },
  });
}
