import type { Logger } from '../observability/logger.js';
import type { Db, Queryable } from '../store/db.js';
import { hasVector } from '../store/migrate.js';
import { type ChunkOptions, chunkDocument, DEFAULT_CHUNKING } from './chunking.js';
import { ingestOwnHistoryDocs } from './docs-store.js';
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
  await ingestOwnHistoryDocs(db);
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
