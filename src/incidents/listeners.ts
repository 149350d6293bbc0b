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
import { incidentListLine } from '../../blocks/incidents/reports.js';
import { readableText } from '../../blocks/text.js';
import { runOrRefuse } from '../capabilities/tool.js';
import { actorContext } from '../slack/commands.js';
import type { SlackDeps } from '../slack/deps.js';
import { describeSlackError } from '../slack/errors.js';
import type { HomeSectionProvider } from '../slack/home.js';
import { type EventArgs, slackTsDate } from '../slack/listeners/events.js';
import { firstDelivery } from '../slack/listeners/once.js';
import { openModalFromShortcut, type ShortcutArgs } from '../slack/listeners/shortcuts.js';
import { type ButtonArgs, tellPrivately } from '../slack/private-reply.js';
import { incidentsConfirmCauseTool, incidentsFileActionItemTool } from './follow-up-tools.js';
import { incidentLabel, timelineFiles } from './model.js';
import type { IncidentService } from './service.js';
import { visibleIncidents } from './tools.js';

/** The Slack door's dependencies, with this capability's service. */
export type IncidentSlackDeps = SlackDeps & { incidents?: IncidentService };

export const DECLARE_FROM_HOME = 'incident_declare';

/** A modal from `blocks/incidents/` (the declare form and those about one incident). */
type IncidentModal = ReturnType<typeof declareIncidentModal> | ReturnType<(typeof MODAL_FOR)[keyof typeof MODAL_FOR]>;

/** Opens an incident modal: every modal of this capability opens here. */
export async function openModal(client: WebClient, triggerId: string | undefined, view: IncidentModal) {
  if (!triggerId) throw new Error('no trigger id');
  await client.views.open({ trigger_id: triggerId, view });
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
    const confirm = service ? incidentsConfirmCauseTool(service) : null;
    const value = args.action.value ?? '';
    const parsed =
      answer === 'confirm' ? (JSON.parse(value) as { incident: string; source: string; id: string }) : null;
    const incident = service ? await service.get(parsed?.incident ?? value) : null;
    const userId = args.body.user.id;
    if (!service || !confirm || !incident) return tellPrivately(args, userId, 'That incident no longer exists.');
    if (answer === 'pick') {
      if (!service.mayConfirmCause(incident, userId))
        return tellPrivately(
          args,
          userId,
          `Only the commander, <@${incident.commander}>, confirms the cause of ${incidentLabel(incident)}.`,
        );
      const view = pickDeploymentModal(incident, await service.candidateDeployments(incident));
      return void (await openModal(args.client, args.body.trigger_id, view));
    }
    if (!(await firstDelivery(deps, args.body))) return;
    const body = args.body as BlockAction<ButtonAction> & { container?: { channel_id?: string; message_ts?: string } };
    const question =
      body.container?.channel_id && body.container.message_ts
        ? { channel: body.container.channel_id, ts: body.container.message_ts }
        : undefined;
    const result = await runOrRefuse(confirm, actorContext(deps, args), {
      number: incident.number,
      deployment: parsed ? { source: parsed.source, id: parsed.id } : null,
      question,
    });
    await tellPrivately(args, userId, result.message);
  };
}

export function actionItemTicket(deps: IncidentSlackDeps) {
  return async (args: ButtonArgs) => {
    await args.ack();
    const file = deps.incidents ? incidentsFileActionItemTool(deps.incidents) : null;
    if (!file) return;
    if (!(await firstDelivery(deps, args.body))) return;
    const result = await runOrRefuse(file, actorContext(deps, args), { actionItem: Number(args.action.value) });
    await tellPrivately(args, args.body.user.id, result.message);
  };
}

// ---------------------------------------------------------------- Home

/** The incidents Home reads: it shows the first few and counts the rest. */
const HOME_INCIDENTS_COUNTED = 100;

export function incidentsHomeSection(): HomeSectionProvider {
  return {
    id: 'incidents',
    title: 'Incidents',
    async load({ db, client, userId }) {
      const now = new Date();
      return {
        // More than the tile shows, so it can say how many more there are ("…and 3 more").
        lines: (await visibleIncidents(db, client, userId, 7, HOME_INCIDENTS_COUNTED)).map((i) =>
          incidentListLine(i, now),
        ),
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
    // The message as people read it: Slack's markup would become the title, the channel's name and the card's header.
    const text = readableText(shortcut.message.text ?? '');
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
