// The incident modals' submissions: the form is checked in the ack (Slack shows the errors by the fields), then
// the change runs as its tool (as every door runs it) and its message is told to the person.
import { escapeMrkdwn } from '../../blocks/text.js';
import type { ToolContext } from '../capabilities/tool.js';
import { runOrRefuse } from '../capabilities/tool.js';
import { actorContext } from '../slack/commands.js';
import { describeSlackError } from '../slack/errors.js';
import { firstDelivery } from '../slack/listeners/once.js';
import { tellPrivately, type ViewArgs } from '../slack/private-reply.js';
import { viewInput } from '../slack/view-state.js';
import {
  incidentsAssignTool,
  incidentsResolveTool,
  incidentsSeverityTool,
  incidentsUpdateTool,
} from './change-tools.js';
import { type DeclareResult, incidentsDeclareTool } from './declare-tool.js';
import { incidentsConfirmCauseTool } from './follow-up-tools.js';
import type { IncidentSlackDeps } from './listeners.js';
import { type Incident, incidentLabel, isSeverity, PHASES, type Phase, ROLES, type Role } from './model.js';
import type { IncidentService } from './service.js';
import { incidentsNoteTool } from './timeline-tools.js';

export function describeDeclare(result: DeclareResult): string {
  switch (result.outcome) {
    case 'declared':
      return [
        `:rotating_light: Declared *INC-${result.number}*: <#${result.channelId}>. I invited the commander and posted the card there.`,
        ...result.problems.map((p) => `• ${p}`),
      ].join('\n');
    case 'duplicate':
      return `:information_source: INC-${result.number} (${escapeMrkdwn(result.title)}) is already declared${result.channelId ? `: <#${result.channelId}>` : ''}. I did not open a second one.`;
    case 'failed':
      return `:x: The incident was not declared. ${result.message} Your title and description are in the form you submitted; declare again once this is fixed.`;
  }
}

/** Runs the change with the form's values; says what to tell the person ('' for nothing). */
type Submission = (service: IncidentService, incident: Incident, ctx: ToolContext, args: ViewArgs) => Promise<string>;

/** A modal about one incident (its id in private_metadata): validated in the ack, applied after it. */
function incidentModal(
  deps: IncidentSlackDeps,
  validate: (args: ViewArgs) => Record<string, string>,
  apply: Submission,
) {
  return async (args: ViewArgs) => {
    const errors = validate(args);
    if (Object.keys(errors).length) return args.ack({ response_action: 'errors', errors });
    await args.ack();
    if (!(await firstDelivery(deps, args.body))) return;
    const userId = args.body.user.id;
    const incident = deps.incidents ? await deps.incidents.get(args.view.private_metadata) : null;
    if (!deps.incidents || !incident) return tellPrivately(args, userId, 'That incident no longer exists.');
    // Said where the card was clicked, only to them (a modal's submission has no channel: it would be a DM).
    const tell = async (text: string) => {
      if (incident.channelId)
        try {
          await args.client.chat.postEphemeral({ channel: incident.channelId, user: userId, text });
          return;
        } catch {
          // not in the channel, or it is archived: a DM instead
        }
      await tellPrivately(args, userId, text);
    };
    try {
      const reply = await apply(deps.incidents, incident, actorContext(deps, args), args);
      if (reply) await tell(reply);
    } catch (err) {
      deps.logger.error({ err, incident: incident.id }, 'incident change failed');
      await tell(`That did not go through; the error was logged. ${describeSlackError(err)}`);
    }
  };
}

const text = (args: ViewArgs, block: string) => (viewInput(args, block)?.value ?? '').trim();
const chosen = (args: ViewArgs, block: string) => viewInput(args, block)?.selected_option?.value ?? '';
const need = (ok: boolean, block: string, message: string): Record<string, string> => (ok ? {} : { [block]: message });

export function incidentModals(deps: IncidentSlackDeps) {
  return {
    update: incidentModal(
      deps,
      (a) => ({
        ...need((PHASES as readonly string[]).includes(chosen(a, 'phase')), 'phase', 'Choose a status.'),
        ...need(text(a, 'summary').length >= 3, 'summary', 'Say what is happening (at least 3 characters).'),
      }),
      async (s, i, ctx, a) =>
        (
          await runOrRefuse(incidentsUpdateTool(s), ctx, {
            number: i.number,
            phase: chosen(a, 'phase') as Phase,
            summary: text(a, 'summary'),
          })
        ).message,
    ),
    role: incidentModal(
      deps,
      (a) => ({
        ...need(chosen(a, 'role') in ROLES, 'role', 'Choose a role.'),
        ...need(Boolean(viewInput(a, 'user')?.selected_user), 'user', 'Pick a person.'),
      }),
      async (s, i, ctx, a) =>
        (
          await runOrRefuse(incidentsAssignTool(s), ctx, {
            number: i.number,
            role: chosen(a, 'role') as Role,
            user: viewInput(a, 'user')?.selected_user as string,
          })
        ).message,
    ),
    note: incidentModal(
      deps,
      (a) => need(text(a, 'note').length >= 1, 'note', 'Write the note.'),
      async (s, i, ctx, a) => {
        const noted = await runOrRefuse(incidentsNoteTool(s), ctx, { number: i.number, text: text(a, 'note') });
        return noted.ok ? `Note added to the ${incidentLabel(i)} timeline.` : noted.message;
      },
    ),
    severity: incidentModal(
      deps,
      (a) => need(isSeverity(chosen(a, 'severity')), 'severity', 'Choose a severity.'),
      async (s, i, ctx, a) => {
        const severity = chosen(a, 'severity');
        // Checked in the ack already; checked again here so the type says it is a severity.
        if (!isSeverity(severity)) return 'Choose a severity.';
        return (await runOrRefuse(incidentsSeverityTool(s), ctx, { number: i.number, severity })).message;
      },
    ),
    resolve: incidentModal(
      deps,
      (a) => need(text(a, 'summary').length >= 3, 'summary', 'Say what resolved it (at least 3 characters).'),
      async (s, i, ctx, a) =>
        (await runOrRefuse(incidentsResolveTool(s), ctx, { number: i.number, summary: text(a, 'summary') })).message,
    ),
    // The commander's pick of another deployment than the suspected one.
    cause: incidentModal(
      deps,
      (a) => need(Boolean(chosen(a, 'deployment')), 'deployment', 'Pick the deployment.'),
      async (s, i, ctx, a) =>
        (
          await runOrRefuse(incidentsConfirmCauseTool(s), ctx, {
            number: i.number,
            deployment: JSON.parse(chosen(a, 'deployment')) as { source: string; id: string },
          })
        ).message,
    ),
  };
}

/** The Declare incident modal: every entry point (command, message shortcut, Home) ends here. */
export function declareSubmitted(deps: IncidentSlackDeps) {
  const declare = deps.incidents ? incidentsDeclareTool(deps.incidents) : null;
  return async (args: ViewArgs) => {
    const title = text(args, 'title');
    const severity = chosen(args, 'severity');
    const errors = {
      ...need(title.length >= 3, 'title', 'Give the incident a title of at least 3 characters.'),
      ...need(!severity || isSeverity(severity), 'severity', 'Choose a severity.'),
    };
    if (Object.keys(errors).length) return args.ack({ response_action: 'errors', errors });
    await args.ack();
    if (!(await firstDelivery(deps, args.body))) return;
    const userId = args.body.user.id;
    if (!declare) return tellPrivately(args, userId, 'The incident co-pilot is not running (Slack is not connected).');
    const origin = JSON.parse(args.view.private_metadata || '{}') as { channel?: string; ts?: string };
    let reply: string;
    try {
      const result = await runOrRefuse(declare, actorContext(deps, args), {
        requestKey: `view:${args.view.id}`,
        title,
        severity: isSeverity(severity) ? severity : null,
        service: text(args, 'service') || null,
        description: text(args, 'description') || null,
        commander: viewInput(args, 'commander')?.selected_user ?? null,
        ...(origin.channel && origin.ts ? { origin: { channel: origin.channel, ts: origin.ts } } : {}),
      });
      reply = 'outcome' in result ? describeDeclare(result) : `:x: ${result.message}`;
    } catch (err) {
      deps.logger.error({ err }, 'declaring an incident failed');
      reply = `:x: Declaring "${escapeMrkdwn(title)}" failed; the error was logged. Try again in a moment.`;
    }
    await tellPrivately(args, userId, reply);
  };
}
