// The report operations as tools: data out, rendering to Block Kit is the door's (see listeners.ts).

import { z } from 'zod';
import { defineTool, link, timestamp } from '../capabilities/tool.js';
import { onlyVisible } from '../slack/membership.js';
import { scopeFor, teamArgument, teamOutput, teamRef } from '../teams/scope.js';
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

/**
 * The time zone a report's days are counted in: its team's, when the team names one other than the default (UTC),
 * else REPORTS_TIMEZONE's.
 */
export function reportTimezone(team: { timezone: string } | null | undefined, fallback: string): string {
  return team && team.timezone !== 'UTC' ? team.timezone : fallback;
}

export const doraReportOutput = z.object({
  days: z.number(),
  from: timestamp,
  to: timestamp,
  bandSet: z.string(),
  org: scope,
  repos: z.array(scope),
  /** The team the report is for (its repositories make the first scope); null = the org. */
  team: teamOutput,
  /** The team's repositories the figures come from; null = every repository. */
  scopeRepos: z.array(z.string()).nullable(),
});

export function doraReportTool(settings: { bandSet: BandSet; timezone: string; now?: () => Date }) {
  return defineTool({
    name: 'dora.report',
    description:
      'DORA four keys (deployment frequency, lead time for changes, change failure rate, time to restore) for the ' +
      'organization (or a team: its repositories) and each repository over the last `days` days, against the ' +
      'previous window, with performance bands.',
    kind: 'read',
    input: z.object({ days: z.number().int().min(1).max(365).default(30), team: teamArgument }),
    output: doraReportOutput,
    run: async (ctx, input) => {
      const scope = await scopeFor(ctx.db, ctx.person.slackId, input.team);
      const report = await buildDoraReport(ctx.db, {
        days: input.days,
        now: settings.now?.() ?? new Date(),
        bandSet: settings.bandSet,
        timezone: reportTimezone(scope?.team, settings.timezone),
        scope: scope ? { name: scope.team.name, repos: scope.repos } : undefined,
      });
      return { ...report, team: teamRef(scope), scopeRepos: scope?.repos ?? null };
    },
  });
}

export const sprintHealthOutput = z
  .object({
    team: teamOutput.optional(),
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

/** `timezone`: where the burndown's days are dated when the sprint is no team's (REPORTS_TIMEZONE). */
export function sprintHealthTool(now: () => Date = () => new Date(), timezone = 'UTC') {
  return defineTool({
    name: 'sprint.health',
    description:
      'The current sprint (Jira or Linear): committed against completed, scope added and removed, carry-over, ' +
      "items aging in one status longer than `agingDays`, and the burndown; a team's sprint comes from its board. " +
      'Null when no sprint is active.',
    kind: 'read',
    input: z.object({ agingDays: z.number().int().min(1).max(60).default(3), team: teamArgument }),
    output: sprintHealthOutput,
    run: async (ctx, input) => {
      const scope = await scopeFor(ctx.db, ctx.person.slackId, input.team);
      const health = await buildSprintHealth(ctx.db, {
        agingDays: input.agingDays,
        now: now(),
        team: scope ? { boards: scope.boards, projects: scope.projects } : undefined,
        timezone: reportTimezone(scope?.team, timezone),
      });
      return health ? { ...health, team: teamRef(scope) } : null;
    },
  });
}

const ref = z.object({ ref: z.string(), title: z.string(), url: link });
export const standupOutput = z.object({
  team: teamOutput.optional(),
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
      'and reviewed, tickets moved, and what is blocked. For a team: its members only.',
    kind: 'read',
    input: z.object({ hours: z.number().int().min(1).max(336).default(24), team: teamArgument }),
    output: standupOutput,
    run: async (ctx, input) => {
      const scope = await scopeFor(ctx.db, ctx.person.slackId, input.team);
      const standup = await buildStandup(ctx.db, { hours: input.hours, now: now() });
      if (!scope) return { ...standup, team: null };
      const members = new Set(scope.team.members);
      return {
        ...standup,
        team: teamRef(scope),
        people: standup.people.filter((p) => p.slack && members.has(p.slack)),
      };
    },
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
      'unreviewed pull requests, blocked tickets; for a team, those about its repositories, projects and people. ' +
      'The rules are evaluated first so the list is current.',
    kind: 'read',
    input: z.object({ team: teamArgument }),
    output: triageOutput,
    run: async (ctx, input) => {
      const scope = await scopeFor(ctx.db, ctx.person.slackId, input.team);
      await ctx.progress?.('Evaluating the rules…');
      await engine.evaluate({ all: true });
      return buildTriage(ctx.db, scope, (incidents) => onlyVisible(incidents, ctx.slack, ctx.person.slackId));
    },
  });
}
