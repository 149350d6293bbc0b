import { recordIdentity } from '../../identity/store.js';
import type { Queryable } from '../../store/db.js';
import { insertEvents } from '../../sync/store.js';
import { recordDeletion } from '../../sync/webhooks.js';
import { insertChanges, upsertWorkItem } from '../../sync/work-items-store.js';
import { fieldChanges, issueEvent, type JiraFieldIds, previousKeys, workItemRow } from './normalize.js';
import type { JiraHistory, JiraIssue, JiraSprint } from './schemas.js';

/**
 * One observed version of an issue, however it arrived (search or webhook): its event (stored once per `updated`),
 * its work item (never overwritten by an older version), its history entries (stored once by id) and its assignee.
 */
export async function storeJiraIssue(
  db: Queryable,
  host: string,
  issue: JiraIssue,
  histories: JiraHistory[],
  fields: JiraFieldIds,
  raw: unknown,
): Promise<void> {
  await insertEvents(db, [issueEvent(issue, raw)]);
  await storeJiraIssueRows(db, host, issue, histories, fields);
}

/**
 * An issue's rows (its event is written by the caller): work item, history entries, assignee. An issue moved from
 * another project had another key there: that key's work item is the same issue, and goes (its history is the moved
 * issue's too). Until 2026-12-08 it stayed, open forever, beside the moved issue under its new key.
 */
export async function storeJiraIssueRows(
  db: Queryable,
  host: string,
  issue: JiraIssue,
  histories: JiraHistory[],
  fields: JiraFieldIds,
): Promise<void> {
  for (const moved of previousKeys(issue, histories))
    await recordDeletion(db, 'jira', moved.key, moved.at, { movedTo: issue.key });
  await upsertWorkItem(db, 'jira', workItemRow(host, issue, fields));
  await insertChanges(db, 'jira', issue.key, fieldChanges(histories, fields));
  const assignee = issue.fields.assignee;
  if (assignee)
    await recordIdentity(db, {
      jira: assignee.accountId,
      email: assignee.emailAddress,
      displayName: assignee.displayName,
    });
}

/** The stored issues of these projects, with their update times (to find the ones Jira no longer has). */
export async function storedJiraIssues(db: Queryable, projects: string[]): Promise<{ key: string; updatedAt: Date }[]> {
  const { rows } = await db.query<{ key: string; updated_at: Date }>(
    "SELECT key, updated_at FROM work_items WHERE source = 'jira' AND project = ANY($1::text[])",
    [projects],
  );
  return rows.map((r) => ({ key: r.key, updatedAt: new Date(r.updated_at) }));
}

export async function upsertSprint(db: Queryable, board: string, sprint: JiraSprint): Promise<void> {
  await db.query(
    `INSERT INTO sprints (source, id, board, name, state, start_at, end_at, completed_at, goal)
     VALUES ('jira', $1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (source, id) DO UPDATE SET name = EXCLUDED.name, state = EXCLUDED.state, start_at = EXCLUDED.start_at,
       end_at = EXCLUDED.end_at, completed_at = EXCLUDED.completed_at, goal = EXCLUDED.goal`,
    [
      String(sprint.id),
      board,
      sprint.name,
      sprint.state,
      sprint.startDate ?? null,
      sprint.endDate ?? null,
      sprint.completeDate ?? null,
      sprint.goal ?? null,
    ],
  );
}
