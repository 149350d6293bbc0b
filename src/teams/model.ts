// Teams as data, and the pure rules about them: which repository a team's globs name, and which team a typed word means.
import { closest, distance } from 'fastest-levenshtein';
import { z } from 'zod';

export interface Team {
  key: string;
  name: string;
  /** Slack user ids. */
  members: string[];
  /** Slack user ids; they may edit their own team in Slack. */
  managers: string[];
  /** A channel id (C…) or #name, where team-level signals and scheduled reports go. */
  channel: string | null;
  /** Repository names or globs such as `acme/pay-*`. */
  repos: string[];
  jiraProjects: string[];
  jiraBoards: string[];
  linearTeams: string[];
  /** A Slack user-group handle (`@payments-oncall`) or id, paged for the team's incidents. */
  oncallGroup: string | null;
  timezone: string;
  /** ISO weekdays (1 = Monday) the team works. */
  workDays: number[];
  /** The teams.yml that defines it (read-only in Slack), or null when it is managed in Slack. */
  managedByFile: string | null;
  archivedAt: Date | null;
}

export const TEAM_KEY = /^[a-z0-9][a-z0-9_-]{0,39}$/;

/** Words that mean the whole org wherever a team is named (`/em dora 30d org`): no team may have one as its key. */
export const ORG_WORDS = new Set(['org', 'all', 'everyone', 'company']);

/** What a person may give for a team, from any door (modal, teams.yml, a tool). */
export const teamInput = z.object({
  key: z
    .string()
    .regex(TEAM_KEY, {
      error: 'must be lower-case letters, digits, - or _ (at most 40), e.g. payments',
    })
    .refine((key) => !ORG_WORDS.has(key), {
      error: (issue) => `${issue.input} means the whole org in every report; pick another key`,
    }),
  name: z.string().trim().min(1).max(80),
  members: z
    .array(z.string().regex(/^[UW][A-Z0-9]+$/, { error: 'must be a Slack user id such as U012AB3CD' }))
    .default([]),
  managers: z
    .array(z.string().regex(/^[UW][A-Z0-9]+$/, { error: 'must be a Slack user id such as U012AB3CD' }))
    .default([]),
  channel: z
    .string()
    .regex(/^([CG][A-Z0-9]+|#[a-z0-9_-]{1,80})$/, { error: 'must be a channel id (C…) or #name' })
    .nullable()
    .default(null),
  repos: z
    .array(z.string().regex(/^[A-Za-z0-9_.*-]+\/[A-Za-z0-9_.*-]+$/, { error: 'must look like owner/name or owner/*' }))
    .default([]),
  jira_projects: z
    .array(z.string().regex(/^[A-Z][A-Z0-9_]{0,19}$/, { error: 'must be a Jira project key' }))
    .default([]),
  jira_boards: z.array(z.union([z.number().int().positive(), z.string().regex(/^\d+$/)]).transform(String)).default([]),
  linear_teams: z.array(z.string().min(1).max(40)).default([]),
  oncall_group: z.string().min(1).max(80).nullable().default(null),
  timezone: z
    .string()
    .refine((tz) => tz === 'UTC' || Intl.supportedValuesOf('timeZone').includes(tz), {
      error: 'must be an IANA time zone such as Europe/Berlin',
    })
    .default('UTC'),
  work_days: z.array(z.number().int().min(1).max(7)).min(1).default([1, 2, 3, 4, 5]),
});
export type TeamInput = z.input<typeof teamInput>;
export type TeamFields = z.output<typeof teamInput>;

const globRegex = (pattern: string) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`, 'i');

/** Whether a repository is one of the team's (by name or glob, case-insensitively as GitHub names are). */
export function repoBelongs(team: Pick<Team, 'repos'>, repo: string): boolean {
  return team.repos.some((pattern) => globRegex(pattern).test(repo));
}

/** The project of a ticket key: `PAY-12` → `PAY`. */
export const projectOfKey = (key: string) => key.replace(/-\d+$/, '');

export type TeamMatch =
  | { kind: 'team'; team: Team }
  | { kind: 'org' }
  | { kind: 'none'; text: string; suggestion?: Team }
  | { kind: 'ambiguous'; text: string; teams: Team[] };

/**
 * The team a typed word names: its key or name exactly (case-insensitively), else the one key or name it starts
 * or is part of, else the closest by edit distance when close enough. "org" (or "all") means the whole org.
 */
export function matchTeam(teams: Team[], raw: string): TeamMatch {
  const text = raw.trim().replace(/^#/, '').toLowerCase();
  if (ORG_WORDS.has(text)) return { kind: 'org' };
  const active = teams.filter((t) => !t.archivedAt);
  const exact = active.find((t) => t.key === text || t.name.toLowerCase() === text);
  if (exact) return { kind: 'team', team: exact };
  const partial = active.filter((t) => t.key.includes(text) || t.name.toLowerCase().includes(text));
  if (partial.length === 1) return { kind: 'team', team: partial[0] as Team };
  if (partial.length > 1) return { kind: 'ambiguous', text: raw, teams: partial };
  const labels = active.flatMap((t) => [t.key, t.name.toLowerCase()]);
  if (!labels.length) return { kind: 'none', text: raw };
  const near = closest(text, labels);
  const team = active.find((t) => t.key === near || t.name.toLowerCase() === near);
  if (team && distance(text, near) <= Math.max(1, Math.floor(near.length / 3))) return { kind: 'team', team };
  return { kind: 'none', text: raw, suggestion: team };
}
