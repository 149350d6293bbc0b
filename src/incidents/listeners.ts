import type { BlockAction, ButtonAction, MessageShortcut } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { declareIncidentModal } from '../../blocks/incidents/declare-modal.js';
import {
  addNoteModal,
  assignRoleModal,
  pickDeploymentModal,
  resolveModal,
  severityModal,
  statusUpdateModal,
} from '../../blocks/incidents/modals.js';
import { incidentListLine, incidentListMessage, timelineMessage } from '../../blocks/incidents/reports.js';
import type { SlackModal } from '../../blocks/kit.js';
import { failure, notice } from '../../blocks/notice.js';
import { escapeMrkdwn } from '../../blocks/text.js';
import { runTool } from '../capabilities/tool.js';
import { type CommandContext, type CommandHandler, toolContextOf } from '../slack/commands.js';
import type { SlackDeps } from '../slack/deps.js';

import { describeSlackError } from '../slack/errors.js';
import type { HomeSectionProvider } from '../slack/home.js';
import { type EventArgs, slackTsDate } from '../slack/listeners/events.js';
import { firstDelivery } from '../slack/listeners/once.js';
import { openModalFromShortcut, type ShortcutArgs } from '../slack/listeners/shortcuts.js';
import { onlyVisible } from '../slack/membership.js';
import { type ButtonArgs, tellPrivately, type ViewArgs } from '../slack/private-reply.js';
import { viewInput } from '../slack/view-state.js';
import type { IncidentCommand } from './args.js';
import {
  type Incident,
  incidentLabel,
  isSeverity,
  PHASES,
  type Phase,
  ROLES,
  type Role,
  timelineFiles,
} from './model.js';
import type { DeclareOutcome, IncidentService } from './service.js';
import { listIncidents } from './store.js';
import { incidentsListTool } from './tools.js';

/** The Slack door's dependencies, with this capability's service. */
export type IncidentSlackDeps = SlackDeps & { incidents?: IncidentService };

export const DECLARE_FROM_HOME = 'incident_declare';

/** A modal from `blocks/incidents/` (the declare form and those about one incident). */
type IncidentModal = ReturnType<typeof declareIncidentModal> | ReturnType<(typeof MODAL_FOR)[keyof typeof MODAL_FOR]>;

/** Opens an incident modal: every modal of this capability opens here. */
async function openModal(client: WebClient, triggerId: string | undefined, view: IncidentModal) {
  if (!triggerId) throw new Error('no trigger id');
  await client.views.open({ trigger_id: triggerId, view });
}

/** In an incident channel, the incident; elsewhere, a reply that names the open ones. */
async function incidentHere(service: IncidentService, ctx: CommandContext) {
  const incident = await service.byChannel(ctx.channelId);
  if (incident) return { incident };
  const open = (await onlyVisible(await listIncidents(ctx.db, 0, 10), ctx.client, ctx.userId)).filter(
    (i) => i.status === 'open' && i.channelId,
  );
  return {
    reply: failure(
      `Run this in an incident channel.${open.length ? ` Open: ${open.map((i) => `<#${i.channelId}>`).join(', ')}` : ' There are no open incidents.'}`,
    ),
  };
}

export function describeDeclare(result: DeclareOutcome): string {
  switch (result.outcome) {
    case 'declared':
      return [
        `:rotating_light: Declared *${incidentLabel(result.incident)}*: <#${result.incident.channelId}>. I invited the commander and posted the card there.`,
        ...result.problems.map((p) => `• ${p}`),
      ].join('\n');
    case 'duplicate':
      return `:information_source: ${incidentLabel(result.incident)} (${escapeMrkdwn(result.incident.title)}) is already declared${result.incident.channelId ? `: <#${result.incident.channelId}>` : ''}. I did not open a second one.`;
    case 'failed':
      return `:x: The incident was not declared. ${result.reason} Your title and description are in the form you submitted; declare again once this is fixed.`;
  }
}

/** `/em incident …` */
export function incidentCommand(service: IncidentService): CommandHandler<IncidentCommand> {
  const listTool = incidentsListTool();
  return async (ctx, command) => {
    const text = command.text.trim();
    const opened = async (view: SlackModal, what: string) => {
      try {
        await openModal(ctx.client, ctx.triggerId, view);
        return notice(what, ':memo:');
      } catch (err) {
        return failure(describeSlackError(err));
      }
    };
    if (command.action === 'start')
      return opened(declareIncidentModal({ title: text }), 'Fill in the form to declare the incident.');
    if (command.action === 'list')
      return incidentListMessage(await runTool(listTool, toolContextOf(ctx), {}), new Date());
    const here = await incidentHere(service, ctx);
    if (!here.incident) return here.reply;
    const incident = here.incident;
    switch (command.action) {
      case 'note':
        await service.addNote(incident, ctx.userId, text);
        return notice(`Added to the ${incidentLabel(incident)} timeline.`, ':spiral_note_pad:');
      case 'action':
        await service.addActionItem(incident, ctx.userId, text);
        return notice(
          `Action item added to ${incidentLabel(incident)}; it will be in the postmortem.`,
          ':ballot_box_with_check:',
        );
      case 'timeline':
        return timelineMessage(incident, await service.timeline(incident.id), service.timezone);
      case 'update':
        return opened(statusUpdateModal(incident), 'Fill in the status update.');
      case 'resolve':
        return opened(resolveModal(incident), 'Confirm how it was resolved.');
      case 'severity': {
        const wanted = text.toUpperCase();
        if (!wanted) return opened(severityModal(incident), 'Choose the new severity.');
        if (!isSeverity(wanted)) return failure('Severity must be SEV1, SEV2, SEV3 or SEV4.');
        return notice(await service.setSeverity(incident, ctx.userId, wanted));
      }
      case 'roles': {
        const match = /^(commander|comms_lead|comms|scribe|responder)\s+<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/i.exec(text);
        if (!text) return opened(assignRoleModal(incident), 'Pick the role and the person.');
        if (!match)
          return failure(
            'Usage: `/em incident roles commander|comms|scribe|responder @person`, or no arguments for a form.',
          );
        const role = (match[1]?.toLowerCase() === 'comms' ? 'comms_lead' : match[1]?.toLowerCase()) as Role;
        return notice((await service.assignRole(incident, ctx.userId, role, match[2] as string)).message);
      }
      default:
        return failure('Unknown incident action.');
    }
  };
}

// ---------------------------------------------------------------- buttons

const MODAL_FOR = {
  incident_update: statusUpdateModal,
  incident_role: assignRoleModal,
  incident_note: addNoteModal,
  incident_severity: severityModal,
  incident_resolve: resolveModal,
} as const;

/** A card or reminder button: opens its modal (within the click's 3 s trigger window). */
export function incidentButton(deps: IncidentSlackDeps, actionId: keyof typeof MODAL_FOR) {
  return async (args: ButtonArgs) => {
    await args.ack();
    const incident = deps.incidents ? await deps.incidents.get(args.action.value ?? '') : null;
    if (!incident) return tellPrivately(args, args.body.user.id, 'That incident no longer exists.');
    if (actionId === 'incident_resolve' && incident.status === 'resolved')
      return tellPrivately(args, args.body.user.id, `${incidentLabel(incident)} is already resolved.`);
    try {
      await openModal(args.client, args.body.trigger_id, MODAL_FOR[actionId](incident));
    } catch (err) {
      await tellPrivately(args, args.body.user.id, describeSlackError(err));
    }
  };
}

export function declareFromHome() {
  return async (args: ButtonArgs) => {
    await args.ack();
    await openModal(args.client, args.body.trigger_id, declareIncidentModal());
  };
}

/** Confirm / No deploy involved on the suspected-cause question: the commander's answer. */
export function causeAnswered(deps: IncidentSlackDeps, answer: 'confirm' | 'none' | 'pick') {
  return async (args: ButtonArgs) => {
    await args.ack();
    const service = deps.incidents;
    const value = args.action.value ?? '';
    const parsed =
      answer === 'confirm' ? (JSON.parse(value) as { incident: string; source: string; id: string }) : null;
    const incident = service ? await service.get(parsed?.incident ?? value) : null;
    const userId = args.body.user.id;
    if (!service || !incident) return tellPrivately(args, userId, 'That incident no longer exists.');
    if (!service.mayConfirmCause(incident, userId))
      return tellPrivately(
        args,
        userId,
        `Only the commander, <@${incident.commander}>, confirms the cause of ${incidentLabel(incident)}.`,
      );
    if (answer === 'pick') {
      const view = pickDeploymentModal(incident, await service.candidateDeployments(incident));
      return void (await openModal(args.client, args.body.trigger_id, view));
    }
    if (!(await firstDelivery(deps, args.body))) return;
    const body = args.body as BlockAction<ButtonAction> & { container?: { channel_id?: string; message_ts?: string } };
    const where =
      body.container?.channel_id && body.container.message_ts
        ? { channel: body.container.channel_id, ts: body.container.message_ts }
        : undefined;
    const reply = await service.confirmCause(
      incident,
      userId,
      parsed ? { source: parsed.source, id: parsed.id } : 'none',
      where,
    );
    await tellPrivately(args, userId, reply);
  };
}

export function actionItemTicket(deps: IncidentSlackDeps) {
  return async (args: ButtonArgs) => {
    await args.ack();
    if (!deps.incidents) return;
    if (!(await firstDelivery(deps, args.body))) return;
    await tellPrivately(
      args,
      args.body.user.id,
      await deps.incidents.fileActionItem(Number(args.action.value), args.body.user.id),
    );
  };
}

// ---------------------------------------------------------------- modals

type Submission = (service: IncidentService, incident: Incident, userId: string, args: ViewArgs) => Promise<string>;

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
    try {
      const reply = await apply(deps.incidents, incident, userId, args);
      if (reply) await tellPrivately(args, userId, reply);
    } catch (err) {
      deps.logger.error({ err, incident: incident.id }, 'incident change failed');
      await tellPrivately(args, userId, `That did not go through; the error was logged. ${describeSlackError(err)}`);
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
      (s, i, u, a) => s.postStatusUpdate(i, u, chosen(a, 'phase') as Phase, text(a, 'summary')),
    ),
    role: incidentModal(
      deps,
      (a) => ({
        ...need(chosen(a, 'role') in ROLES, 'role', 'Choose a role.'),
        ...need(Boolean(viewInput(a, 'user')?.selected_user), 'user', 'Pick a person.'),
      }),
      async (s, i, u, a) =>
        (await s.assignRole(i, u, chosen(a, 'role') as Role, viewInput(a, 'user')?.selected_user as string)).message,
    ),
    note: incidentModal(
      deps,
      (a) => need(text(a, 'note').length >= 1, 'note', 'Write the note.'),
      async (s, i, u, a) => {
        await s.addNote(i, u, text(a, 'note'));
        return '';
      },
    ),
    severity: incidentModal(
      deps,
      (a) => need(isSeverity(chosen(a, 'severity')), 'severity', 'Choose a severity.'),
      (s, i, u, a) => {
        const severity = chosen(a, 'severity');
        // Checked in the ack already; checked again here so the type says it is a severity.
        return isSeverity(severity) ? s.setSeverity(i, u, severity) : Promise.resolve('Choose a severity.');
      },
    ),
    resolve: incidentModal(
      deps,
      (a) => need(text(a, 'summary').length >= 3, 'summary', 'Say what resolved it (at least 3 characters).'),
      (s, i, u, a) => s.resolve(i, u, text(a, 'summary')),
    ),
    cause: incidentModal(
      deps,
      (a) => need(Boolean(chosen(a, 'deployment')), 'deployment', 'Pick the deployment.'),
      (s, i, u, a) => {
        if (!s.mayConfirmCause(i, u))
          return Promise.resolve(`Only the commander, <@${i.commander}>, confirms the cause.`);
        return s.confirmCause(i, u, JSON.parse(chosen(a, 'deployment')) as { source: string; id: string });
      },
    ),
  };
}

/** The Declare incident modal: every entry point (command, message shortcut, Home) ends here. */
export function declareSubmitted(deps: IncidentSlackDeps) {
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
    if (!deps.incidents)
      return tellPrivately(args, userId, 'The incident co-pilot is not running (Slack is not connected).');
    const origin = JSON.parse(args.view.private_metadata || '{}') as { channel?: string; ts?: string };
    let reply: string;
    try {
      const result = await deps.incidents.declare({
        requestKey: `view:${args.view.id}`,
        title,
        severity: isSeverity(severity) ? severity : null,
        service: text(args, 'service') || null,
        description: text(args, 'description') || null,
        declaredBy: userId,
        commander: viewInput(args, 'commander')?.selected_user ?? null,
        ...(origin.channel && origin.ts ? { origin: { channel: origin.channel, ts: origin.ts } } : {}),
      });
      reply = describeDeclare(result);
    } catch (err) {
      deps.logger.error({ err }, 'declaring an incident failed');
      reply = `:x: Declaring "${escapeMrkdwn(title)}" failed; the error was logged. Try again in a moment.`;
    }
    await tellPrivately(args, userId, reply);
  };
}

// ---------------------------------------------------------------- Home

export function incidentsHomeSection(): HomeSectionProvider {
  return {
    id: 'incidents',
    title: 'Incidents',
    async load({ db, client, userId }) {
      const now = new Date();
      return {
        lines: (await onlyVisible(await listIncidents(db, 7, 8), client, userId)).map((i) => incidentListLine(i, now)),
        empty: 'No open incidents.',
        actions: [{ actionId: DECLARE_FROM_HOME, text: 'Declare incident' }],
      };
    },
  };
}

export const DECLARE_INCIDENT_SHORTCUT = 'declare_incident';

/** The "Declare incident" message shortcut: the declare modal, filled in from the message. */
export function declareIncidentFromMessage(deps: SlackDeps) {
  return (args: ShortcutArgs) => {
    const shortcut = args.shortcut as MessageShortcut;
    const text = shortcut.message.text ?? '';
    return openModalFromShortcut(
      deps,
      args,
      declareIncidentModal({
        title: text.split('\n')[0],
        description: text,
        fromMessage: { channel: shortcut.channel.id, ts: shortcut.message_ts },
      }),
    );
  };
}

const PIN = 'pushpin';

/** Edits and deletions in incident channels, and :pushpin: reactions, keep the incident timeline in step. */
export function incidentChannelEvents(service: IncidentService) {
  return {
    message: async ({ event }: EventArgs<'message'>) => {
      const e = event as unknown as Record<string, unknown> & { channel: string; subtype?: string };
      if (e.subtype === 'message_changed') {
        const changed = e.message as Record<string, unknown>;
        // Only a person's edit carries `edited` (and its time); Slack's link unfurls arrive without it.
        const edited = changed.edited as { ts?: string } | undefined;
        await service.messageEdited(
          e.channel,
          String(changed.ts),
          String(changed.text ?? ''),
          Array.isArray(changed.files) ? timelineFiles(changed.files) : null,
          edited?.ts ? slackTsDate(edited.ts) : null,
        );
      }
      if (e.subtype === 'message_deleted') await service.messageDeleted(e.channel, String(e.deleted_ts));
    },
    reaction_added: async ({ event }: EventArgs<'reaction_added'>) => {
      const item = event.item as { channel?: string; ts?: string };
      if (event.reaction === PIN && item.channel && item.ts)
        await service.pinMessage(item.channel, item.ts, event.user);
    },
    /** Taking the :pushpin: off a message takes it off the incident timeline. */
    reaction_removed: async ({ event }: EventArgs<'reaction_removed'>) => {
      const item = event.item as { channel?: string; ts?: string };
      if (event.reaction === PIN && item.channel && item.ts) await service.unpinMessage(item.channel, item.ts);
    },
  };
}
