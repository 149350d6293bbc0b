// okrs.yml: objectives and key results per team and quarter, applied to the database at start (like teams.yml) and
// marked as managed by the file (read-only in Slack).
import { existsSync, readFileSync } from 'node:fs';
import type { Logger } from '../observability/logger.js';
import type { Queryable } from '../store/db.js';
import { getTeam } from '../teams/store.js';
import { parseYaml } from '../yaml-file.js';
import { type OkrsFile, okrsFileSchema } from './model.js';
import { deleteFileObjectivesExcept, saveObjective } from './store.js';

/** The OKRs of an okrs.yml; a missing file is null (OKRs are then made in Slack alone). Throws file:line errors. */
export function loadOkrsFile(file: string): OkrsFile['okrs'] | null {
  if (!existsSync(file)) return null;
  return parseYaml(okrsFileSchema, readFileSync(file, 'utf8'), file).okrs;
}

/**
 * Makes the database say what the file says: its objectives are created or updated (key results keep their
 * check-ins while their titles stay), and objectives it made before and no longer lists are deleted. Objectives made
 * in Slack are left alone. A team the database does not know is warned about (its OKRs are kept for when it exists).
 */
export async function applyOkrsFile(
  db: Queryable,
  file: string,
  okrs: OkrsFile['okrs'],
  logger?: Logger,
): Promise<{ objectives: number; deleted: number }> {
  const kept: number[] = [];
  for (const entry of okrs) {
    if (!(await getTeam(db, entry.team))) logger?.warn({ file, team: entry.team }, 'okrs.yml names an unknown team');
    for (const [position, objective] of entry.objectives.entries()) {
      const { id } = await saveObjective(db, entry.team, entry.quarter, objective, {
        position,
        managedByFile: file,
        actor: `file:${file}`,
      });
      kept.push(id);
    }
  }
  const deleted = await deleteFileObjectivesExcept(db, file, kept);
  logger?.info({ file, objectives: kept.length, deleted }, 'okrs file applied');
  return { objectives: kept.length, deleted };
}
