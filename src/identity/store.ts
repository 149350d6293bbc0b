import type { Queryable } from '../store/db.js';

export interface Identity {
  email?: string | null;
  displayName?: string | null;
  slack?: string | null;
  github?: string | null;
  jira?: string | null;
  linear?: string | null;
}

const COLUMNS = { slack: 'slack_user', github: 'github_login', jira: 'jira_account', linear: 'linear_user' } as const;

/** Addresses that identify nobody in particular: bots and GitHub's private no-reply addresses. */
export function usableEmail(email: string | null | undefined): string | undefined {
  const value = email?.trim().toLowerCase();
  if (!value || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) return undefined;
  if (value.endsWith('@users.noreply.github.com') || value.startsWith('noreply@') || value.includes('[bot]'))
    return undefined;
  return value;
}

/**
 * Records what a source says about a person. Discovered identities fill empty slots of the person with
 * the same e-mail; they never overwrite a manual override, nor move an id that belongs to someone else.
 */
export async function recordIdentity(db: Queryable, identity: Identity, manual = false): Promise<void> {
  const email = usableEmail(identity.email);
  // Bots (renovate[bot], dependabot[bot]) are nobody to mention or DM.
  if (!email || identity.github?.endsWith('[bot]')) return;
  const ids = Object.entries(COLUMNS).flatMap(([key, column]) => {
    const value = identity[key as keyof typeof COLUMNS];
    return value ? [{ column, value }] : [];
  });
  await db.query(
    `INSERT INTO people (email, display_name, manual) VALUES ($1, $2, $3)
     ON CONFLICT (email) DO UPDATE SET display_name = COALESCE(people.display_name, EXCLUDED.display_name),
       manual = people.manual OR EXCLUDED.manual, updated_at = now()`,
    [email, identity.displayName ?? null, manual],
  );
  for (const { column, value } of ids) {
    // Taken by another person: a manual override moves it, a discovery does not.
    if (manual)
      await db.query(`UPDATE people SET ${column} = NULL WHERE ${column} = $1 AND email <> $2`, [value, email]);
    await db.query(
      `UPDATE people SET ${column} = $1, updated_at = now()
       WHERE email = $2 AND (${manual ? 'true' : `${column} IS NULL AND NOT manual`})
         AND NOT EXISTS (SELECT 1 FROM people other WHERE other.${column} = $1 AND other.email <> $2)`,
      [value, email],
    );
  }
}

export async function personBy(db: Queryable, key: keyof typeof COLUMNS, value: string): Promise<Identity | undefined> {
  const { rows } = await db.query<{
    email: string;
    display_name: string | null;
    slack_user: string | null;
    github_login: string | null;
    jira_account: string | null;
    linear_user: string | null;
  }>(
    `SELECT email, display_name, slack_user, github_login, jira_account, linear_user FROM people WHERE ${COLUMNS[key]} = $1`,
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
