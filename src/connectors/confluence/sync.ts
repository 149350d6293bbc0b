import { ConfluenceClient } from 'confluence.js';
import type { Logger } from '../../observability/logger.js';
import { sourceApiCalls } from '../../observability/metrics.js';
import type { Db } from '../../store/db.js';
import { isDataError } from '../../store/well-formed.js';
import { markDocsDeleted, upsertDoc } from '../../sync/docs.js';
import { rejectionReason } from '../../sync/rejection.js';
import { insertEvents } from '../../sync/store.js';
import { statusOf, withAtlassianRetry } from '../atlassian/retry.js';
import { docRow, pageEvent } from './normalize.js';
import { pageSchema, pageSummarySchema } from './schemas.js';

export interface ConfluenceCredentials {
  host: string;
  email: string;
  apiToken: string;
}

export function createConfluenceClient(credentials: ConfluenceCredentials): ConfluenceClient {
  return new ConfluenceClient({
    host: credentials.host,
    authentication: { basic: { email: credentials.email, apiToken: credentials.apiToken } },
    // confluence.js checks that middlewares return nothing.
    middlewares: {
      onResponse: () => {
        sourceApiCalls.inc({ source: 'confluence', status: '200' });
      },
      onError: (error: unknown) => {
        sourceApiCalls.inc({ source: 'confluence', status: String(statusOf(error) ?? 'network') });
      },
    },
  });
}

export interface ConfluenceSyncOptions {
  db: Db;
  logger: Logger;
  client: ConfluenceClient;
  host: string;
  space: string;
  heartbeat?: () => Promise<void>;
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
  const known = new Map(
    (
      await db.query<{ external_id: string; version: number }>(
        "SELECT external_id, version FROM docs WHERE source = 'confluence' AND space = $1 AND deleted_at IS NULL",
        [space],
      )
    ).rows.map((r) => [r.external_id, r.version]),
  );
  const seen = new Set<string>();
  const changed: string[] = [];
  let rejected = 0;
  let lastSkip: string | null = null;
  // As for Jira and Linear: a record that breaks the documented shape is counted and named (id and field) for
  // /em sources and /ready, and the rest of the space is stored.
  const skip = (reason: string, what: string) => {
    rejected += 1;
    lastSkip = reason;
    logger.warn({ space, reason }, what);
  };
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
    );
    const results = (listing.results ?? []) as unknown[];
    for (const raw of results) {
      const parsed = pageSummarySchema.safeParse(raw);
      if (!parsed.success) {
        skip(rejectionReason((raw as { id?: unknown }).id, parsed.error), 'malformed Confluence page skipped');
        continue;
      }
      seen.add(parsed.data.id);
      if (known.get(parsed.data.id) !== parsed.data.version.number) changed.push(parsed.data.id);
    }
    if (results.length < PAGE) break;
  }

  let fetched = 0;
  for (const id of changed) {
    const raw = await withAtlassianRetry(
      () => client.content.getContentById({ id, expand: ['body.storage', 'version'] }),
      logger,
    );
    const page = pageSchema.safeParse(raw);
    if (!page.success) {
      skip(rejectionReason(id, page.error), 'malformed Confluence page body skipped');
      continue;
    }
    const row = docRow(options.host, space, page.data);
    const stored = await db
      .transaction(async (tx) => {
        await insertEvents(tx, [pageEvent(space, page.data, row)]);
        await upsertDoc(tx, {
          source: 'confluence',
          externalId: row.externalId,
          space: row.space,
          title: row.title,
          url: row.url,
          version: row.version,
          updatedAt: new Date(row.updatedAt),
          body: row.bodyText,
          format: 'text',
        });
      })
      .then(
        () => true,
        (err: unknown) => {
          if (!isDataError(err)) throw err;
          skip(`${id}: ${(err as Error).message}`.slice(0, 300), 'Confluence page the database cannot store skipped');
          return false;
        },
      );
    if (!stored) continue;
    fetched += 1;
    if (fetched % 50 === 0) await options.heartbeat?.();
  }

  const gone = [...known.keys()].filter((id) => !seen.has(id));
  await markDocsDeleted(db, 'confluence', gone);
  return { fetched, deleted: gone.length, rejected, lastSkip };
}
