// The SQL loaders behind the rule kinds: each reads what a kind's pure finder needs, scoped by the rule.
import { readInPages } from '../../lib/slices.js';
import { type EvalContext, scopeParam } from '../finding.js';

export interface RedWorkflow {
  repo: string;
  name: string;
  red_since: Date;
  failures: number;
  url: string | null;
}

/** Workflows whose latest default-branch run failed, with when the red streak began. */
export async function loadRedWorkflows(ctx: EvalContext, repos: string[] | undefined): Promise<RedWorkflow[]> {
  const { rows } = await ctx.db.query<RedWorkflow>(
    `WITH latest AS (
       SELECT DISTINCT ON (repo, name) repo, name, conclusion, url
         FROM ci_runs WHERE ($1::text[] IS NULL OR repo = ANY($1::text[]))
        ORDER BY repo, name, updated_at DESC
     )
     SELECT l.repo, coalesce(l.name, '(unnamed)') AS name, l.url, min(r.updated_at) AS red_since, count(*)::int AS failures
       FROM latest l
       JOIN ci_runs r ON r.repo = l.repo AND r.name IS NOT DISTINCT FROM l.name
        AND r.updated_at > coalesce((SELECT max(g.updated_at) FROM ci_runs g
                                      WHERE g.repo = l.repo AND g.name IS NOT DISTINCT FROM l.name AND g.conclusion = 'success'),
                                    '-infinity')
      WHERE l.conclusion IN ('failure', 'timed_out', 'startup_failure')
      GROUP BY l.repo, l.name, l.url`,
    [scopeParam(repos)],
  );
  return rows;
}

export interface OpenPr {
  repo: string;
  number: number;
  title: string;
  author: string | null;
  created_at: Date;
  url: string | null;
  head_ref: string | null;
  requested_reviewers: string[];
  ticket_keys: string[];
  additions: number | null;
  deletions: number | null;
  reviewed_by_others: boolean;
  /** The newest of created_at, ready_at and the last review: a reviewer's wait when their request time is unknown. */
  last_activity_at: Date;
  /** When its wait for a review began: when it was last marked ready for review, else created_at. */
  ready_at?: Date;
  /** When each requested reviewer was last asked (not before ready_at), by login, where known. */
  requested_at?: Record<string, Date>;
}

/**
 * Open, non-draft PRs in scope, created before `olderThan` (a cheap wall-clock prefilter: every wait starts at or after
 * created_at), with when their review waits began.
 */
export async function loadOpenPrs(
  ctx: EvalContext,
  repos: string[] | undefined,
  olderThan = ctx.now,
): Promise<OpenPr[]> {
  return readInPages(async (after, limit) => {
    const { rows } = await ctx.db.query<OpenPr>(
      `SELECT p.repo, p.number, p.title, p.author, p.created_at, p.url, p.head_ref, p.requested_reviewers, p.ticket_keys,
              p.additions, p.deletions,
              EXISTS (SELECT 1 FROM pr_reviews r WHERE r.repo = p.repo AND r.number = p.number
                       AND r.reviewer IS DISTINCT FROM p.author) AS reviewed_by_others,
              greatest(p.created_at, p.ready_at,
                       (SELECT max(r.submitted_at) FROM pr_reviews r WHERE r.repo = p.repo AND r.number = p.number))
                AS last_activity_at,
              coalesce(p.ready_at, p.created_at) AS ready_at,
              (SELECT coalesce(jsonb_object_agg(q.reviewer, greatest(q.requested_at, p.ready_at)), '{}'::jsonb)
                 FROM pr_review_requests q
                WHERE q.repo = p.repo AND q.number = p.number AND q.reviewer = ANY(p.requested_reviewers)) AS requested_at
         FROM pull_requests p
        WHERE p.state = 'open' AND NOT p.draft AND p.created_at <= $2
          AND ($1::text[] IS NULL OR p.repo = ANY($1::text[]))
          AND ($3::text IS NULL OR (p.repo, p.number) > ($3::text, $4::int))
        ORDER BY p.repo, p.number
        LIMIT $5`,
      [scopeParam(repos), olderThan, after?.repo ?? null, after?.number ?? null, limit],
    );
    // jsonb carries the times as text
    return rows.map((row) => ({
      ...row,
      requested_at: Object.fromEntries(
        Object.entries((row.requested_at ?? {}) as Record<string, unknown>).map(([who, at]) => [
          who,
          new Date(String(at)),
        ]),
      ),
    }));
  });
}

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

/**
 * Tickets not done in the projects; with `unassignedBefore`, only unassigned ones created before it; with
 * `blocked`, only those in one of the statuses or carrying one of the labels (case-insensitive).
 */
export async function loadOpenTickets(
  ctx: EvalContext,
  projects: string[] | null,
  filter: { unassignedBefore?: Date; blocked?: { statuses: string[]; labels: string[] } } = {},
): Promise<OpenTicket[]> {
  return readInPages(async (after, limit) => {
    const { rows } = await ctx.db.query<OpenTicket>(
      `SELECT w.source, w.key, w.project, w.title, w.status, w.priority, w.assignee, w.labels, w.created_at, w.updated_at, w.url,
              (SELECT max(c.changed_at) FROM work_item_changes c
                WHERE c.source = w.source AND c.key = w.key AND c.field = 'status' AND c.to_value = w.status) AS status_since
         FROM work_items w
        WHERE coalesce(w.status_category, '') <> 'done' AND ($1::text[] IS NULL OR w.project = ANY($1::text[]))
          AND ($2::timestamptz IS NULL OR (w.assignee IS NULL AND w.created_at <= $2))
          AND ($3::text[] IS NULL OR lower(w.status) = ANY($3::text[])
               OR EXISTS (SELECT 1 FROM unnest(w.labels) AS l WHERE lower(l) = ANY($4::text[])))
          AND ($5::text IS NULL OR (w.source, w.key) > ($5::text, $6::text))
        ORDER BY w.source, w.key
        LIMIT $7`,
      [
        projects,
        filter.unassignedBefore ?? null,
        filter.blocked ? filter.blocked.statuses.map((x) => x.toLowerCase()) : null,
        filter.blocked ? filter.blocked.labels.map((x) => x.toLowerCase()) : null,
        after?.source ?? null,
        after?.key ?? null,
        limit,
      ],
    );
    return rows;
  });
}

export interface SprintScope {
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

export interface WipCount {
  who: string;
  prs: number;
  tickets: number;
  github: string | null;
  ticket_ref: { source: string; id: string } | null;
}

/** Open PRs (by author) and in-progress tickets (by assignee), per person (accounts joined through people) or per team. */
export async function loadWip(
  ctx: EvalContext,
  scope: { perPerson: boolean; repos: string[] | null; projects: string[] | null },
): Promise<WipCount[]> {
  const { perPerson } = scope;
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
    [scope.repos, scope.projects],
  );
  return rows;
}
