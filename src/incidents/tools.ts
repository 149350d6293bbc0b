import { z } from 'zod';
import { defineTool, link, timestamp } from '../capabilities/tool.js';
import { onlyVisible } from '../slack/membership.js';
import { listIncidents } from './store.js';

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
    run: async (ctx, input) =>
      onlyVisible(await listIncidents(ctx.db, input.recentDays), ctx.slack, ctx.person.slackId),
  });
}
