import type { ConfluenceClient } from 'confluence.js';
import { currentDocVersions, markDocsDeleted, upsertDoc } from '../../ask/docs-store.js';
import type { Logger } from '../../observability/logger.js';
import type { Db } from '../../store/db.js';
import { IngestRun, type SyncPace } from '../../sync/ingest.js';
import { withAtlassianRetry } from '../atlassian/retry.js';
import { docRow, pageDoc, pageEvent } from './normalize.js';
import { pageSchema, pageSummarySchema } from './schemas.js';

export { createConfluenceClient } from './client.js';

export interface ConfluenceSyncOptions extends SyncPace {
  db: Db;
  logger: Logger;
  client: ConfluenceClient;
  host: string;
  space: string;
}

const PAGE = 100;

/**
 * Lists the space's current pages with their versions (no bodies), fetches the body only of pages that are
 * new or have a new version, and marks pages that disappeared as deleted.
 */
export async function syncConfluenceSpace(
  options: ConfluenceSyncOptions,
): Promise<{ fetched: number; deleted: number; rejected: number; lastSkip: string | null }> {
  const { db, logger, client, space } = options;
  // As for Jira and Linear: a record that breaks the documented shape is counted and named (id and field) for
  // /em sources and /ready, and the rest of the space is stored.
  const run = new IngestRun(db, logger, { space }, options);
  const known = await currentDocVersions(db, 'confluence', space);
  const seen = new Set<string>();
  const changed: string[] = [];
  for (let start = 0; ; start += PAGE) {
    const listing = await withAtlassianRetry(
      () =>
        client.content.getContent({
          spaceKey: space,
          type: 'page',
          status: ['current'],
          start,
          limit: PAGE,
          expand: ['version'],
        }),
      logger,
      { signal: options.signal },
    );
    const results = (listing.results ?? []) as unknown[];
    for (const { value } of run.valid(pageSummarySchema, results, idOf, 'Confluence page')) {
      seen.add(value.id);
      if (known.get(value.id)?.version !== value.version.number) changed.push(value.id);
    }
    if (results.length < PAGE) break;
  }

  for (const id of changed) {
    run.stopIfStopping();
    const raw = await withAtlassianRetry(
      () => client.content.getContentById({ id, expand: ['body.storage', 'version'] }),
      logger,
      { signal: options.signal },
    );
    const page = run.parse(pageSchema, raw, id, 'Confluence page body');
    if (!page) continue;
    const row = docRow(options.host, space, page);
    if (!(await run.store(id, 'Confluence page', [pageEvent(space, page, row)], (tx) => upsertDoc(tx, pageDoc(row)))))
      continue;
    run.stored += 1;
    if (run.stored % 50 === 0) await run.heartbeat();
  }

  const gone = [...known.keys()].filter((id) => !seen.has(id));
  await markDocsDeleted(db, 'confluence', gone);
  return { fetched: run.stored, deleted: gone.length, ...run.tally() };
}

const idOf = (raw: unknown) => (raw as { id?: unknown }).id;
