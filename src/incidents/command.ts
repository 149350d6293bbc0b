// `/em incident …`: parsed by args.ts; the changes run the incident tools (as every door does) and are rendered
// here; the rest opens a form or reads.
import { declareIncidentModal } from '../../blocks/incidents/declare-modal.js';
import { assignRoleModal, resolveModal, severityModal, statusUpdateModal } from '../../blocks/incidents/modals.js';
import { incidentListMessage, timelineMessage } from '../../blocks/incidents/reports.js';
import type { SlackModal } from '../../blocks/kit.js';
import { failure, notice } from '../../blocks/notice.js';
import { runOrRefuse, runTool } from '../capabilities/tool.js';
import { type CommandContext, type CommandHandler, toolContextOf } from '../slack/commands.js';
import { describeSlackError } from '../slack/errors.js';
import type { IncidentCommand } from './args.js';
import { incidentsAssignTool, incidentsSeverityTool } from './change-tools.js';
import { openModal } from './listeners.js';
import type { IncidentSeverity, Role } from './model.js';
import type { IncidentService } from './service.js';
import { incidentsActionItemTool, incidentsNoteTool } from './timeline-tools.js';
import { incidentsListTool, visibleIncidents } from './tools.js';

/** The tools `/em incident` runs: directly, or through the form it opens (start, update, resolve). */
export const INCIDENT_COMMAND_TOOLS = [
  'incidents.list',
  'incidents.declare',
  'incidents.note',
  'incidents.actionItem',
  'incidents.severity',
  'incidents.assign',
  'incidents.update',
  'incidents.resolve',
];

/** In an incident channel, the incident; elsewhere, a reply that names the open ones. */
async function incidentHere(service: IncidentService, ctx: CommandContext) {
  const incident = await service.byChannel(ctx.channelId);
  if (incident) return { incident };
  const open = (await visibleIncidents(ctx.db, ctx.client, ctx.userId, 0, 10)).filter(
    (i) => i.status === 'open' && i.channelId,
  );
  return {
    reply: failure(
      `Run this in an incident channel.${open.length ? ` Open: ${open.map((i) => `<#${i.channelId}>`).join(', ')}` : ' There are no open incidents.'}`,
    ),
  };
}

const ROLE_ARGUMENTS = /^(commander|comms_lead|comms|scribe|responder)\s+<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/i;

/** `/em incident …` */
export function incidentCommand(service: IncidentService): CommandHandler<IncidentCommand> {
  const tools = {
    list: incidentsListTool(),
    note: incidentsNoteTool(service),
    actionItem: incidentsActionItemTool(service),
    severity: incidentsSeverityTool(service),
    assign: incidentsAssignTool(service),
  };
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
    const toolCtx = toolContextOf(ctx);
    if (command.action === 'list') return incidentListMessage(await runTool(tools.list, toolCtx, {}), new Date());
    const here = await incidentHere(service, ctx);
    if (!here.incident) return here.reply;
    const incident = here.incident;
    const number = incident.number;
    switch (command.action) {
      case 'note': {
        const noted = await runOrRefuse(tools.note, toolCtx, { number, text });
        return noted.ok ? notice(noted.message, ':spiral_note_pad:') : failure(noted.message);
      }
      case 'action': {
        const added = await runOrRefuse(tools.actionItem, toolCtx, { number, text });
        return added.ok ? notice(added.message, ':ballot_box_with_check:') : failure(added.message);
      }
      case 'timeline':
        return timelineMessage(incident, await service.timeline(incident.id), service.timezone);
      case 'update':
        return opened(statusUpdateModal(incident), 'Fill in the status update.');
      case 'resolve':
        return opened(resolveModal(incident), 'Confirm how it was resolved.');
      case 'severity': {
        const wanted = text.toUpperCase();
        if (!wanted) return opened(severityModal(incident), 'Choose the new severity.');
        const set = await runOrRefuse(tools.severity, toolCtx, { number, severity: wanted as IncidentSeverity });
        return set.ok ? notice(set.message) : failure(set.message);
      }
      case 'roles': {
        if (!text) return opened(assignRoleModal(incident), 'Pick the role and the person.');
        const match = ROLE_ARGUMENTS.exec(text);
        if (!match)
          return failure(
            'Usage: `/em incident roles commander|comms|scribe|responder @person`, or no arguments for a form.',
          );
        const role = (match[1]?.toLowerCase() === 'comms' ? 'comms_lead' : match[1]?.toLowerCase()) as Role;
        // A refused handover reads as it always has: the flow's own ":no_entry:" message.
        return notice((await runOrRefuse(tools.assign, toolCtx, { number, role, user: match[2] as string })).message);
      }
      default:
        return failure('Unknown incident action.');
    }
  };
}
