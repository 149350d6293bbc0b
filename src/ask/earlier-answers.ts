import type { Queryable } from '../store/db.js';
import type { ChunkHit } from './store.js';

/** Another person's helpful votes an answer needs (net of their not-helpful ones) before it is searched again. */
export const MIN_OTHER_VOTERS = 2;
export const EARLIER_ANSWER_SOURCE = 'answer';

/**
 * Records how private an answer is, from the documents it cited: public, one private channel, or (documents of
 * several private channels) never indexed.
 */
export async function recordAnswerVisibility(db: Queryable, answerId: number, chunkIds: number[]): Promise<void> {
  await db.query(
    `WITH cited AS (
       SELECT DISTINCT d.visible_in FROM doc_chunks c JOIN docs d ON d.source = c.source AND d.external_id = c.external_id
        WHERE c.id = ANY($2::bigint[]) AND d.visible_in IS NOT NULL
     )
     UPDATE ask_answers SET visible_in = (SELECT min(visible_in) FROM cited), indexable = (SELECT count(*) <= 1 FROM cited)
      WHERE id = $1`,
    [answerId, chunkIds],
  );
}

/**
 * Earlier answers as documents. Only votes of people other than the asker count; an answer enters with a net-positive
 * tally including at least two of them, and leaves as soon as the net is zero or below. What is indexed is the answer
 * and the sources it cited, never the question's free text.
 */
export async function ingestEarlierAnswers(db: Queryable): Promise<void> {
  const qualifies = `
    (SELECT count(*) FILTER (WHERE f.helpful) >= ${MIN_OTHER_VOTERS}
            AND count(*) FILTER (WHERE f.helpful) - count(*) FILTER (WHERE NOT f.helpful) > 0
       FROM ask_feedback f WHERE f.answer_id = a.id AND f.user_id <> a.asked_by)`;
  await db.query(
    `INSERT INTO docs (source, external_id, space, title, url, version, updated_at, body_text, content_hash, format,
                       visible_in)
     SELECT '${EARLIER_ANSWER_SOURCE}', a.id::text, NULL, 'Earlier answer #' || a.id, NULL, 1, a.asked_at, body.text,
            md5(body.text), 'text', a.visible_in
       FROM ask_answers a,
            LATERAL (SELECT a.answer || coalesce(E'\\n\\nSources: ' || (
                       SELECT string_agg(coalesce(c->>'title', '') || coalesce(' ' || (c->>'url'), ''), '; ')
                         FROM jsonb_array_elements(a.citations) c), '') AS text) body
      WHERE a.mode <> 'not_found' AND a.indexable AND ${qualifies}
     ON CONFLICT (source, external_id) DO UPDATE SET deleted_at = NULL, visible_in = EXCLUDED.visible_in
      WHERE docs.deleted_at IS NOT NULL`,
  );
  // Out of the index when the tally no longer qualifies; indexed again from scratch if it qualifies later.
  await db.query(
    `UPDATE docs d SET deleted_at = now(), indexed_hash = NULL
       FROM ask_answers a
      WHERE d.source = '${EARLIER_ANSWER_SOURCE}' AND d.external_id = a.id::text AND d.deleted_at IS NULL
        AND NOT (a.mode <> 'not_found' AND a.indexable AND ${qualifies})`,
  );
}

/** Earlier answers rank below every primary document, keeping their order among themselves. */
export function primaryFirst<T extends Pick<ChunkHit, 'source'>>(hits: T[]): T[] {
  return [
    ...hits.filter((h) => h.source !== EARLIER_ANSWER_SOURCE),
    ...hits.filter((h) => h.source === EARLIER_ANSWER_SOURCE),
  ];
}
