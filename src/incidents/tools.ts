import { z } from 'zod';
import { defineTool, link, timestamp } from '../capabilities/tool.js';
import { channelMembership, onlyVisible } from '../slack/membership.js';
import type { Queryable } from '../store/db.js';
import {
  incidentsAssignTool,
  incidentsResolveTool,
  incidentsSeverityTool,
  incidentsUpdateTool,
} from './change-tools.js';
import { incidentsDeclareTool } from './declare-tool.js';
import { incidentsConfirmCauseTool, incidentsFileActionItemTool } from './follow-up-tools.js';
import { TIMELINE_KINDS } from './model.js';
import type { IncidentService } from './service.js';
import { incidentByNumber, listIncidents, privateIncidentChannels, timelineOf } from './store.js';
import { incidentsActionItemTool, incidentsNoteTool } from './timeline-tools.js';
import { incidentNumber } from './tool-access.js';

/** Every incident tool: reading incidents from any source, and declaring and changing those declared in Slack. */
export function incidentTools(service: IncidentService) {
  return [
    incidentsListTool(),
    incidentsTimelineTool(),
    incidentsDeclareTool(service),
    incidentsNoteTool(service),
    incidentsActionItemTool(service),
    incidentsSeverityTool(service),
    incidentsAssignTool(service),
    incidentsUpdateTool(service),
    incidentsResolveTool(service),
    incidentsConfirmCauseTool(service),
    incidentsFileActionItemTool(service),
  ];
}

/**
 * The incidents a person may see (public ones, and those of the private rooms they are in), newest first, at most
 * `limit`: private ones they may not see are left out before the limit, not after it.
 */
export async function visibleIncidents(
  db: Queryable,
  slack: Parameters<typeof onlyVisible>[1],
  userId: string,
  recentDays: number,
  limit?: number,
) {
  const visible = await channelMembership.visibleOf(slack, await privateIncidentChannels(db, recentDays), userId);
  return listIncidents(db, recentDays, limit, visible);
}

export const incidentsListOutput = z.array(
  z.object({
    source: z.string(),
    id: z.string(),
    title: z.string(),
    severity: z.string().nullable(),
    status: z.enum(['open', 'resolved']),
    openedAt: timestamp,
    resolvedAt: timestamp.nullable(),
    url: link,
    channelId: z.string().nullable(),
    number: z.number().nullable(),
    phase: z.string().nullable(),
    commander: z.string().nullable(),
    visibleIn: z.string().nullable(),
  }),
);

export function incidentsListTool() {
  return defineTool({
    name: 'incidents.list',
    description:
      'Open incidents from every source (declared in Slack, GitHub, Jira, Linear), then those resolved in the ' +
      'last `recentDays` days, newest first. Incidents in a private channel are listed to its members only.',
    kind: 'read',
    input: z.object({ recentDays: z.number().int().min(1).max(90).default(7) }),
    output: incidentsListOutput,
    run: (ctx, input) => visibleIncidents(ctx.db, ctx.slack, ctx.person.slackId, input.recentDays),
  });
}

export const incidentsTimelineOutput = z.discriminatedUnion('found', [
  z.object({ found: z.literal(false), message: z.string() }),
  z.object({
    found: z.literal(true),
    incident: z.object({
      number: z.number(),
      title: z.string(),
      severity: z.string().nullable(),
      status: z.enum(['open', 'resolved']),
      phase: z.string(),
      commander: z.string().nullable(),
      channelId: z.string().nullable(),
      openedAt: timestamp,
      resolvedAt: timestamp.nullable(),
    }),
    entries: z.array(
      z.object({
        at: timestamp,
        kind: z.enum(TIMELINE_KINDS),
        author: z.string().nullable(),
        text: z.string(),
        editedAt: timestamp.nullable(),
        ticket: z.string().nullable(),
      }),
    ),
  }),
]);

export function incidentsTimelineTool() {
  return defineTool({
    name: 'incidents.timeline',
    description:
      'The timeline of an incident declared in Slack (declared, roles, severity, pinned messages, notes, updates, ' +
      'resolution), oldest first, by its number (INC-12 is 12). An incident in a private channel is shown to its ' +
      'members only; to anyone else it does not exist.',
    kind: 'read',
    input: z.object({ number: incidentNumber }),
    output: incidentsTimelineOutput,
    run: async (ctx, input) => {
      const found = await incidentByNumber(ctx.db, input.number);
      const visible = found && (await onlyVisible([found], ctx.slack, ctx.person.slackId)).length > 0;
      if (!found || !visible) return { found: false as const, message: `There is no incident INC-${input.number}.` };
      const { incident } = found;
      const entries = await timelineOf(ctx.db, incident.id);
      return {
        found: true as const,
        incident: {
          number: incident.number,
          title: incident.title,
          severity: incident.severity,
          status: incident.status,
          phase: incident.phase,
          commander: incident.commander,
          channelId: incident.channelId,
          openedAt: incident.openedAt,
          resolvedAt: incident.resolvedAt,
        },
        entries: entries.map((e) => ({
          at: e.occurredAt,
          kind: e.kind,
          author: e.author,
          text: e.text,
          editedAt: e.editedAt,
          ticket: e.ticket,
        })),
      };
    },
  });
}
