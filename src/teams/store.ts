// Teams' SQL: the one source of truth, edited from Slack and from teams.yml; every change is audited.
import { audit } from '../approvals/store.js';
import type { PersonRef } from '../signals/finding.js';
import type { Queryable } from '../store/db.js';
import { matchTeam, projectOfKey, repoBelongs, type Team, type TeamFields, type TeamMatch } from './model.js';

type TeamRow = {
  key: string;
  name: string;
  members: string[];
  managers: string[];
  channel: string | null;
  repos: string[];
  jira_projects: string[];
  jira_boards: string[];
  linear_teams: string[];
  oncall_group: string | null;
  timezone: string;
  work_days: number[];
  managed_by_file: string | null;
  archived_at: Date | null;
};

const toTeam = (r: TeamRow): Team => ({
  key: r.key,
  name: r.name,
  members: r.members,
  managers: r.managers,
  channel: r.channel,
  repos: r.repos,
  jiraProjects: r.jira_projects,
  jiraBoards: r.jira_boards,
  linearTeams: r.linear_teams,
  oncallGroup: r.oncall_group,
  timezone: r.timezone,
  workDays: r.work_days.map(Number),
  managedByFile: r.managed_by_file,
  archivedAt: r.archived_at,
});

/** Active teams (and archived ones with `archived`), by name. */
export async function listTeams(db: Queryable, options: { archived?: boolean } = {}): Promise<Team[]> {
  const { rows } = await db.query<TeamRow>(
    `SELECT * FROM teams WHERE $1::boolean OR archived_at IS NULL ORDER BY lower(name), key`,
    [options.archived ?? false],
  );
  return rows.map(toTeam);
}

export async function getTeam(db: Queryable, key: string): Promise<Team | undefined> {
  const { rows } = await db.query<TeamRow>('SELECT * FROM teams WHERE key = $1', [key]);
  return rows[0] ? toTeam(rows[0]) : undefined;
}

/** The active teams a Slack user is a member or manager of. */
export async function teamsOf(db: Queryable, slackUser: string): Promise<Team[]> {
  const { rows } = await db.query<TeamRow>(
    `SELECT * FROM teams WHERE archived_at IS NULL AND ($1 = ANY(members) OR $1 = ANY(managers))
      ORDER BY lower(name), key`,
    [slackUser],
  );
  return rows.map(toTeam);
}

/** The team a typed word names (key or name, fuzzy), among the active teams. */
export async function findTeam(db: Queryable, text: string): Promise<TeamMatch> {
  return matchTeam(await listTeams(db), text);
}

/**
 * Creates or replaces a team. `managedByFile` marks teams.yml's teams; a change is audited with who made it and
 * the fields before and after. Returns whether anything changed.
 */
export async function saveTeam(
  db: Queryable,
  fields: TeamFields,
  by: { actor: string; managedByFile?: string | null },
): Promise<{ created: boolean; changed: boolean }> {
  const before = await getTeam(db, fields.key);
  const values = [
    fields.key,
    fields.name,
    fields.members,
    fields.managers,
    fields.channel,
    fields.repos,
    fields.jira_projects,
    fields.jira_boards,
    fields.linear_teams,
    fields.oncall_group,
    fields.timezone,
    fields.work_days,
    by.managedByFile ?? null,
  ];
  const { rows } = await db.query<{ key: string }>(
    `INSERT INTO teams (key, name, members, managers, channel, repos, jira_projects, jira_boards, linear_teams,
                        oncall_group, timezone, work_days, managed_by_file)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (key) DO UPDATE SET name = EXCLUDED.name, members = EXCLUDED.members, managers = EXCLUDED.managers,
       channel = EXCLUDED.channel, repos = EXCLUDED.repos, jira_projects = EXCLUDED.jira_projects,
       jira_boards = EXCLUDED.jira_boards, linear_teams = EXCLUDED.linear_teams, oncall_group = EXCLUDED.oncall_group,
       timezone = EXCLUDED.timezone, work_days = EXCLUDED.work_days, managed_by_file = EXCLUDED.managed_by_file,
       archived_at = NULL, updated_at = now()
     WHERE (teams.name, teams.members, teams.managers, teams.channel, teams.repos, teams.jira_projects,
            teams.jira_boards, teams.linear_teams, teams.oncall_group, teams.timezone, teams.work_days,
            teams.managed_by_file, teams.archived_at)
       IS DISTINCT FROM
           (EXCLUDED.name, EXCLUDED.members, EXCLUDED.managers, EXCLUDED.channel, EXCLUDED.repos,
            EXCLUDED.jira_projects, EXCLUDED.jira_boards, EXCLUDED.linear_teams, EXCLUDED.oncall_group,
            EXCLUDED.timezone, EXCLUDED.work_days, EXCLUDED.managed_by_file, NULL::timestamptz)
     RETURNING key`,
    values,
  );
  const changed = rows.length === 1;
  if (changed)
    await audit(db, {
      actor: by.actor,
      event: before ? (before.archivedAt ? 'team.restored' : 'team.updated') : 'team.created',
      action: 'team',
      detail: { key: fields.key, before: before ?? null, after: fields, file: by.managedByFile ?? null },
    });
  return { created: !before, changed };
}

/** Archives a team (its reports and history stay); audited. False when it was not active. */
export async function archiveTeam(db: Queryable, key: string, actor: string): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE teams SET archived_at = now(), updated_at = now() WHERE key = $1 AND archived_at IS NULL',
    [key],
  );
  if (rowCount) await audit(db, { actor, event: 'team.archived', action: 'team', detail: { key } });
  return rowCount === 1;
}

/** The team a person last picked on Home: a key, '' for the org, undefined when they never picked. */
export async function rememberedChoice(db: Queryable, slackUser: string): Promise<string | undefined> {
  const { rows } = await db.query<{ team_key: string }>('SELECT team_key FROM team_choices WHERE slack_user = $1', [
    slackUser,
  ]);
  return rows[0]?.team_key;
}

export async function rememberChoice(db: Queryable, slackUser: string, teamKey: string): Promise<void> {
  await db.query(
    `INSERT INTO team_choices (slack_user, team_key) VALUES ($1, $2)
     ON CONFLICT (slack_user) DO UPDATE SET team_key = EXCLUDED.team_key, updated_at = now()`,
    [slackUser, teamKey],
  );
}

/** A team's Slack members with the accounts the people map links them to. */
export async function memberAccounts(
  db: Queryable,
  team: Pick<Team, 'members'>,
): Promise<{ slack: string; github: string | null; jira: string | null; linear: string | null }[]> {
  const { rows } = await db.query<{
    slack_user: string;
    github_login: string | null;
    jira_account: string | null;
    linear_user: string | null;
  }>('SELECT slack_user, github_login, jira_account, linear_user FROM people WHERE slack_user = ANY($1::text[])', [
    team.members,
  ]);
  return team.members.map((slack) => {
    const p = rows.find((r) => r.slack_user === slack);
    return { slack, github: p?.github_login ?? null, jira: p?.jira_account ?? null, linear: p?.linear_user ?? null };
  });
}

/** What a team covers, resolved against the synced data: the exact repositories its globs name today, and more. */
export interface TeamScope {
  team: Team;
  repos: string[];
  projects: string[];
  /** Sprint boards: Jira board ids and Linear team keys (sprints.board). */
  boards: string[];
  /** Accounts of the members, per source. */
  accounts: { github: string[]; jira: string[]; linear: string[]; slack: string[] };
}

export async function resolveScope(db: Queryable, team: Team): Promise<TeamScope> {
  // Globs are matched against the repositories synced so far (read only when the team has a glob).
  const { rows } = team.repos.some((r) => r.includes('*'))
    ? await db.query<{ repo: string }>(
        `SELECT DISTINCT repo FROM (
           SELECT repo FROM pull_requests UNION SELECT repo FROM deployments UNION SELECT repo FROM ci_runs
         ) r ORDER BY repo`,
      )
    : { rows: [] as { repo: string }[] };
  const exact = team.repos.filter((r) => !r.includes('*'));
  const repos = [...new Set([...exact, ...rows.map((r) => r.repo).filter((repo) => repoBelongs(team, repo))])].sort();
  const members = await memberAccounts(db, team);
  const pick = (source: 'github' | 'jira' | 'linear') =>
    members.map((m) => m[source]).filter((v): v is string => Boolean(v));
  return {
    team,
    repos,
    // Linear ticket keys start with the team key, as Jira's start with the project key.
    projects: [...team.jiraProjects, ...team.linearTeams],
    boards: [...team.jiraBoards, ...team.linearTeams],
    accounts: { github: pick('github'), jira: pick('jira'), linear: pick('linear'), slack: team.members },
  };
}

/** Whether a signal's target (repository, ticket, people) falls in a team's scope. */
export function targetInScope(
  scope: TeamScope,
  target: {
    repo?: string;
    ticket?: { source: string; key: string };
    author?: { source: string; id: string };
    reviewer?: { source: string; id: string };
    assignee?: { source: string; id: string };
  },
): boolean {
  if (target.repo && repoBelongs(scope.team, target.repo)) return true;
  if (target.ticket) {
    const project = projectOfKey(target.ticket.key);
    if (scope.projects.includes(project)) return true;
  }
  for (const person of [target.author, target.reviewer, target.assignee]) {
    if (!person) continue;
    const list = scope.accounts[person.source as 'github' | 'jira' | 'linear'] ?? [];
    if (list.includes(person.id)) return true;
  }
  return false;
}

/**
 * The teams a subject belongs to (a repository, a ticket's project, a person by Slack id or source account), with
 * who to tell: managers and channel. For routing team-level signals and notifications ("the team's manager or
 * channel"); an empty list means no team claims it, so the org-wide default applies.
 */
export async function teamsForSubject(
  db: Queryable,
  subject: {
    repo?: string;
    project?: string;
    /** An incident's affected service: a repository, a repository's name without its owner, or a team key. */
    service?: string;
    person?: { slack: string } | PersonRef;
  },
  /** The active teams, when the caller has read them already (routing many subjects in a row). */
  activeTeams?: Team[],
): Promise<
  {
    key: string;
    name: string;
    managers: string[];
    members: string[];
    channel: string | null;
    oncallGroup: string | null;
  }[]
> {
  const teams = activeTeams ?? (await listTeams(db));
  let slack: string | undefined;
  if (subject.person && 'slack' in subject.person) slack = subject.person.slack;
  else if (subject.person) {
    const column = {
      github: 'github_login',
      jira: 'jira_account',
      linear: 'linear_user',
      shortcut: 'shortcut_user',
    }[subject.person.source];
    const { rows } = await db.query<{ slack_user: string | null }>(
      `SELECT slack_user FROM people WHERE ${column} = $1`,
      [subject.person.id],
    );
    slack = rows[0]?.slack_user ?? undefined;
  }
  return teamsClaiming(teams, { ...subject, slack }).map((t) => ({
    key: t.key,
    name: t.name,
    managers: t.managers,
    members: t.members,
    channel: t.channel,
    oncallGroup: t.oncallGroup,
  }));
}

/** The teams owning a repository, a ticket's project or a service, or having a Slack user as member or manager. */
function teamsClaiming(
  teams: Team[],
  subject: { repo?: string; project?: string; service?: string; slack?: string },
): Team[] {
  const { repo, project, service, slack } = subject;
  return teams.filter(
    (t) =>
      (repo && repoBelongs(t, repo)) ||
      (project && (t.jiraProjects.includes(project) || t.linearTeams.includes(project))) ||
      (slack && (t.members.includes(slack) || t.managers.includes(slack))) ||
      (service && serviceBelongs(t, service)),
  );
}

/** Whether an affected service names the team or one of its repositories (with or without the owner). */
export function serviceBelongs(team: Team, service: string): boolean {
  const name = service.trim().toLowerCase();
  if (!name) return false;
  if (team.key === name || repoBelongs(team, name)) return true;
  return team.repos.some((pattern) => repoBelongs({ repos: [pattern.split('/').pop() ?? ''] }, name));
}

/** The channels of the active `teams` owning a signal's repository or ticket (for routing its default action). */
export function teamChannelsFor(
  teams: Team[],
  target: { repo?: string; ticket?: { source: string; key: string } },
): string[] {
  if (!target.repo && !target.ticket) return [];
  return teamsClaiming(teams, {
    repo: target.repo,
    project: target.ticket ? projectOfKey(target.ticket.key) : undefined,
  }).flatMap((t) => (t.channel ? [t.channel] : []));
}
