import { flatMapInSlices } from '../../lib/slices.js';
import { ageInHours } from '../../lib/work-calendar.js';
import { type EvalContext, type Finding, hoursAgo, type PersonRef, round1, scopeParam } from '../finding.js';
import type { RuleOf } from '../rules.js';

export interface OpenTicket {
  source: string;
  key: string;
  project: string;
  title: string;
  status: string;
  priority: string | null;
  assignee: string | null;
  labels: string[];
  created_at: Date;
  updated_at: Date;
  url: string | null;
  /** When it last entered its current status (from the changelog), if known. */
  status_since: Date | null;
}

const projectsOf = (rule: { scope: { projects?: string[]; teams?: string[] } }) =>
  scopeParam([...(rule.scope.projects ?? []), ...(rule.scope.teams ?? [])]);

/**
 * Tickets not done in the projects; with `unassignedBefore`, only unassigned ones created before it; with
 * `blocked`, only those in one of the statuses or carrying one of the labels (case-insensitive).
 */
export async function loadOpenTickets(
  ctx: EvalContext,
  projects: string[] | null,
  filter: { unassignedBefore?: Date; blocked?: { statuses: string[]; labels: string[] } } = {},
): Promise<OpenTicket[]> {
  const { rows } = await ctx.db.query<OpenTicket>(
    `SELECT w.source, w.key, w.project, w.title, w.status, w.priority, w.assignee, w.labels, w.created_at, w.updated_at, w.url,
            (SELECT max(c.changed_at) FROM work_item_changes c
              WHERE c.source = w.source AND c.key = w.key AND c.field = 'status' AND c.to_value = w.status) AS status_since
       FROM work_items w
      WHERE coalesce(w.status_category, '') <> 'done' AND ($1::text[] IS NULL OR w.project = ANY($1::text[]))
        AND ($2::timestamptz IS NULL OR (w.assignee IS NULL AND w.created_at <= $2))
        AND ($3::text[] IS NULL OR lower(w.status) = ANY($3::text[])
             OR EXISTS (SELECT 1 FROM unnest(w.labels) AS l WHERE lower(l) = ANY($4::text[])))
      ORDER BY w.source, w.key`,
    [
      projects,
      filter.unassignedBefore ?? null,
      filter.blocked ? filter.blocked.statuses.map((x) => x.toLowerCase()) : null,
      filter.blocked ? filter.blocked.labels.map((x) => x.toLowerCase()) : null,
    ],
  );
  return rows;
}

const assigneeRef = (t: OpenTicket): { assignee?: PersonRef } =>
  t.assignee && (t.source === 'jira' || t.source === 'linear' || t.source === 'shortcut' || t.source === 'github')
    ? { assignee: { source: t.source, id: t.assignee } }
    : {};

export function findUnassignedUrgent(
  tickets: OpenTicket[],
  rule: RuleOf<'unassigned_urgent'>,
  ctx: EvalContext,
): Finding[] {
  const priorities = new Set(rule.priorities.map((p) => p.toLowerCase()));
  return tickets.flatMap((t) => {
    if (t.assignee || !priorities.has((t.priority ?? '').toLowerCase())) return [];
    const age = ageInHours(t.created_at, ctx.now, ctx.calendar, rule.older_than_hours);
    if (age < rule.older_than_hours) return [];
    return [
      {
        subject: `ticket:${t.source}:${t.key}`,
        title: `${t.key} "${t.title}" (${t.priority}) has had no assignee for ${round1(age)} ${ctx.calendar ? 'working ' : ''}hours`,
        url: t.url,
        evidence: { priority: t.priority, age_hours: round1(age), threshold_hours: rule.older_than_hours },
        target: { ticket: { source: t.source, key: t.key } },
      },
    ];
  });
}

export function findAgingBlocked(tickets: OpenTicket[], rule: RuleOf<'aging_blocked'>, ctx: EvalContext): Finding[] {
  const statuses = new Set(rule.statuses.map((s) => s.toLowerCase()));
  const labels = new Set(rule.labels.map((l) => l.toLowerCase()));
  return tickets.flatMap((t) => {
    const byStatus = statuses.has(t.status.toLowerCase());
    if (!byStatus && !t.labels.some((l) => labels.has(l.toLowerCase()))) return [];
    // Blocked since it entered the status; for a label, since the last update is the best the data tells.
    const since = (byStatus ? t.status_since : null) ?? t.updated_at;
    const days = ageInHours(since, ctx.now, ctx.calendar, rule.older_than_days * 24) / 24;
    if (days < rule.older_than_days) return [];
    return [
      {
        subject: `ticket:${t.source}:${t.key}`,
        title: `${t.key} "${t.title}" has been blocked for ${round1(days)} ${ctx.calendar ? 'working ' : ''}days`,
        url: t.url,
        evidence: { status: t.status, blocked_days: round1(days), threshold_days: rule.older_than_days },
        target: { ticket: { source: t.source, key: t.key }, ...assigneeRef(t) },
      },
    ];
  });
}

export const unassignedUrgent = async (rule: RuleOf<'unassigned_urgent'>, ctx: EvalContext) =>
  flatMapInSlices(
    await loadOpenTickets(ctx, projectsOf(rule), { unassignedBefore: hoursAgo(ctx.now, rule.older_than_hours) }),
    (tickets) => findUnassignedUrgent(tickets, rule, ctx),
  );

export const agingBlocked = async (rule: RuleOf<'aging_blocked'>, ctx: EvalContext) =>
  flatMapInSlices(
    await loadOpenTickets(ctx, projectsOf(rule), { blocked: { statuses: rule.statuses, labels: rule.labels } }),
    (tickets) => findAgingBlocked(tickets, rule, ctx),
  );

interface SprintScope {
  source: string;
  id: string;
  name: string;
  start_at: Date;
  committed: number;
  added: number;
  added_keys: string[];
}

/** Active sprints (Jira) and cycles (Linear): items in them now, and which of those joined after the start. */
export async function loadSprintScope(ctx: EvalContext, boards: string[] | null): Promise<SprintScope[]> {
  const { rows } = await ctx.db.query<SprintScope>(
    `SELECT s.source, s.id, s.name, s.start_at,
            count(*) FILTER (WHERE NOT x.added)::int AS committed,
            count(*) FILTER (WHERE x.added)::int AS added,
            coalesce(array_agg(x.key ORDER BY x.key) FILTER (WHERE x.added), '{}') AS added_keys
       FROM sprints s
       JOIN LATERAL (
         SELECT w.key,
                (w.created_at > s.start_at OR EXISTS (
                   SELECT 1 FROM work_item_changes c
                    WHERE c.source = w.source AND c.key = w.key AND c.field IN ('Sprint', 'cycle')
                      AND c.changed_at > s.start_at AND position(s.name IN coalesce(c.to_value, '')) > 0
                      AND position(s.name IN coalesce(c.from_value, '')) = 0)) AS added
           FROM work_items w
          WHERE w.source = s.source AND s.id = ANY(w.sprint_ids)
       ) x ON true
      WHERE s.state = 'active' AND s.start_at IS NOT NULL AND ($1::text[] IS NULL OR s.board = ANY($1::text[]))
      GROUP BY s.source, s.id, s.name, s.start_at`,
    [boards],
  );
  return rows;
}

export function findScopeCreep(sprints: SprintScope[], rule: RuleOf<'sprint_scope_creep'>): Finding[] {
  return sprints.flatMap((s) => {
    const percent = s.committed ? (s.added / s.committed) * 100 : s.added ? 100 : 0;
    if (percent <= rule.max_percent) return [];
    return [
      {
        subject: `sprint:${s.source}:${s.id}`,
        title: `${s.name}: ${s.added} item(s) added after the start, ${Math.round(percent)}% of the ${s.committed} committed (limit ${rule.max_percent}%)`,
        evidence: {
          committed: s.committed,
          added: s.added,
          percent: Math.round(percent),
          added_items: s.added_keys.slice(0, 20).join(', '),
        },
        target: {},
      },
    ];
  });
}

export const sprintScopeCreep = async (rule: RuleOf<'sprint_scope_creep'>, ctx: EvalContext) =>
  findScopeCreep(await loadSprintScope(ctx, projectsOf(rule)), rule);

interface WipCount {
  who: string;
  prs: number;
  tickets: number;
  github: string | null;
  ticket_ref: { source: string; id: string } | null;
}

/** Open PRs (by author) and in-progress tickets (by assignee), per person (accounts joined through people) or per team. */
export async function loadWip(ctx: EvalContext, rule: RuleOf<'wip_limit_exceeded'>): Promise<WipCount[]> {
  const perPerson = rule.per === 'person';
  const { rows } = await ctx.db.query<WipCount>(
    `WITH prs AS (
       SELECT ${perPerson ? "coalesce('person:' || pe.id, 'github:' || p.author)" : 'p.repo'} AS who,
              p.author AS github, NULL::jsonb AS ticket_ref
         FROM pull_requests p LEFT JOIN people pe ON pe.github_login = p.author
        WHERE p.state = 'open' AND NOT p.draft AND p.author IS NOT NULL AND ($1::text[] IS NULL OR p.repo = ANY($1::text[]))
     ), tickets AS (
       SELECT ${perPerson ? "coalesce('person:' || pe.id, w.source || ':' || w.assignee)" : 'w.project'} AS who,
              NULL::text AS github, jsonb_build_object('source', w.source, 'id', w.assignee) AS ticket_ref
         FROM work_items w
         LEFT JOIN people pe ON (w.source = 'jira' AND pe.jira_account = w.assignee)
                             OR (w.source = 'linear' AND pe.linear_user = w.assignee)
                             OR (w.source = 'shortcut' AND pe.shortcut_user = w.assignee)
                             OR (w.source = 'github' AND pe.github_login = w.assignee)
        WHERE w.status_category = 'indeterminate' AND w.assignee IS NOT NULL
          AND ($2::text[] IS NULL OR w.project = ANY($2::text[]))
     )
     SELECT who, count(*) FILTER (WHERE src = 'pr')::int AS prs, count(*) FILTER (WHERE src = 'ticket')::int AS tickets,
            max(github) AS github, (array_agg(ticket_ref) FILTER (WHERE ticket_ref IS NOT NULL))[1] AS ticket_ref
       FROM (SELECT who, github, ticket_ref, 'pr' AS src FROM prs UNION ALL SELECT who, github, ticket_ref, 'ticket' FROM tickets) all_wip
      GROUP BY who`,
    [scopeParam(rule.scope.repos), projectsOf(rule)],
  );
  return rows;
}

export function findWipOverLimit(counts: WipCount[], rule: RuleOf<'wip_limit_exceeded'>): Finding[] {
  return counts.flatMap((c) => {
    const n = rule.count === 'prs' ? c.prs : rule.count === 'tickets' ? c.tickets : c.prs + c.tickets;
    if (n <= rule.max) return [];
    const owner: { author?: PersonRef } =
      rule.per === 'person'
        ? c.github
          ? { author: { source: 'github', id: c.github } }
          : c.ticket_ref
            ? { author: c.ticket_ref as PersonRef }
            : {}
        : {};
    const name = c.github ?? c.ticket_ref?.id ?? c.who;
    return [
      {
        subject: `wip:${rule.per}:${c.who}`,
        title: `${rule.per === 'person' ? name : c.who} has ${n} items in progress (${c.prs} open PRs, ${c.tickets} tickets; limit ${rule.max})`,
        evidence: { open_prs: c.prs, in_progress_tickets: c.tickets, limit: rule.max },
        target: owner,
      },
    ];
  });
}

export const wipLimitExceeded = async (rule: RuleOf<'wip_limit_exceeded'>, ctx: EvalContext) =>
  findWipOverLimit(await loadWip(ctx, rule), rule);
