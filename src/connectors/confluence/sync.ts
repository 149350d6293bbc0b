import { currentDocVersions, markDocsDeleted, upsertDoc } from '../../ask/docs-store.js';
import type { Logger } from '../../observability/logger.js';
import type { Db } from '../../store/db.js';
import { IngestRun, type SyncPace } from '../../sync/ingest.js';
import { statusOf, withAtlassianRetry } from '../atlassian/retry.js';
import type { ConfluenceClient } from './client.js';
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

/** A listing page of `GET /rest/api/content`. */
interface Listing {
  results?: unknown[];
  _links?: { next?: string; base?: string };
}

/**
 * Lists the space's current pages with their versions (no bodies), fetches the body only of pages that are
 * new or have a new version, and marks pages that disappeared as deleted.
 *
 * The listing follows `_links.next` to its end: Confluence may answer fewer results than the limit asked (it caps the
 * limit depending on what is expanded, and leaves out pages the account may not see), so a short page is not the last
 * one. Until 2026-12-08 a short page ended the listing, and every known page after it was marked deleted.
 */
export async function syncConfluenceSpace(
  options: ConfluenceSyncOptions,
): Promise<{ fetched: number; deleted: number; rejected: number; lastSkip: string | null }> {
  const { db, logger, client, space, signal } = options;
  // As for Jira and Linear: a record that breaks the documented shape is counted and named (id and field) for
  // /em sources and /ready, and the rest of the space is stored.
  const run = new IngestRun(db, logger, { space }, options);
  const known = await currentDocVersions(db, 'confluence', space);
  const seen = new Set<string>();
  const changed: string[] = [];
  const query = new URLSearchParams({
    spaceKey: space,
    type: 'page',
    status: 'current',
    limit: String(PAGE),
    expand: 'version',
  });
  const visited = new Set<string>();
  for (let next: string | undefined = `/rest/api/content?${query}`; next; ) {
    run.stopIfStopping();
    const path: string = next;
    // A next link that comes back (a known Confluence fault) would list forever: the run fails, nothing is marked.
    if (visited.has(path)) throw new Error('Confluence listed the same page twice; the listing is left unfinished');
    visited.add(path);
    const listing = await withAtlassianRetry(() => client.get<Listing>(path, signal), logger, { signal });
    const results = listing.results ?? [];
    for (const raw of results) {
      const page = run.parse(pageSummarySchema, raw, idOf(raw), 'Confluence page');
      // A page listed with a malformed version is still there: it is not marked deleted.
      const id = page?.id ?? idOf(raw);
      if (typeof id === 'string' && id) seen.add(id);
      if (page && known.get(page.id)?.version !== page.version.number) changed.push(page.id);
    }
    next = listing._links?.next || undefined;
  }

  for (const id of changed) {
    run.stopIfStopping();
    const raw = await withAtlassianRetry(
      () => client.get<unknown>(`/rest/api/content/${encodeURIComponent(id)}?expand=body.storage,version`, signal),
      logger,
      { signal },
    ).catch((err: unknown) => {
      // Deleted (or restricted) since it was listed: gone, as the next listing will say.
      if (statusOf(err) === 404) return undefined;
      throw err;
    });
    if (raw === undefined) {
      seen.delete(id);
      continue;
    }
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
