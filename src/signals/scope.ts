import type { Queryable } from '../store/db.js';
import type { Team } from '../teams/model.js';
import { listTeams, resolveScope } from '../teams/store.js';
import type { Rule, RuleKind } from './rules.js';

/**
 * A scope list that matches nothing: what a team with no repositories (or no projects) leaves. An empty list would
 * mean the whole org to the loaders. No repository, project key or board is written with parentheses.
 */
export const NOTHING = '(none)';

/** Kinds that read tickets only: there a `scope.teams` entry no team has is a Linear team or project key, as always. */
const TICKET_ONLY: ReadonlySet<RuleKind> = new Set(['unassigned_urgent', 'aging_blocked', 'sprint_scope_creep']);

const unique = (list: string[]) => [...new Set(list)];

/**
 * The rule with `scope.teams` resolved to what the teams cover: their repositories (globs matched against the synced
 * ones), Jira projects and Linear teams (for sprint scope creep, their boards), added to the rule's own `repos` and
 * `projects`. A team with none of them leaves a scope that matches nothing, never the whole org. A name no active
 * team has is an error for a kind that reads repositories (the rule would otherwise run for every repository of the
 * org: a comment or DM on each); for kinds that read tickets only, it is a project or Linear team key, as before teams.
 */
export async function ruleInTeamScope(db: Queryable, rule: Rule, activeTeams?: Team[]): Promise<Rule> {
  const names = rule.scope.teams;
  if (!names?.length) return rule;
  const teams = activeTeams ?? (await listTeams(db));
  const found: Team[] = [];
  const unknown: string[] = [];
  for (const name of names) {
    const wanted = name.trim().toLowerCase();
    const team = teams.find((t) => t.key === wanted || t.name.toLowerCase() === wanted);
    if (team) found.push(team);
    else unknown.push(name);
  }
  const ticketsOnly = TICKET_ONLY.has(rule.kind);
  if (unknown.length && !ticketsOnly)
    throw new Error(
      `scope.teams: no team is called ${unknown.join(', ')} (${
        teams.length ? `teams: ${teams.map((t) => t.key).join(', ')}` : 'there are no teams'
      }); the rule does not run rather than run for the whole org`,
    );
  const scopes = await Promise.all(found.map((team) => resolveScope(db, team)));
  const repos = unique([...(rule.scope.repos ?? []), ...scopes.flatMap((s) => s.repos)]);
  const projects = unique([
    ...(rule.scope.projects ?? []),
    ...unknown,
    ...scopes.flatMap((s) => (rule.kind === 'sprint_scope_creep' ? s.boards : s.projects)),
  ]);
  return {
    ...rule,
    scope: { repos: repos.length ? repos : [NOTHING], projects: projects.length ? projects : [NOTHING] },
  } as Rule;
}
