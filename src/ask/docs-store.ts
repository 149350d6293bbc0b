import { createHash } from 'node:crypto';
import type { Queryable } from '../store/db.js';

// The one writer of the `docs` table: documents from sources (Confluence pages, repository Markdown) through
// upsertDoc, and ask's own history (postmortems, standups) through ingestOwnHistoryDocs.

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
  /** The source's own identity of this content (a Git blob sha): unchanged, the document need not be read again. */
  sourceVersion?: string;
}

/** What `ask` re-indexes on: a change of title or text. */
export const docContentHash = (title: string, body: string) =>
  createHash('sha256').update(`${title}\n${body}`).digest('hex');

/** Adds or updates one document; unchanged title and text keep its chunks. */
export async function upsertDoc(db: Queryable, doc: NewDoc): Promise<void> {
  await db.query(
    `INSERT INTO docs (source, external_id, space, title, url, version, updated_at, body_text, content_hash, format,
                       source_version)
     VALUES ($1, $2, $3, $4, $5, coalesce($10::int, 1), $6, $7, $8, $9, $11)
     ON CONFLICT (source, external_id) DO UPDATE SET space = EXCLUDED.space, title = EXCLUDED.title, url = EXCLUDED.url,
       version = coalesce($10::int, docs.version + (docs.content_hash <> EXCLUDED.content_hash)::int),
       updated_at = EXCLUDED.updated_at, body_text = EXCLUDED.body_text, content_hash = EXCLUDED.content_hash,
       format = EXCLUDED.format, deleted_at = NULL,
       source_version = coalesce(EXCLUDED.source_version, docs.source_version)`,
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
      doc.sourceVersion ?? null,
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

/** The current documents of one space of a source, by id, with the versions a sync compares against. */
export async function currentDocVersions(
  db: Queryable,
  source: string,
  space: string,
): Promise<Map<string, { version: number; sourceVersion: string | null }>> {
  const { rows } = await db.query<{ external_id: string; version: number; source_version: string | null }>(
    'SELECT external_id, version, source_version FROM docs WHERE source = $1 AND space = $2 AND deleted_at IS NULL',
    [source, space],
  );
  return new Map(rows.map((r) => [r.external_id, { version: r.version, sourceVersion: r.source_version }]));
}

/**
 * The bot's own history as documents: postmortem drafts (with their timelines) and past standups. Each keeps who
 * may see it: a private incident room's or standup channel's members.
 */
export async function ingestOwnHistoryDocs(db: Queryable): Promise<void> {
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
}
