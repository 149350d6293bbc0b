// OKRs as tools: list and show them from any door; check in on a key result (its owner); save an objective (the
// team's managers and whoever policy names for okrs.edit).
import { z } from 'zod';
import { defineTool, timestamp } from '../capabilities/tool.js';
import type { Queryable } from '../store/db.js';
import { scopeFor, teamArgument } from '../teams/scope.js';
import { getTeam } from '../teams/store.js';
import {
  currentQuarter,
  METRICS,
  metricProgress,
  objectiveInput,
  parseQuarter,
  type Quarter,
  weekOf,
  workProgress,
} from './model.js';
import { type OkrEditors, okrEditRefusal } from './permissions.js';
import { buildOkrReport, currentMetric } from './service.js';
import { getKeyResult, listObjectives, saveCheckin, saveObjective, workRows } from './store.js';

const quarterArgument = z
  .string()
  .trim()
  .max(20)
  .optional()
  .describe('A quarter such as 2026Q4 (also Q4 2026, or Q4 for this year); default: the current quarter.');

/** A quarter that is none: its message is for the person who typed it (400 through the HTTP doors). */
export class QuarterError extends Error {
  readonly statusCode = 400;
}

export function quarterFrom(text: string | undefined, now: Date): Quarter {
  if (!text) return currentQuarter(now);
  const q = parseQuarter(text, now);
  if (!q) throw new QuarterError(`"${text}" is not a quarter; write it like 2026Q4.`);
  return q;
}

const keyResultOutput = z.object({
  id: z.number(),
  title: z.string(),
  owner: z.string(),
  kind: z.enum(['work', 'metric']),
  progress: z.number().nullable(),
  work: z
    .object({ unit: z.enum(['points', 'items']), done: z.number(), total: z.number(), items: z.number() })
    .nullable(),
  metric: z
    .object({
      metric: z.enum(Object.keys(METRICS) as [keyof typeof METRICS, ...(keyof typeof METRICS)[]]),
      label: z.string(),
      unit: z.string(),
      baseline: z.number(),
      target: z.number(),
      current: z.number().nullable(),
      windowDays: z.number(),
    })
    .nullable(),
  checkins: z.array(z.object({ week: z.string(), confidence: z.number(), note: z.string().nullable() })),
  trend: z.enum(['up', 'down', 'flat']).nullable(),
});

export const okrReportOutput = z.object({
  team: z.object({ key: z.string(), name: z.string() }).nullable(),
  quarter: z.object({ key: z.string(), start: timestamp, end: timestamp }),
  now: timestamp,
  expected: z.number(),
  objectives: z.array(
    z.object({
      id: z.number(),
      team: z.string(),
      title: z.string(),
      managedByFile: z.string().nullable(),
      progress: z.number().nullable(),
      keyResults: z.array(keyResultOutput),
    }),
  ),
  unmapped: z.object({ merged: z.number(), unmapped: z.number(), share: z.number().nullable() }),
  burnup: z.array(z.object({ day: z.string(), series: z.string(), value: z.number() })),
});

export function okrsListTool() {
  return defineTool({
    name: 'okrs.list',
    description:
      'The objectives of a team (or every team) in a quarter, with their key results (id, title, owner as a Slack ' +
      'id, kind: work-based or metric-based). No progress: okrs.show computes it.',
    kind: 'read',
    input: z.object({ team: teamArgument, quarter: quarterArgument }),
    output: z.object({
      quarter: z.string(),
      objectives: z.array(
        z.object({
          id: z.number(),
          team: z.string(),
          title: z.string(),
          keyResults: z.array(z.object({ id: z.number(), title: z.string(), owner: z.string(), kind: z.string() })),
        }),
      ),
    }),
    run: async (ctx, input) => {
      const quarter = quarterFrom(input.quarter, new Date());
      const scope = await scopeFor(ctx.db, ctx.person.slackId, input.team);
      const objectives = await listObjectives(ctx.db, { team: scope?.team.key, quarter: quarter.key });
      return {
        quarter: quarter.key,
        objectives: objectives.map((o) => ({
          id: o.id,
          team: o.team,
          title: o.title,
          keyResults: o.keyResults.map((k) => ({ id: k.id, title: k.title, owner: k.owner, kind: k.kind })),
        })),
      };
    },
  });
}

export function okrsShowTool(clock: () => Date = () => new Date()) {
  return defineTool({
    name: 'okrs.show',
    description:
      "A team's OKRs for a quarter with progress: work-based key results from the completed points or items of their " +
      'mapped tickets (Jira epics/labels/JQL, Linear projects/labels, GitHub milestones/labels), metric-based ones ' +
      'from the current value between baseline and target; the expected progress (share of the quarter elapsed); ' +
      "owners' weekly check-ins (confidence 1-10) and their trend; a burn-up; and the share of the quarter's merged " +
      'pull requests that map to no key result (unmapped work).',
    kind: 'read',
    input: z.object({ team: teamArgument, quarter: quarterArgument }),
    output: okrReportOutput,
    run: async (ctx, input) => {
      const now = clock();
      const quarter = quarterFrom(input.quarter, now);
      const scope = await scopeFor(ctx.db, ctx.person.slackId, input.team);
      return buildOkrReport(ctx.db, { scope, quarter, now });
    },
  });
}

/** A key result's progress now (stored with a check-in). */
export async function progressNow(db: Queryable, id: number, now: Date): Promise<number | null> {
  const kr = await getKeyResult(db, id);
  if (!kr) return null;
  const quarter = parseQuarter(kr.quarter) as Quarter;
  if (kr.work) {
    const sources = (['jira', 'linear', 'github'] as const).filter((s) => kr.work?.[s]);
    return workProgress(kr.work, await workRows(db, sources, quarter.start), quarter).progress;
  }
  if (!kr.metric) return null;
  const team = await getTeam(db, kr.team);
  const scope = team ? await scopeFor(db, '', team.key) : null;
  return metricProgress(kr.metric, await currentMetric(db, kr.metric, now, scope?.repos));
}

export function okrsCheckinTool(clock: () => Date = () => new Date()) {
  return defineTool({
    name: 'okrs.checkin',
    description:
      'The weekly check-in on a key result by its owner: confidence 1-10 that it will be met, and a note. One per week ' +
      '(a second replaces the first); stored with the progress at that moment; the trend shows in okrs.show.',
    // The owner's own statement about their key result: nothing waits for a decision and nobody else's data changes.
    kind: 'propose',
    input: z.object({
      key_result: z.number().int().positive(),
      confidence: z.number().int().min(1).max(10),
      note: z.string().trim().max(2000).optional(),
    }),
    output: z.union([
      z.object({ ok: z.literal(true), week: z.string(), progress: z.number().nullable() }),
      z.object({ ok: z.literal(false), refusal: z.string() }),
    ]),
    run: async (ctx, input) => {
      const kr = await getKeyResult(ctx.db, input.key_result);
      if (!kr) return { ok: false as const, refusal: 'That key result no longer exists.' };
      if (kr.owner !== ctx.person.slackId)
        return { ok: false as const, refusal: `Only the key result's owner (<@${kr.owner}>) checks in on it.` };
      const now = clock();
      const week = weekOf(now);
      const progress = await progressNow(ctx.db, kr.id, now);
      await saveCheckin(ctx.db, {
        keyResultId: kr.id,
        week,
        owner: ctx.person.slackId,
        confidence: input.confidence,
        note: input.note || null,
        progress,
      });
      return { ok: true as const, week, progress };
    },
  });
}

export function okrsSaveTool(editors: OkrEditors) {
  return defineTool({
    name: 'okrs.save',
    description:
      "Creates or replaces one objective of a team's quarter with its key results (each work-based or metric-based, " +
      "with an owner). The team's managers and whoever policy names for okrs.edit may; okrs.yml objectives are read-only.",
    kind: 'decide',
    input: z.object({ team: z.string().min(1).max(40), quarter: z.string().max(20), objective: objectiveInput }),
    output: z.union([
      z.object({ ok: z.literal(true), id: z.number(), created: z.boolean() }),
      z.object({ ok: z.literal(false), refusal: z.string() }),
    ]),
    run: async (ctx, input) => {
      const team = await getTeam(ctx.db, input.team);
      if (!team || team.archivedAt) return { ok: false as const, refusal: `No team has the key ${input.team}.` };
      const quarter = parseQuarter(input.quarter);
      if (!quarter) return { ok: false as const, refusal: `"${input.quarter}" is not a quarter such as 2026Q4.` };
      const refusal = await okrEditRefusal(editors, ctx.person.slackId, team);
      if (refusal) return { ok: false as const, refusal };
      const existing = (await listObjectives(ctx.db, { team: team.key, quarter: quarter.key })).find(
        (o) => o.title === input.objective.title,
      );
      if (existing?.managedByFile)
        return {
          ok: false as const,
          refusal: `That objective is managed in \`${existing.managedByFile}\`; edit the file instead.`,
        };
      const saved = await saveObjective(ctx.db, team.key, quarter.key, input.objective, {
        position: 100,
        actor: ctx.person.slackId,
      });
      return { ok: true as const, ...saved };
    },
  });
}
