// Which team a report is about: the one named (key or name, fuzzy), else the viewer's only team, else the org.
import { z } from 'zod';
import type { Queryable } from '../store/db.js';
import { ORG_WORDS } from './model.js';
import { findTeam, resolveScope, type TeamScope, teamsOf } from './store.js';

/** A team name or key that names no team (or several): its message is for the person who typed it. */
export class TeamChoiceError extends Error {
  /** For the HTTP doors: no such team is 404, a name that fits several is 400. */
  constructor(
    message: string,
    readonly statusCode: 400 | 404 = 400,
  ) {
    super(message);
    this.name = 'TeamChoiceError';
  }
}

/** The optional `team` input every scoped tool takes. */
export const teamArgument = z
  .string()
  .trim()
  .min(1)
  .max(80)
  .optional()
  .describe('A team key or name (fuzzy-matched), or "org"; default: the person\'s team when they have exactly one.');

/** The team a report is shown for, in every tool's output; null = the whole org. */
export const teamOutput = z.object({ key: z.string(), name: z.string() }).nullable();

/** The scope a report is for; null means the whole org. Throws TeamChoiceError for a name no team matches. */
export async function scopeFor(db: Queryable, person: string, team?: string): Promise<TeamScope | null> {
  if (team === undefined || team === '') {
    const mine = await teamsOf(db, person);
    return mine.length === 1 ? resolveScope(db, mine[0] as NonNullable<(typeof mine)[0]>) : null;
  }
  if (ORG_WORDS.has(team.trim().toLowerCase())) return null;
  const match = await findTeam(db, team);
  switch (match.kind) {
    case 'org':
      return null;
    case 'team':
      return resolveScope(db, match.team);
    case 'ambiguous':
      throw new TeamChoiceError(
        `"${match.text}" could be ${match.teams.map((t) => `${t.name} (\`${t.key}\`)`).join(' or ')}; say which.`,
      );
    case 'none':
      throw new TeamChoiceError(
        match.suggestion
          ? `No team is called "${match.text}". Did you mean ${match.suggestion.name} (\`${match.suggestion.key}\`)?`
          : `No team is called "${match.text}". \`/em team list\` shows the teams.`,
        404,
      );
  }
}

export const teamRef = (scope: TeamScope | null) => (scope ? { key: scope.team.key, name: scope.team.name } : null);
