// OKRs as data, and the pure rules about them: quarters, which tracker work a key result maps to (a JQL subset
// included), progress of work-based and metric-based key results, expected progress for a date, the burn-up.
import { z } from 'zod';

// ---- quarters ----------------------------------------------------------------------------------------------------

export interface Quarter {
  /** `2026Q4` */
  key: string;
  year: number;
  q: 1 | 2 | 3 | 4;
  /** First instant of the quarter (UTC). */
  start: Date;
  /** First instant after the quarter (UTC). */
  end: Date;
}

export function quarterOf(year: number, q: number): Quarter {
  const start = new Date(Date.UTC(year, (q - 1) * 3, 1));
  const end = new Date(Date.UTC(year, q * 3, 1));
  return { key: `${year}Q${q}`, year, q: q as Quarter['q'], start, end };
}

/** The quarter a date falls in (UTC). */
export function currentQuarter(now: Date): Quarter {
  return quarterOf(now.getUTCFullYear(), Math.floor(now.getUTCMonth() / 3) + 1);
}

/**
 * A quarter as people write it: `2026Q4`, `2026-Q4`, `2026 q4`, `Q4 2026`, `Q4-2026`, `FY2026Q4`, or `Q4` (this
 * year). Undefined when the text is not a quarter.
 */
export function parseQuarter(text: string, now: Date = new Date()): Quarter | undefined {
  const t = text.trim().toUpperCase();
  let match = /^(?:FY)?(\d{4})[\s-]?Q([1-4])$/.exec(t);
  if (match) return quarterOf(Number(match[1]), Number(match[2]));
  match = /^Q([1-4])(?:[\s-]?(?:FY)?(\d{4}))?$/.exec(t);
  if (match) return quarterOf(match[2] ? Number(match[2]) : now.getUTCFullYear(), Number(match[1]));
  return undefined;
}

/** Share of the quarter elapsed at `now` (0 before it starts, 1 after it ends): the expected progress. */
export function expectedProgress(quarter: Quarter, now: Date): number {
  const span = quarter.end.getTime() - quarter.start.getTime();
  return clamp01((now.getTime() - quarter.start.getTime()) / span);
}

/** The Monday (UTC) of the week a date is in, as YYYY-MM-DD: the week a check-in belongs to. */
export function weekOf(date: Date): string {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const weekday = (d.getUTCDay() + 6) % 7; // Monday 0
  d.setUTCDate(d.getUTCDate() - weekday);
  return d.toISOString().slice(0, 10);
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

// ---- a JQL subset --------------------------------------------------------------------------------------------------

/** A tracker ticket as the work_items table holds it (connectors fill it), with its Linear project's name. */
export interface WorkRow {
  source: string;
  key: string;
  project: string;
  type: string | null;
  status: string;
  statusCategory: string | null;
  labels: string[];
  assignee: string | null;
  points: number | null;
  /** The epic (Jira) or project (Linear) the item belongs to. */
  projectId: string | null;
  projectName: string | null;
  milestone: string | null;
  createdAt: Date;
  resolvedAt: Date | null;
}

export interface JqlClause {
  field: 'project' | 'labels' | 'type' | 'status' | 'statuscategory' | 'assignee' | 'epic' | 'key';
  op: '=' | '!=' | 'in' | 'not in';
  values: string[];
}

const JQL_FIELDS: Record<string, JqlClause['field']> = {
  project: 'project',
  labels: 'labels',
  label: 'labels',
  issuetype: 'type',
  type: 'type',
  status: 'status',
  statuscategory: 'statuscategory',
  assignee: 'assignee',
  parent: 'epic',
  epic: 'epic',
  '"epic link"': 'epic',
  "'epic link'": 'epic',
  key: 'key',
  issuekey: 'key',
};

const unquote = (v: string) => v.trim().replace(/^(["'])(.*)\1$/, '$2');

/**
 * The JQL em-agent evaluates on synced tickets: clauses joined by AND, each `field = v`, `field != v`,
 * `field in (a, b)` or `field not in (a, b)`, on project, labels, issuetype, status, statusCategory, assignee,
 * parent/"Epic Link" and key. Anything else is refused with the reason (OR, ORDER BY, functions, other fields).
 */
export function parseJql(text: string): { ok: true; clauses: JqlClause[] } | { ok: false; message: string } {
  const source = text.trim();
  if (!source) return { ok: false, message: 'is empty' };
  if (/\bORDER\s+BY\b/i.test(source)) return { ok: false, message: 'ORDER BY is not needed here; leave it out' };
  if (/\bOR\b/i.test(source)) return { ok: false, message: 'only clauses joined by AND are supported (no OR)' };
  const clauses: JqlClause[] = [];
  for (const part of source.split(/\s+AND\s+/i)) {
    const match = /^\s*("[^"]+"|'[^']+'|[A-Za-z]+)\s*(!=|=|not\s+in|in)\s*(.+?)\s*$/i.exec(part);
    if (!match)
      return { ok: false, message: `cannot read \`${part.trim()}\` (write field = value or field in (a, b))` };
    const field = JQL_FIELDS[(match[1] as string).toLowerCase()];
    if (!field)
      return {
        ok: false,
        message: `${match[1]} is not supported (project, labels, issuetype, status, statusCategory, assignee, parent, key)`,
      };
    const op = (match[2] as string).toLowerCase().replace(/\s+/, ' ') as JqlClause['op'];
    const raw = match[3] as string;
    let values: string[];
    if (op === 'in' || op === 'not in') {
      const list = /^\((.*)\)$/.exec(raw);
      if (!list) return { ok: false, message: `${match[1]} ${op} needs a list in parentheses, e.g. (a, b)` };
      values = (list[1] as string).split(',').map(unquote).filter(Boolean);
    } else {
      if (/[()]/.test(raw)) return { ok: false, message: `functions such as ${raw} are not supported` };
      values = [unquote(raw)];
    }
    if (!values.length) return { ok: false, message: `${match[1]} ${op} has no value` };
    clauses.push({ field, op, values });
  }
  return { ok: true, clauses };
}

function clauseHolds(clause: JqlClause, item: WorkRow): boolean {
  const lower = (v: string | null) => (v ?? '').toLowerCase();
  const wanted = clause.values.map((v) => v.toLowerCase());
  const has: string[] =
    clause.field === 'labels'
      ? item.labels.map(lower)
      : [
          lower(
            {
              project: item.project,
              type: item.type,
              status: item.status,
              statuscategory: statusCategoryName(item.statusCategory),
              assignee: item.assignee,
              epic: item.projectId,
              key: item.key,
            }[clause.field] ?? null,
          ),
        ];
  const any = has.some((v) => wanted.includes(v));
  return clause.op === '=' || clause.op === 'in' ? any : !any;
}

/** Jira's status category keys (new, indeterminate, done) as JQL names them. */
function statusCategoryName(key: string | null): string | null {
  if (key === 'new') return 'To Do';
  if (key === 'indeterminate') return 'In Progress';
  if (key === 'done') return 'Done';
  return key;
}

export function jqlMatches(clauses: JqlClause[], item: WorkRow): boolean {
  return clauses.every((c) => clauseHolds(c, item));
}

// ---- key results ------------------------------------------------------------------------------------------------

const names = z.array(z.string().trim().min(1).max(200)).max(50).default([]);

const jqlString = z
  .string()
  .max(2000)
  .superRefine((value, ctx) => {
    const parsed = parseJql(value);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: `JQL ${parsed.message}` });
  });

/** What work a key result maps to: any ticket one of the selectors matches (a union). */
export const workMapping = z
  .object({
    jira: z.object({ epics: names, labels: names, jql: jqlString.optional() }).strict().optional(),
    linear: z.object({ projects: names, labels: names }).strict().optional(),
    github: z.object({ milestones: names, labels: names }).strict().optional(),
    /** Progress counts story points, or items. */
    unit: z.enum(['points', 'items']).default('items'),
  })
  .strict()
  .refine(
    (m) =>
      Boolean(
        m.jira?.epics.length ||
          m.jira?.labels.length ||
          m.jira?.jql ||
          m.linear?.projects.length ||
          m.linear?.labels.length ||
          m.github?.milestones.length ||
          m.github?.labels.length,
      ),
    {
      error: 'maps no work: name Jira epics, labels or jql, Linear projects or labels, or GitHub milestones or labels',
    },
  );
export type WorkMapping = z.output<typeof workMapping>;

/** The figures em-agent computes that a metric-based key result can target (over the last `window_days`). */
export const METRICS = {
  lead_time_days: { label: 'DORA lead time', unit: 'days' },
  lead_time_hours: { label: 'DORA lead time', unit: 'hours' },
  deployment_frequency_per_week: { label: 'Deployments per week', unit: '/week' },
  deployment_days_per_week: { label: 'Deployment days per week', unit: 'days/week' },
  change_failure_rate: { label: 'Change failure rate', unit: '%' },
  time_to_restore_hours: { label: 'Time to restore', unit: 'hours' },
  pr_cycle_time_hours: { label: 'PR cycle time', unit: 'hours' },
} as const;
export type MetricName = keyof typeof METRICS;

export const metricTarget = z
  .object({
    metric: z.enum(Object.keys(METRICS) as [MetricName, ...MetricName[]]),
    /** The value when the key result was set. */
    baseline: z.number(),
    /** The value that means done: below the baseline for "lower is better", above it otherwise. */
    target: z.number(),
    window_days: z.number().int().min(1).max(365).default(30),
  })
  .strict()
  .refine((m) => m.baseline !== m.target, { error: 'target must differ from baseline', path: ['target'] });
export type MetricTarget = z.output<typeof metricTarget>;

const SLACK_USER = /^[UW][A-Z0-9]+$/;

export const keyResultInput = z
  .object({
    title: z.string().trim().min(1).max(200),
    owner: z.string().regex(SLACK_USER, { error: 'must be a Slack user id such as U012AB3CD' }),
    work: workMapping.optional(),
    metric: metricTarget.optional(),
  })
  .strict()
  .refine((kr) => (kr.work ? 1 : 0) + (kr.metric ? 1 : 0) === 1, {
    error: 'needs exactly one of work (mapped tickets) or metric (a target on a figure)',
  });
export type KeyResultInput = z.output<typeof keyResultInput>;

export const objectiveInput = z
  .object({
    title: z.string().trim().min(1).max(200),
    key_results: z.array(keyResultInput).min(1).max(10),
  })
  .strict()
  // Key results are kept by title (with their check-ins): two with one title would be saved as one.
  .superRefine((o, ctx) => {
    const seen = new Set<string>();
    o.key_results.forEach((kr, i) => {
      if (seen.has(kr.title))
        ctx.addIssue({
          code: 'custom',
          path: ['key_results', i, 'title'],
          message: `another key result of this objective is called "${kr.title}"`,
        });
      seen.add(kr.title);
    });
  });
export type ObjectiveInput = z.output<typeof objectiveInput>;

export const quarterString = z
  .union([z.string(), z.number()])
  .transform(String)
  .refine((q) => parseQuarter(q) !== undefined, { error: 'must be a quarter such as 2026Q4' })
  .transform((q) => (parseQuarter(q) as Quarter).key);

/** okrs.yml: objectives per team and quarter. */
export const okrsFileSchema = z
  .object({
    okrs: z
      .array(
        z
          .object({
            team: z.string().min(1).max(40),
            quarter: quarterString,
            objectives: z.array(objectiveInput).min(1).max(20),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();
export type OkrsFile = z.output<typeof okrsFileSchema>;

// ---- progress ------------------------------------------------------------------------------------------------------

/** Whether a ticket is mapped by a key result's selectors. */
export function mapsWork(mapping: WorkMapping, item: WorkRow): boolean {
  const anyLabel = (wanted: string[]) => {
    const w = wanted.map((x) => x.toLowerCase());
    return item.labels.some((l) => w.includes(l.toLowerCase()));
  };
  const inList = (wanted: string[], value: string | null) =>
    value !== null && wanted.some((w) => w.toLowerCase() === value.toLowerCase());
  if (item.source === 'jira' && mapping.jira) {
    const { epics, labels, jql } = mapping.jira;
    if (inList(epics, item.projectId) || anyLabel(labels)) return true;
    if (jql) {
      const parsed = parseJql(jql);
      if (parsed.ok && jqlMatches(parsed.clauses, item)) return true;
    }
  }
  if (item.source === 'linear' && mapping.linear) {
    const { projects, labels } = mapping.linear;
    if (inList(projects, item.projectId) || inList(projects, item.projectName) || anyLabel(labels)) return true;
  }
  if (item.source === 'github' && mapping.github) {
    const { milestones, labels } = mapping.github;
    if (inList(milestones, item.milestone) || anyLabel(labels)) return true;
  }
  return false;
}

export interface WorkProgress {
  unit: 'points' | 'items';
  done: number;
  total: number;
  /** done / total; null when nothing is mapped. */
  progress: number | null;
  /** Tickets counted (mapped, and not finished before the quarter began). */
  items: number;
}

const isDone = (item: WorkRow) => item.statusCategory === 'done';
const weight = (item: WorkRow, unit: WorkProgress['unit']) => (unit === 'points' ? (item.points ?? 0) : 1);

/**
 * Progress of a work-based key result: the mapped tickets' completed points (or items) over all of theirs. Tickets
 * finished before the quarter began are not this quarter's work and are left out of both.
 */
export function workProgress(mapping: WorkMapping, items: WorkRow[], quarter: Quarter): WorkProgress {
  const mapped = items.filter(
    (i) => mapsWork(mapping, i) && !(isDone(i) && i.resolvedAt && i.resolvedAt < quarter.start),
  );
  const total = mapped.reduce((sum, i) => sum + weight(i, mapping.unit), 0);
  const done = mapped.filter(isDone).reduce((sum, i) => sum + weight(i, mapping.unit), 0);
  return { unit: mapping.unit, done, total, progress: total > 0 ? done / total : null, items: mapped.length };
}

/** Progress of a metric-based key result: where the current value lies between baseline (0) and target (1). */
export function metricProgress(target: Pick<MetricTarget, 'baseline' | 'target'>, current: number | null) {
  if (current === null) return null;
  return clamp01((current - target.baseline) / (target.target - target.baseline));
}

export interface BurnupPoint {
  day: string;
  series: 'done' | 'scope' | 'expected';
  value: number;
}

/**
 * Burn-up of a work-based key result, a point per week from the quarter's start to `now` (or its end): completed
 * work so far, the scope known by then, and the expected line (today's scope × the share of the quarter elapsed).
 */
export function burnup(mapping: WorkMapping, items: WorkRow[], quarter: Quarter, now: Date): BurnupPoint[] {
  const mapped = items.filter(
    (i) => mapsWork(mapping, i) && !(isDone(i) && i.resolvedAt && i.resolvedAt < quarter.start),
  );
  const total = mapped.reduce((sum, i) => sum + weight(i, mapping.unit), 0);
  const last = Math.min(now.getTime(), quarter.end.getTime());
  const points: BurnupPoint[] = [];
  for (let t = quarter.start.getTime(); ; t += 7 * 86_400_000) {
    const at = new Date(Math.min(t, last));
    const day = at.toISOString().slice(0, 10);
    const done = mapped
      .filter((i) => isDone(i) && (i.resolvedAt ?? i.createdAt) <= at)
      .reduce((sum, i) => sum + weight(i, mapping.unit), 0);
    const scope = mapped.filter((i) => i.createdAt <= at).reduce((sum, i) => sum + weight(i, mapping.unit), 0);
    points.push(
      { day, series: 'done', value: done },
      { day, series: 'scope', value: Math.max(scope, done) },
      { day, series: 'expected', value: round2(total * expectedProgress(quarter, at)) },
    );
    if (t >= last) break;
  }
  return points;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** A merged pull request, as the pull_requests table holds it. */
export interface MergedPr {
  repo: string;
  number: number;
  labels: string[];
  milestone: string | null;
  ticketKeys: string[];
}

/**
 * Whether a merged PR maps to a key result: it carries one of its GitHub labels or milestones, or names a ticket
 * one of its key results maps (`mappedKeys`, the tickets' keys).
 */
export function prIsMapped(pr: MergedPr, mappings: WorkMapping[], mappedKeys: Set<string>): boolean {
  if (pr.ticketKeys.some((k) => mappedKeys.has(k.toUpperCase()))) return true;
  return mappings.some((m) => {
    if (!m.github) return false;
    const labels = m.github.labels.map((l) => l.toLowerCase());
    const milestones = m.github.milestones.map((l) => l.toLowerCase());
    return (
      pr.labels.some((l) => labels.includes(l.toLowerCase())) ||
      (pr.milestone !== null && milestones.includes(pr.milestone.toLowerCase()))
    );
  });
}

/** How a person's confidence moved over their check-ins, oldest first: ↑, ↓ or → between the last two. */
export function confidenceTrend(confidences: number[]): 'up' | 'down' | 'flat' | null {
  if (confidences.length < 2) return null;
  const [before, last] = confidences.slice(-2) as [number, number];
  return last > before ? 'up' : last < before ? 'down' : 'flat';
}

// ---- the modal's one-line targets ----------------------------------------------------------------------------------

const list = (text: string) =>
  text
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/**
 * What a key result is measured by, as typed in the modal, selectors separated by `;`:
 * `jira epics PAY-1, PAY-2; jira labels checkout; jql project = PAY AND type = Bug; linear projects Sunset;
 * linear labels x; github milestones v2; github labels y; points` (work-based; `items` is the default unit), or
 * `metric lead_time_days 4 -> 2 [over 30d]` (metric-based: baseline -> target).
 */
export function parseTarget(
  text: string,
):
  | { ok: true; work: Record<string, unknown> }
  | { ok: true; metric: Record<string, unknown> }
  | { ok: false; message: string } {
  const source = text.trim();
  const metric = /^metric\s+([a-z_]+)\s+(-?[\d.]+)\s*(?:->|→|to)\s*(-?[\d.]+)(?:\s+over\s+(\d+)\s*d(?:ays)?)?$/i.exec(
    source,
  );
  if (metric)
    return {
      ok: true,
      metric: {
        metric: (metric[1] as string).toLowerCase(),
        baseline: Number(metric[2]),
        target: Number(metric[3]),
        ...(metric[4] ? { window_days: Number(metric[4]) } : {}),
      },
    };
  if (/^metric\b/i.test(source))
    return { ok: false, message: 'write a metric as `metric lead_time_days 4 -> 2` (baseline -> target)' };
  const work: Record<string, Record<string, unknown> | string> = {};
  const add = (tracker: string, field: string, value: unknown) => {
    work[tracker] ??= {};
    const entry = work[tracker] as Record<string, unknown>;
    entry[field] = field === 'jql' ? value : [...((entry[field] as string[]) ?? []), ...(value as string[])];
  };
  for (const part of source
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const jql = /^jql\s+(.+)$/i.exec(part);
    if (jql) {
      add('jira', 'jql', jql[1]);
      continue;
    }
    if (/^(points|items)$/i.test(part)) {
      work.unit = part.toLowerCase();
      continue;
    }
    const m = /^(jira|linear|github)\s+(epics?|labels?|projects?|milestones?)\s+(.+)$/i.exec(part);
    const tracker = m?.[1]?.toLowerCase();
    const field = `${m?.[2]?.toLowerCase().replace(/s$/, '')}s`;
    const allowed: Record<string, string[]> = {
      jira: ['epics', 'labels'],
      linear: ['projects', 'labels'],
      github: ['milestones', 'labels'],
    };
    if (!m || !tracker || !allowed[tracker]?.includes(field))
      return {
        ok: false,
        message: `cannot read \`${part}\`: write e.g. \`jira epics PAY-1\`, \`github labels checkout\`, \`jql project = PAY\` or \`metric lead_time_days 4 -> 2\``,
      };
    add(tracker, field, list(m[3] as string));
  }
  return Object.keys(work).length
    ? { ok: true, work }
    : { ok: false, message: 'say what the key result is measured by' };
}
