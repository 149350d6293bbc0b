import type { Queryable } from '../store/db.js';

export interface Identity {
  email?: string | null;
  displayName?: string | null;
  slack?: string | null;
  github?: string | null;
  jira?: string | null;
  linear?: string | null;
  shortcut?: string | null;
}

const COLUMNS = {
  slack: 'slack_user',
  github: 'github_login',
  jira: 'jira_account',
  linear: 'linear_user',
  shortcut: 'shortcut_user',
} as const;

/** Addresses that identify nobody in particular: bots and GitHub's private no-reply addresses. */
export function usableEmail(email: string | null | undefined): string | undefined {
  const value = email?.trim().toLowerCase();
  if (!value || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) return undefined;
  if (value.endsWith('@users.noreply.github.com') || value.startsWith('noreply@') || value.includes('[bot]'))
    return undefined;
  return value;
}

/**
 * Accounts that stand for a person without an e-mail: Jira and Linear ids are opaque, so their display name is kept
 * with them (a GitHub login reads well on its own, and is only anchored when set by hand).
 */
const ANCHORS = ['jira', 'linear', 'shortcut'] as const;
const MANUAL_ANCHORS = ['jira', 'linear', 'shortcut', 'github'] as const;

/**
 * Records what a source says about a person. Discovered identities fill empty slots of the person with
 * the same e-mail; they never overwrite a manual override, nor move an id that belongs to someone else.
 * Without a usable e-mail (Jira hides it by privacy setting), the account is a person of its own, shown
 * by display name, until sources.yml links it to someone.
 */
export async function recordIdentity(db: Queryable, identity: Identity, manual = false): Promise<void> {
  // Bots (renovate[bot], dependabot[bot]) are nobody to mention or DM.
  if (identity.github?.endsWith('[bot]')) return;
  const email = usableEmail(identity.email);
  const ids = Object.entries(COLUMNS).flatMap(([key, column]) => {
    const value = identity[key as keyof typeof COLUMNS];
    return value ? [{ column, value }] : [];
  });
  if (!email) return recordAccountOnly(db, identity, ids, manual);
  await db.query(
    `INSERT INTO people (email, display_name, manual) VALUES ($1, $2, $3)
     ON CONFLICT (email) DO UPDATE SET display_name = COALESCE(people.display_name, EXCLUDED.display_name),
       manual = people.manual OR EXCLUDED.manual, updated_at = now()`,
    [email, identity.displayName ?? null, manual],
  );
  await linkIds(db, 'email', email, ids, manual);
}

async function recordAccountOnly(
  db: Queryable,
  identity: Identity,
  ids: { column: string; value: string }[],
  manual: boolean,
): Promise<void> {
  const key = (manual ? MANUAL_ANCHORS : ANCHORS).find((k) => identity[k]);
  if (!key) return;
  const column = COLUMNS[key];
  const value = identity[key] as string;
  // Someone with an e-mail already holds the account: nothing to add.
  const { rows } = await db.query<{ email: string | null }>(`SELECT email FROM people WHERE ${column} = $1`, [value]);
  if (rows[0]?.email && !manual) return;
  if (!rows.length)
    await db.query(`INSERT INTO people (${column}, display_name, manual) VALUES ($1, $2, $3)`, [
      value,
      identity.displayName ?? null,
      manual,
    ]);
  else
    await db.query(
      `UPDATE people SET display_name = ${manual ? 'COALESCE($2, display_name)' : 'COALESCE(display_name, $2)'},
         manual = manual OR $3, updated_at = now() WHERE ${column} = $1`,
      [value, identity.displayName ?? null, manual],
    );
  await linkIds(db, column, value, ids, manual);
}

/** Sets the ids on the person found by `by` = `key`, taking them from others only when manual. */
async function linkIds(
  db: Queryable,
  by: string,
  key: string,
  ids: { column: string; value: string }[],
  manual: boolean,
): Promise<void> {
  for (const { column, value } of ids) {
    if (column === by) continue;
    // A person known only by this account (no e-mail, not set by hand) gives way to the fuller record.
    await db.query(
      `DELETE FROM people WHERE ${column} = $1 AND ${by} IS DISTINCT FROM $2 AND email IS NULL AND NOT manual`,
      [value, key],
    );
    // Taken by another person: a manual override moves it, a discovery does not.
    if (manual)
      await db.query(`UPDATE people SET ${column} = NULL WHERE ${column} = $1 AND ${by} IS DISTINCT FROM $2`, [
        value,
        key,
      ]);
    // A discovery fills only an empty slot, of a hand-made person too (people: entries are recorded at start-up,
    // before any sync: a Shortcut, Linear or Jira account their e-mail matches is theirs); it never replaces an id.
    // Not a GitHub login: commit e-mails are whatever a committer typed, so anyone could claim a hand-made person.
    const fills = manual
      ? 'true'
      : column === 'github_login'
        ? `${column} IS NULL AND NOT manual`
        : `${column} IS NULL`;
    await db.query(
      `UPDATE people SET ${column} = $1, updated_at = now()
       WHERE ${by} = $2 AND (${fills})
         AND NOT EXISTS (SELECT 1 FROM people other WHERE other.${column} = $1 AND other.${by} IS DISTINCT FROM $2)`,
      [value, key],
    );
  }
  // Rows left holding nothing identify nobody.
  if (manual)
    await db.query(
      'DELETE FROM people WHERE email IS NULL AND slack_user IS NULL AND github_login IS NULL AND jira_account IS NULL AND linear_user IS NULL AND shortcut_user IS NULL',
    );
}

export async function personBy(db: Queryable, key: keyof typeof COLUMNS, value: string): Promise<Identity | undefined> {
  const { rows } = await db.query<{
    email: string | null;
    display_name: string | null;
    slack_user: string | null;
    github_login: string | null;
    jira_account: string | null;
    linear_user: string | null;
    shortcut_user: string | null;
  }>(
    `SELECT email, display_name, slack_user, github_login, jira_account, linear_user, shortcut_user FROM people WHERE ${COLUMNS[key]} = $1`,
    [value],
  );
  const row = rows[0];
  return row
    ? {
        email: row.email,
        displayName: row.display_name,
        slack: row.slack_user,
        github: row.github_login,
        jira: row.jira_account,
        linear: row.linear_user,
        shortcut: row.shortcut_user,
      }
    : undefined;
}

/** People with no Slack user yet, least recently checked first. */
export async function peopleWithoutSlack(db: Queryable, limit: number, recheckAfterHours = 24): Promise<string[]> {
  const { rows } = await db.query<{ email: string }>(
    `SELECT email FROM people WHERE slack_user IS NULL AND email IS NOT NULL
       AND (slack_checked_at IS NULL OR slack_checked_at < now() - make_interval(hours => $2))
     ORDER BY slack_checked_at NULLS FIRST, id LIMIT $1`,
    [limit, recheckAfterHours],
  );
  return rows.map((r) => r.email);
}

export async function markSlackChecked(db: Queryable, email: string, slackUser: string | null): Promise<void> {
  await db.query(
    `UPDATE people SET slack_checked_at = now(), slack_user = COALESCE(slack_user, $2), updated_at = now()
     WHERE email = $1 AND NOT EXISTS (SELECT 1 FROM people other WHERE other.slack_user = $2 AND other.email <> $1)`,
    [email, slackUser],
  );
}

/** People with an e-mail whose Slack user was never looked up (a sync just brought them). */
export async function peopleNeverChecked(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM people WHERE slack_user IS NULL AND email IS NOT NULL AND slack_checked_at IS NULL',
  );
  return rows[0]?.n ?? 0;
}
