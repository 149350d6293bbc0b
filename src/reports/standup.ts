import type { Queryable } from '../store/db.js';

export interface PersonDay {
  /** The person's Slack user when linked, else their GitHub/Jira/Linear account. */
  who: string;
  slack: string | null;
  opened: { ref: string; title: string; url: string | null }[];
  merged: { ref: string; title: string; url: string | null }[];
  reviewed: { ref: string; url: string | null }[];
  moved: { key: string; to: string; url: string | null }[];
  blocked: { key: string; title: string; url: string | null }[];
  waitingOn: { ref: string; reviewers: string[]; url: string | null }[];
}

export interface Standup {
  hours: number;
  from: Date;
  to: Date;
  people: PersonDay[];
}

type Row = {
  account: string;
  source: string;
  kind: string;
  ref: string;
  title: string;
  url: string | null;
  extra: string[] | null;
};

/**
 * Who did what in the last `hours`, per person (accounts joined through the people map): PRs opened, merged
 * and reviewed, tickets moved, what blocks them, and whose review their open PRs wait for.
 */
export async function buildStandup(db: Queryable, options: { hours: number; now?: Date }): Promise<Standup> {
  const to = options.now ?? new Date();
  const from = new Date(to.getTime() - options.hours * 3_600_000);
  const { rows } = await db.query<Row>(
    `SELECT author AS account, 'github' AS source, 'opened' AS kind, repo || '#' || number AS ref, title, url, NULL::text[] AS extra
       FROM pull_requests WHERE created_at >= $1 AND created_at < $2 AND author IS NOT NULL
     UNION ALL
     SELECT author, 'github', 'merged', repo || '#' || number, title, url, NULL FROM pull_requests
      WHERE merged_at >= $1 AND merged_at < $2 AND author IS NOT NULL
     UNION ALL
     SELECT DISTINCT ON (r.reviewer, r.repo, r.number) r.reviewer, 'github', 'reviewed', r.repo || '#' || r.number, p.title, p.url, NULL
       FROM pr_reviews r JOIN pull_requests p ON p.repo = r.repo AND p.number = r.number
      WHERE r.submitted_at >= $1 AND r.submitted_at < $2 AND r.reviewer IS NOT NULL AND r.reviewer IS DISTINCT FROM p.author
     UNION ALL
     (SELECT DISTINCT ON (w.source, w.key) w.assignee, w.source, 'moved', w.key, w.title, w.url, ARRAY[c.to_value]
       FROM work_item_changes c JOIN work_items w ON w.source = c.source AND w.key = c.key
      WHERE c.field = 'status' AND c.changed_at >= $1 AND c.changed_at < $2 AND w.assignee IS NOT NULL
      -- Where it ended up in the window: the latest move, whatever order the history was stored in.
      ORDER BY w.source, w.key, c.changed_at DESC, c.change_id DESC)
     UNION ALL
     SELECT assignee, source, 'blocked', key, title, url, NULL FROM work_items
      WHERE assignee IS NOT NULL AND coalesce(status_category, '') <> 'done'
        AND (lower(status) = 'blocked' OR 'blocked' = ANY(labels))
     UNION ALL
     SELECT author, 'github', 'waiting', repo || '#' || number, title, url, requested_reviewers FROM pull_requests
      WHERE state = 'open' AND NOT draft AND author IS NOT NULL AND cardinality(requested_reviewers) > 0`,
    [from, to],
  );
  const { rows: people } = await db.query<{
    id: number;
    slack_user: string | null;
    github_login: string | null;
    jira_account: string | null;
    linear_user: string | null;
    shortcut_user: string | null;
    display_name: string | null;
  }>('SELECT id, slack_user, github_login, jira_account, linear_user, shortcut_user, display_name FROM people');
  const personOf = (source: string, account: string) =>
    people.find(
      (p) =>
        (source === 'github' && p.github_login === account) ||
        (source === 'jira' && p.jira_account === account) ||
        (source === 'linear' && p.linear_user === account) ||
        (source === 'shortcut' && p.shortcut_user === account),
    );
  const byWho = new Map<string, PersonDay>();
  for (const r of rows) {
    const person = personOf(r.source, r.account);
    const key = person ? `person:${person.id}` : `${r.source}:${r.account}`;
    let day = byWho.get(key);
    if (!day) {
      day = {
        who: person?.github_login ?? person?.display_name ?? r.account,
        slack: person?.slack_user ?? null,
        opened: [],
        merged: [],
        reviewed: [],
        moved: [],
        blocked: [],
        waitingOn: [],
      };
      byWho.set(key, day);
    }
    if (r.kind === 'opened') day.opened.push({ ref: r.ref, title: r.title, url: r.url });
    else if (r.kind === 'merged') day.merged.push({ ref: r.ref, title: r.title, url: r.url });
    else if (r.kind === 'reviewed') day.reviewed.push({ ref: r.ref, url: r.url });
    else if (r.kind === 'moved') day.moved.push({ key: r.ref, to: r.extra?.[0] ?? '?', url: r.url });
    else if (r.kind === 'blocked') day.blocked.push({ key: r.ref, title: r.title, url: r.url });
    else day.waitingOn.push({ ref: r.ref, reviewers: r.extra ?? [], url: r.url });
  }
  const activity = (d: PersonDay) => d.opened.length + d.merged.length + d.reviewed.length + d.moved.length;
  const list = [...byWho.values()].sort((a, b) => activity(b) - activity(a) || a.who.localeCompare(b.who));
  return { hours: options.hours, from, to, people: list };
}
