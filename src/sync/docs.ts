import { createHash } from 'node:crypto';
import type { Queryable } from '../store/db.js';

/** A document from a source (Confluence pages, repository Markdown) as `ask` indexes it. */
export interface NewDoc {
  source: string;
  externalId: string;
  space?: string | null;
  title: string;
  url?: string | null;
  updatedAt: Date;
  body: string;
  format: 'markdown' | 'text';
  /** The source's own version number (Confluence); without it the version counts content changes. */
  version?: number;
}

/** What `ask` re-indexes on: a change of title or text. */
export const docContentHash = (title: string, body: string) =>
  createHash('sha256').update(`${title}\n${body}`).digest('hex');

/** The one writer of source documents: adds or updates one; unchanged title and text keep its chunks. */
export async function upsertDoc(db: Queryable, doc: NewDoc): Promise<void> {
  await db.query(
    `INSERT INTO docs (source, external_id, space, title, url, version, updated_at, body_text, content_hash, format)
     VALUES ($1, $2, $3, $4, $5, coalesce($10::int, 1), $6, $7, $8, $9)
     ON CONFLICT (source, external_id) DO UPDATE SET space = EXCLUDED.space, title = EXCLUDED.title, url = EXCLUDED.url,
       version = coalesce($10::int, docs.version + (docs.content_hash <> EXCLUDED.content_hash)::int),
       updated_at = EXCLUDED.updated_at, body_text = EXCLUDED.body_text, content_hash = EXCLUDED.content_hash,
       format = EXCLUDED.format, deleted_at = NULL`,
    [
      doc.source,
      doc.externalId,
      doc.space ?? null,
      doc.title,
      doc.url ?? null,
      doc.updatedAt,
      doc.body,
      docContentHash(doc.title, doc.body),
      doc.format,
      doc.version ?? null,
    ],
  );
}

/** Marks a source's documents that are gone as deleted (their chunks are dropped at the next indexing). */
export async function markDocsDeleted(db: Queryable, source: string, externalIds: string[]): Promise<void> {
  if (!externalIds.length) return;
  await db.query('UPDATE docs SET deleted_at = now() WHERE source = $1 AND external_id = ANY($2::text[])', [
    source,
    externalIds,
  ]);
}
