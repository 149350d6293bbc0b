import type { Logger } from '../observability/logger.js';
import type { Db, Queryable } from '../store/db.js';
import { hasVector } from '../store/migrate.js';
import { type ChunkOptions, chunkDocument, DEFAULT_CHUNKING } from './chunking.js';
import { ingestEarlierAnswers } from './earlier-answers.js';
import type { NamedEmbeddings } from './embeddings.js';
import {
  chunksWithoutEmbedding,
  docsToIndex,
  dropDeletedChunks,
  ensureVectorIndex,
  refreshTermStats,
  replaceChunks,
  storeEmbeddings,
} from './store.js';

/**
 * The bot's own history as documents: postmortem drafts (with their timelines), past standups, and answers people
 * marked helpful. Each keeps who may see it: a private incident room's or standup channel's members.
 */
export async function ingestOwnHistory(db: Queryable): Promise<void> {
  await db.query(
    `INSERT INTO docs (source, external_id, space, title, url, version, updated_at, body_text, content_hash, format,
                       visible_in)
     SELECT 'postmortem', r.incident_id, r.service, 'Postmortem INC-' || r.number || ': ' || i.title, NULL, 1,
            coalesce(i.resolved_at, i.updated_at), r.postmortem, md5(r.postmortem), 'markdown', r.visible_in
       FROM incident_rooms r JOIN incidents i ON i.source = r.source AND i.external_id = r.incident_id
      WHERE r.postmortem IS NOT NULL
     ON CONFLICT (source, external_id) DO UPDATE SET title = EXCLUDED.title, updated_at = EXCLUDED.updated_at,
       body_text = EXCLUDED.body_text, content_hash = EXCLUDED.content_hash, visible_in = EXCLUDED.visible_in
     WHERE docs.content_hash <> EXCLUDED.content_hash OR docs.visible_in IS DISTINCT FROM EXCLUDED.visible_in`,
  );
  await db.query(
    `INSERT INTO docs (source, external_id, space, title, url, version, updated_at, body_text, content_hash, format,
                       visible_in)
     SELECT 'standup', s.team || ':' || s.posted_at::date, s.team, 'Standup ' || s.team || ' ' || s.posted_at::date, NULL, 1,
            max(s.posted_at), string_agg(s.person || ': ' || s.summary, E'\\n' ORDER BY s.person),
            md5(string_agg(s.person || ': ' || s.summary, E'\\n' ORDER BY s.person)), 'text', max(s.visible_in)
       FROM standup_entries s
       -- Days that may still change, and days not yet documents: the rest is already indexed as it is.
      WHERE s.posted_at >= current_date - 1
         OR NOT EXISTS (SELECT 1 FROM docs d WHERE d.source = 'standup' AND d.external_id = s.team || ':' || s.posted_at::date)
      GROUP BY s.team, s.posted_at::date
     ON CONFLICT (source, external_id) DO UPDATE SET updated_at = EXCLUDED.updated_at, body_text = EXCLUDED.body_text,
       content_hash = EXCLUDED.content_hash, visible_in = EXCLUDED.visible_in
     WHERE docs.content_hash <> EXCLUDED.content_hash OR docs.visible_in IS DISTINCT FROM EXCLUDED.visible_in`,
  );
  await ingestEarlierAnswers(db);
}

export interface IndexResult {
  docs: number;
  chunks: number;
  embedded: number;
  dropped: number;
}

/** Chunks what changed, drops what was deleted, and embeds chunks that have no vector for the model yet. */
export async function indexDocuments(
  db: Db,
  options: {
    chunking?: ChunkOptions;
    embeddings?: () => Promise<NamedEmbeddings>;
    logger?: Logger;
    batch?: number;
  } = {},
): Promise<IndexResult> {
  const result: IndexResult = { docs: 0, chunks: 0, embedded: 0, dropped: await dropDeletedChunks(db) };
  for (;;) {
    const docs = await docsToIndex(db, options.batch ?? 200);
    if (!docs.length) break;
    for (const doc of docs) {
      const chunks = await chunkDocument(doc, options.chunking ?? DEFAULT_CHUNKING);
      await replaceChunks(db, doc, chunks);
      result.docs += 1;
      result.chunks += chunks.length;
    }
  }
  if (result.docs || result.dropped) await refreshTermStats(db);
  if (options.embeddings && (await hasVector(db))) {
    const { model, dims, embeddings } = await options.embeddings();
    await ensureVectorIndex(db, dims);
    for (;;) {
      const pending = await chunksWithoutEmbedding(db, model, 256);
      if (!pending.length) break;
      const vectors = await embeddings.embedDocuments(pending.map((p) => p.text));
      await storeEmbeddings(
        db,
        model,
        dims,
        pending.map((p, i) => ({ id: p.id, embedding: vectors[i] ?? [] })),
      );
      result.embedded += pending.length;
    }
  }
  if (result.docs || result.dropped) options.logger?.info(result, 'ask index updated');
  return result;
}
