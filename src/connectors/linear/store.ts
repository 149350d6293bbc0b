import { recordIdentity } from '../../identity/store.js';
import type { Queryable } from '../../store/db.js';
import { insertEvents } from '../../sync/store.js';
import { recordDeletion } from '../../sync/webhooks.js';
import { insertChanges, upsertWorkItem } from '../../sync/work-items-store.js';
import { cycleState, historyChanges, issueEvent, linearWorkItem } from './normalize.js';
import type { HistoryEntry, LinearCycle, LinearIssueFields, LinearProject } from './schemas.js';

/**
 * One observed version of an issue, however it arrived: its event (once per `updatedAt`), its work item (never
 * overwritten by an older version), its history entries (once by id) and its assignee.
 */
export async function storeLinearIssue(
  db: Queryable,
  issue: LinearIssueFields,
  history: HistoryEntry[],
  raw: unknown,
  /** False when the payload may leave out an e-mail the API would give (webhooks): such accounts wait for polling. */
  accountsWithoutEmail = true,
): Promise<void> {
  await insertEvents(db, [issueEvent(issue, raw)]);
  await storeLinearIssueRows(db, issue, history, accountsWithoutEmail);
}

/**
 * An issue's rows (its event is written by the caller): work item, history entries, assignee. An issue moved from
 * another team had another identifier there: that work item is the same issue and goes (until 2026-12-08 it stayed,
 * open, beside the moved one).
 */
export async function storeLinearIssueRows(
  db: Queryable,
  issue: LinearIssueFields,
  history: HistoryEntry[],
  accountsWithoutEmail = true,
): Promise<void> {
  await removePreviousIdentifiers(db, issue);
  await upsertWorkItem(db, 'linear', linearWorkItem(issue));
  await insertChanges(db, 'linear', issue.identifier, historyChanges(history));
  if (issue.assignee && (accountsWithoutEmail || issue.assignee.email))
    await recordIdentity(db, {
      linear: issue.assignee.id,
      email: issue.assignee.email,
      displayName: issue.assignee.name,
    });
}

/** The work items of the identifiers an issue had before it moved to its team (`teams`: only those of these teams). */
export async function removePreviousIdentifiers(db: Queryable, issue: LinearIssueFields, teams?: Set<string>) {
  for (const previous of issue.previousIdentifiers ?? [])
    if (previous !== issue.identifier && (!teams || teams.has(previous.split('-')[0] as string)))
      await recordDeletion(db, 'linear', previous, issue.updatedAt, { movedTo: issue.identifier });
}

export async function upsertLinearCycle(db: Queryable, team: string, c: LinearCycle): Promise<void> {
  await db.query(
    `INSERT INTO sprints (source, id, board, name, state, start_at, end_at, completed_at) VALUES ('linear', $1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (source, id) DO UPDATE SET name = EXCLUDED.name, state = EXCLUDED.state, start_at = EXCLUDED.start_at,
       end_at = EXCLUDED.end_at, completed_at = EXCLUDED.completed_at`,
    [c.id, team, c.name ?? `Cycle ${c.number}`, cycleState(c), c.startsAt, c.endsAt, c.completedAt ?? null],
  );
}

export async function upsertLinearProject(db: Queryable, team: string, p: LinearProject): Promise<void> {
  await db.query(
    `INSERT INTO projects (source, id, team, name, state, lead, progress, target_date, updated_at, url)
     VALUES ('linear', $1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (source, id) DO UPDATE SET team = EXCLUDED.team, name = EXCLUDED.name, state = EXCLUDED.state,
       lead = EXCLUDED.lead, progress = EXCLUDED.progress, target_date = EXCLUDED.target_date,
       updated_at = EXCLUDED.updated_at, url = EXCLUDED.url`,
    [p.id, team, p.name, p.state, p.lead?.id ?? null, p.progress, p.targetDate ?? null, p.updatedAt, p.url],
  );
}
