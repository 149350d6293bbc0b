// What follows an incident as tools: confirming the deployment that caused it (DORA's change failure rate and
// recovery time use it), and filing an action item in the tracker the incidents policy names.
import { z } from 'zod';
import { defineTool, positiveId } from '../capabilities/tool.js';
import { incidentLabel } from './model.js';
import type { IncidentService } from './service.js';
import { getIncident, timelineEntry } from './store.js';
import { changed, changeOutput, incidentNumber, incidentToChange, refusalOutput } from './tool-access.js';

const deployment = z.object({ source: z.string().min(1), id: z.string().min(1) });

export function incidentsConfirmCauseTool(service: IncidentService) {
  return defineTool({
    name: 'incidents.confirmCause',
    description:
      'Records what caused an incident (by number; INC-12 is 12): a deployment (its source and id, as the ' +
      "incident's cause question offers them), or `null` when no deployment was involved. Only the incident's " +
      'commander may; DORA change failure rate and time to restore count it from then on.',
    kind: 'decide',
    input: z.object({
      number: incidentNumber,
      deployment: deployment.nullable(),
      /** The cause question in the incident's channel, updated to show the answer (the Slack door sends it). */
      question: z.object({ channel: z.string(), ts: z.string() }).optional(),
    }),
    output: changeOutput({ deployment: deployment.nullable() }),
    run: async (ctx, input) => {
      const found = await incidentToChange(service, ctx, input.number);
      if (!('incident' in found)) return found;
      const { incident } = found;
      if (!service.mayConfirmCause(incident, ctx.person.slackId))
        return {
          ok: false as const,
          message: `Only the commander, <@${incident.commander}>, confirms the cause of ${incidentLabel(incident)}.`,
        };
      // Only a question in the incident's own channel is updated.
      const question = input.question?.channel === incident.channelId ? input.question : undefined;
      const message = await service.confirmCause(incident, ctx.person.slackId, input.deployment ?? 'none', question);
      return { ...changed(incident, true, message), deployment: input.deployment };
    },
  });
}

const fileOutput = z.discriminatedUnion('ok', [
  refusalOutput,
  z.object({ ok: z.literal(true), number: z.number(), message: z.string() }),
]);

export function incidentsFileActionItemTool(service: IncidentService) {
  return defineTool({
    name: 'incidents.fileActionItem',
    description:
      "Files an incident's action item (by its id on the timeline) as a ticket in the tracker the incidents " +
      'policy names (Jira or Linear), through approvals: it is created at once where policy allows, otherwise ' +
      'proposed to the approvers. Anyone who can see the incident may.',
    kind: 'propose',
    input: z.object({ actionItem: positiveId('the action item id') }),
    output: fileOutput,
    run: async (ctx, input) => {
      const entry = await timelineEntry(ctx.db, input.actionItem);
      const incident = entry && (await getIncident(ctx.db, entry.incidentId));
      if (entry?.kind !== 'action_item' || !incident)
        return { ok: false as const, message: 'That action item no longer exists.' };
      const found = await incidentToChange(service, ctx, incident.number);
      if (!('incident' in found)) return { ok: false as const, message: 'That action item no longer exists.' };
      const message = await service.fileActionItem(input.actionItem, ctx.person.slackId);
      return { ok: true as const, number: incident.number, message };
    },
  });
}
