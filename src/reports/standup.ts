import type { Queryable } from '../store/db.js';
import { allPeopleAccounts, type PersonAccounts, standupActivity } from './standup-store.js';

export interface PersonDay {
  /** The person's Slack user when linked, else their GitHub/Jira/Linear account. */
  who: string;
  slack: string | null;
  opened: { ref: string; title: string; url: string | null }[];
  merged: { ref: string; title: string; url: string | null }[];
  reviewed: { ref: string; url: string | null }[];
  moved: { key: string; to: string; url: string | null }[];
  blocked: { key: string; title: string; url: string | null }[];
  /** Open PRs and whom they wait on: people asked to review, and teams asked (slugs). */
  waitingOn: { ref: string; reviewers: string[]; teams: string[]; url: string | null }[];
}

export interface Standup {
  hours: number;
  from: Date;
  to: Date;
  people: PersonDay[];
}

/**
 * Who did what in the last `hours`, per person (accounts joined through the people map): PRs opened, merged
 * and reviewed, tickets moved, what blocks them, and whose review their open PRs wait for.
 */
export async function buildStandup(db: Queryable, options: { hours: number; now?: Date }): Promise<Standup> {
  const to = options.now ?? new Date();
  const from = new Date(to.getTime() - options.hours * 3_600_000);
  const rows = await standupActivity(db, from, to);
  const people = await allPeopleAccounts(db);
  // By account, once: a big org's standup is thousands of rows, and a scan of the people map for each holds the thread.
  const byAccount = new Map<string, PersonAccounts>();
  for (const p of [...people].reverse())
    for (const [source, account] of [
      ['github', p.github_login],
      ['jira', p.jira_account],
      ['linear', p.linear_user],
      ['shortcut', p.shortcut_user],
    ] as const)
      if (account !== null) byAccount.set(`${source}:${account}`, p);
  const personOf = (source: string, account: string) => byAccount.get(`${source}:${account}`);
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
    else day.waitingOn.push({ ref: r.ref, reviewers: r.extra ?? [], teams: r.teams ?? [], url: r.url });
  }
  const activity = (d: PersonDay) => d.opened.length + d.merged.length + d.reviewed.length + d.moved.length;
  const list = [...byWho.values()].sort((a, b) => activity(b) - activity(a) || a.who.localeCompare(b.who));
  return { hours: options.hours, from, to, people: list };
}
