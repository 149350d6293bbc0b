// teams.yml: teams defined declaratively, applied to the database at start and marked as managed by the file.
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Logger } from '../observability/logger.js';
import type { Queryable } from '../store/db.js';
import { parseYaml } from '../yaml-file.js';
import { type TeamFields, teamInput } from './model.js';
import { archiveTeam, listTeams, saveTeam } from './store.js';

export const teamsFileSchema = z
  .object({ teams: z.array(teamInput.strict()).default([]) })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Map<string, number>();
    file.teams.forEach((t, i) => {
      const first = seen.get(t.key);
      if (first !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['teams', i, 'key'],
          message: `${t.key} is already the key of teams[${first}]`,
        });
      else seen.set(t.key, i);
    });
  });

/** The teams of a teams.yml; a missing file is null (teams are then managed in Slack alone). Throws file:line errors. */
export function loadTeamsFile(file: string): TeamFields[] | null {
  if (!existsSync(file)) return null;
  return parseYaml(teamsFileSchema, readFileSync(file, 'utf8'), file).teams;
}

/**
 * Makes the database say what the file says: its teams are created or updated and marked as managed by it; teams
 * it managed before and no longer lists are archived. Teams created in Slack are left alone (unless the file now
 * defines the same key: then the file takes it over). Every change is audited as made by the file.
 */
export async function applyTeamsFile(
  db: Queryable,
  file: string,
  teams: TeamFields[],
  logger?: Logger,
): Promise<{ created: number; updated: number; archived: number }> {
  const counts = { created: 0, updated: 0, archived: 0 };
  const actor = `file:${file}`;
  for (const team of teams) {
    const result = await saveTeam(db, team, { actor, managedByFile: file });
    if (result.created) counts.created += 1;
    else if (result.changed) counts.updated += 1;
  }
  const listed = new Set(teams.map((t) => t.key));
  for (const t of await listTeams(db))
    if (t.managedByFile === file && !listed.has(t.key) && (await archiveTeam(db, t.key, actor))) counts.archived += 1;
  logger?.info({ file, ...counts }, 'teams file applied');
  return counts;
}
