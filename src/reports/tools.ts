// The report operations as tools: data out, rendering to Block Kit is the door's (see listeners.ts).
import { z } from 'zod';
import { defineTool, link, timestamp } from '../capabilities/tool.js';
import type { BandSet } from './dora-bands.js';
import { buildDoraReport } from './dora-report.js';
import { buildSprintHealth } from './sprint.js';
import { buildStandup } from './standup.js';
import { buildTriage } from './triage.js';

const count = z.object({ count: z.number(), points: z.number() });
const band = z.string().nullable();
const bands = z.object({ deploymentFrequency: band, leadTime: band, changeFailureRate: band, recovery: band });
const hours = z.number().nullable();
const metrics = z.object({
  deployments: z.number(),
  deploymentFrequencyPerWeek: z.number(),
  deploymentDaysPerWeek: z.number(),
  deploymentsPerMonth: z.number(),
  leadTimeHours: hours,
  changeFailureRate: z.number().nullable(),
  failedDeployments: z.number(),
  timeToRestoreHours: hours,
  recoveryHours: hours,
  incidents: z.number(),
  prCycleTimeHours: hours,
});
const scope = z.object({ name: z.string(), current: metrics, previous: metrics, bands });

export const doraReportOutput = z.object({
  days: z.number(),
  from: timestamp,
  to: timestamp,
  bandSet: z.string(),
  org: scope,
  repos: z.array(scope),
});

export function doraReportTool(settings: { bandSet: BandSet; timezone: string; now?: () => Date }) {
  return defineTool({
    name: 'dora.report',
    description:
      'DORA four keys (deployment frequency, lead time for changes, change failure rate, time to restore) for the ' +
      'organization and each repository over the last `days` days, against the previous window, with performance bands.',
    kind: 'read',
    input: z.object({ days: z.number().int().min(1).max(365).default(30) }),
    output: doraReportOutput,
    run: (ctx, input) =>
      buildDoraReport(ctx.db, {
        days: input.days,
        now: settings.now?.() ?? new Date(),
        bandSet: settings.bandSet,
        timezone: settings.timezone,
      }),
  });
}

export const sprintHealthOutput = z
  .object({
    source: z.string(),
    id: z.string(),
    name: z.string(),
    startAt: timestamp,
    endAt: timestamp.nullable(),
    committed: count,
    completed: count,
    added: count,
    removed: count,
    carriedOver: count,
    remainingPoints: z.number(),
    daysElapsed: z.number(),
    daysLeft: z.number().nullable(),
    burndown: z.array(z.object({ day: z.string(), series: z.enum(['remaining', 'ideal']), points: z.number() })),
  })
  .nullable();

export function sprintHealthTool(now: () => Date = () => new Date()) {
  return defineTool({
    name: 'sprint.health',
    description:
      'The current sprint (Jira or Linear): committed against completed, scope added and removed, carry-over, ' +
      'items aging in one status longer than `agingDays`, and the burndown. Null when no sprint is active.',
    kind: 'read',
    input: z.object({ agingDays: z.number().int().min(1).max(60).default(3) }),
    output: sprintHealthOutput,
    run: (ctx, input) => buildSprintHealth(ctx.db, { agingDays: input.agingDays, now: now() }),
  });
}

const ref = z.object({ ref: z.string(), title: z.string(), url: link });
export const standupOutput = z.object({
  hours: z.number(),
  from: timestamp,
  to: timestamp,
  people: z.array(
    z.object({
      who: z.string(),
      slack: z.string().nullable(),
      opened: z.array(ref),
      merged: z.array(ref),
      reviewed: z.array(z.object({ ref: z.string(), url: link })),
      moved: z.array(z.object({ key: z.string(), to: z.string(), url: link })),
      blocked: z.array(z.object({ key: z.string(), title: z.string(), url: link })),
    }),
  ),
});

export function standupReportTool(now: () => Date = () => new Date()) {
  return defineTool({
    name: 'standup.report',
    description:
      'What each person did in the last `hours` hours, from GitHub and the trackers: pull requests opened, merged ' +
      'and reviewed, tickets moved, and what is blocked.',
    kind: 'read',
    input: z.object({ hours: z.number().int().min(1).max(336).default(24) }),
    output: standupOutput,
    run: (ctx, input) => buildStandup(ctx.db, { hours: input.hours, now: now() }),
  });
}

export const triageOutput = z.array(
  z.object({
    id: z.string(),
    title: z.string(),
    items: z.array(
      z.object({
        text: z.string(),
        url: link,
        signalId: z.number().optional(),
        nudge: z.boolean().optional(),
        requestReview: z.boolean().optional(),
        at: timestamp,
      }),
    ),
  }),
);

export function triageListTool(engine: { evaluate(options: { all: boolean }): Promise<unknown> }) {
  return defineTool({
    name: 'triage.list',
    description:
      'What needs attention now, ranked: open incidents, failing main, unassigned urgent tickets, stale and ' +
      'unreviewed pull requests, blocked tickets. The rules are evaluated first so the list is current.',
    kind: 'read',
    input: z.object({}),
    output: triageOutput,
    run: async (ctx) => {
      await ctx.progress?.('Evaluating the rules…');
      await engine.evaluate({ all: true });
      return buildTriage(ctx.db);
    },
  });
}
