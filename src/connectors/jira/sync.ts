import { IngestRun } from '../../sync/ingest.js';
import { getCursor } from '../../sync/store.js';
import { withAtlassianRetry } from '../atlassian/retry.js';
import { IssuePass, type JiraSyncOptions } from './issue-pass.js';
import { jiraSprintSchema } from './schemas.js';
import { upsertSprint } from './store.js';

export type { JiraSyncOptions };

interface JiraCursor {
  /** updated time of the newest issue stored. */
  since?: string;
}

/** Issues of the projects updated since the cursor (oldest first, with their whole history), then boards' sprints. */
export async function syncJira(
  options: JiraSyncOptions,
): Promise<{ issues: number; sprints: number; rejected: number; lastSkip: string | null }> {
  const { db, logger } = options;
  const run = new IngestRun(db, logger, {}, options);
  const scope = options.projects.join(',');
  const cursor = (await getCursor<JiraCursor>(db, 'jira', scope)) ?? {};
  await new IssuePass(options, run, scope, cursor.since).read();
  const issues = run.stored;
  const sprints = await syncSprints(options, run);
  return { issues, sprints, ...run.tally() };
}

/** The sprints of each configured board. */
async function syncSprints(options: JiraSyncOptions, run: IngestRun): Promise<number> {
  let sprints = 0;
  for (const board of options.boards) {
    for (let startAt = 0; ; ) {
      run.stopIfStopping();
      const page = await withAtlassianRetry(
        () => options.clients.agile.board.getAllSprints({ boardId: board, startAt, maxResults: 50 }),
        options.logger,
        { signal: options.signal },
      );
      for (const { value } of run.valid(jiraSprintSchema, page.values ?? [], sprintId, 'Jira sprint')) {
        await upsertSprint(options.db, String(board), value);
        sprints += 1;
      }
      if (page.isLast || !(page.values ?? []).length) break;
      startAt += (page.values ?? []).length;
    }
  }
  return sprints;
}

const sprintId = (raw: unknown) => `sprint ${(raw as { id?: unknown }).id}`;
