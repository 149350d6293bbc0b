import type { Db, Queryable } from '../store/db.js';
import type { Chunk } from './chunking.js';
import { contentWords } from './words.js';

/**
 * The SQL condition that keeps a document (alias `d`) only if it is public or belongs to a channel the asker is in.
 * `param` is the position of the text[] parameter holding those channel ids.
 */
export const visibleToClause = (param: number) => `(d.visible_in IS NULL OR d.visible_in = ANY($${param}::text[]))`;

/** The private channels that hold at least one live document. */
export async function privateDocChannels(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ visible_in: string }>(
    'SELECT DISTINCT visible_in FROM docs WHERE visible_in IS NOT NULL AND deleted_at IS NULL',
  );
  return rows.map((r) => r.visible_in);
}

export interface DocToIndex {
  source: string;
  externalId: string;
  title: string;
  body: string;
  format: 'markdown' | 'text';
  contentHash: string;
}

/** Documents whose text changed since they were chunked (or never were). */
export async function docsToIndex(db: Queryable, limit = 200): Promise<DocToIndex[]> {
  const { rows } = await db.query<{
    source: string;
    external_id: string;
    title: string;
    body_text: string;
    format: 'markdown' | 'text';
    content_hash: string;
  }>(
    `SELECT source, external_id, title, body_text, format, content_hash FROM docs
      WHERE deleted_at IS NULL AND indexed_hash IS DISTINCT FROM content_hash
      ORDER BY updated_at LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({
    source: r.source,
    externalId: r.external_id,
    title: r.title,
    body: r.body_text,
    format: r.format,
    contentHash: r.content_hash,
  }));
}

export async function replaceChunks(db: Db, doc: DocToIndex, chunks: Chunk[]): Promise<void> {
  await db.transaction(async (tx) => {
    // Two indexings of one document at once (the index job and a direct reindex, or two replicas) take turns: each
    // would delete none of the other's new chunks and insert the same ordinals (a unique-key failure).
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`doc-chunks:${doc.source}:${doc.externalId}`]);
    await tx.query('DELETE FROM doc_chunks WHERE source = $1 AND external_id = $2', [doc.source, doc.externalId]);
    if (chunks.length)
      await tx.query(
        `INSERT INTO doc_chunks (source, external_id, ordinal, heading, content)
         SELECT $1, $2, * FROM unnest($3::int[], $4::text[], $5::text[])`,
        [
          doc.source,
          doc.externalId,
          chunks.map((c) => c.ordinal),
          chunks.map((c) => c.heading),
          chunks.map((c) => c.content),
        ],
      );
    // Only if the text is still what was chunked (a sync may have changed it meanwhile).
    await tx.query('UPDATE docs SET indexed_hash = $3 WHERE source = $1 AND external_id = $2 AND content_hash = $3', [
      doc.source,
      doc.externalId,
      doc.contentHash,
    ]);
  });
}

/** Chunks of deleted documents leave the index. */
export async function dropDeletedChunks(db: Queryable): Promise<number> {
  const { rowCount } = await db.query(
    `DELETE FROM doc_chunks c USING docs d
      WHERE d.source = c.source AND d.external_id = c.external_id AND d.deleted_at IS NOT NULL`,
  );
  return rowCount ?? 0;
}

export async function chunksWithoutEmbedding(
  db: Queryable,
  model: string,
  limit: number,
): Promise<{ id: number; text: string }[]> {
  const { rows } = await db.query<{ id: string; heading: string; content: string }>(
    `SELECT c.id, c.heading, c.content FROM doc_chunks c
      WHERE NOT EXISTS (SELECT 1 FROM doc_embeddings e WHERE e.chunk_id = c.id AND e.model = $1)
      ORDER BY c.id LIMIT $2`,
    [model, limit],
  );
  return rows.map((r) => ({ id: Number(r.id), text: `${r.heading}\n${r.content}` }));
}

const vectorLiteral = (v: number[]) => `[${v.map((x) => (Number.isFinite(x) ? x.toFixed(6) : '0')).join(',')}]`;

export async function storeEmbeddings(
  db: Queryable,
  model: string,
  dims: number,
  rows: { id: number; embedding: number[] }[],
): Promise<void> {
  if (!rows.length) return;
  await db.query(
    `INSERT INTO doc_embeddings (chunk_id, model, dims, embedding)
     SELECT id, $1, $2, v::public.vector FROM unnest($3::bigint[], $4::text[]) AS t(id, v)
     ON CONFLICT (chunk_id, model) DO UPDATE SET embedding = EXCLUDED.embedding, dims = EXCLUDED.dims`,
    [model, dims, rows.map((r) => r.id), rows.map((r) => vectorLiteral(r.embedding))],
  );
}

/**
 * The HNSW index for one dimension count (pgvector indexes need a fixed one). Two indexers at once (a replica's job
 * and another's, or a job and a reindex) would race in CREATE INDEX IF NOT EXISTS, which PostgreSQL answers with a
 * unique violation: they take turns under an advisory lock.
 */
export async function ensureVectorIndex(db: Db, dims: number): Promise<void> {
  const n = Math.trunc(dims);
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`doc_embeddings_hnsw_${n}`]);
    await tx.query(
      `CREATE INDEX IF NOT EXISTS doc_embeddings_hnsw_${n} ON doc_embeddings
         USING hnsw ((embedding::public.vector(${n})) public.vector_cosine_ops) WHERE dims = ${n}`,
    );
  });
}

export interface SearchFilters {
  sources?: string[];
  /** Confluence spaces or repositories. */
  spaces?: string[];
}

export interface ChunkHit {
  chunkId: number;
  source: string;
  externalId: string;
  title: string;
  url: string | null;
  heading: string;
  content: string;
  updatedAt: Date;
  score: number;
}

const FILTER = `($2::text[] IS NULL OR d.source = ANY($2::text[])) AND ($3::text[] IS NULL OR d.space = ANY($3::text[]))`;
const HIT_COLUMNS = 'c.id, c.source, c.external_id, d.title, d.url, c.heading, c.content, d.updated_at';

type HitRow = {
  id: string;
  source: string;
  external_id: string;
  title: string;
  url: string | null;
  heading: string;
  content: string;
  updated_at: Date;
  score: number;
};
const toHit = (r: HitRow): ChunkHit => ({
  chunkId: Number(r.id),
  source: r.source,
  externalId: r.external_id,
  title: r.title,
  url: r.url,
  heading: r.heading,
  content: r.content,
  updatedAt: new Date(r.updated_at),
  score: Number(r.score),
});

/** Word frequencies across chunks, for ranking (the chunk count is kept under '', the mean chunk length under '#length'). */
export async function refreshTermStats(db: Db): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('DELETE FROM doc_term_stats');
    await tx.query(
      `INSERT INTO doc_term_stats (word, ndoc) SELECT word, ndoc FROM ts_stat('SELECT search FROM doc_chunks')`,
    );
    await tx.query(
      `INSERT INTO doc_term_stats (word, ndoc)
       SELECT '', count(*) FROM doc_chunks
       UNION ALL SELECT '#length', coalesce(avg(length(content)), 1)::int FROM doc_chunks`,
    );
  });
}

interface QueryTerm {
  lexeme: string;
  ndoc: number;
  idf: number;
}

export interface QuestionTerms {
  terms: QueryTerm[];
  total: number;
  meanLength: number;
}

/** The question's words as the index knows them (code names with their parts), rarest first, with their idf. */
export async function queryTerms(db: Queryable, question: string): Promise<QuestionTerms> {
  const { rows } = await db.query<{ lexeme: string; ndoc: number; total: number; mean_length: number }>(
    `SELECT t.lexeme, coalesce(s.ndoc, 0) AS ndoc,
            greatest(coalesce((SELECT ndoc FROM doc_term_stats WHERE word = ''), 1), 1) AS total,
            greatest(coalesce((SELECT ndoc FROM doc_term_stats WHERE word = '#length'), 1), 1) AS mean_length
       FROM unnest(tsvector_to_array(to_tsvector('english', $1 || ' ' || ask_code_words($1)))) AS t(lexeme)
       LEFT JOIN doc_term_stats s ON s.word = t.lexeme`,
    [question],
  );
  const total = rows[0]?.total ?? 1;
  const terms = rows
    .map((r) => ({ lexeme: r.lexeme, ndoc: r.ndoc, idf: Math.log(1 + (total - r.ndoc + 0.5) / (r.ndoc + 0.5)) }))
    .sort((a, b) => b.idf - a.idf)
    .slice(0, 16);
  return { terms, total, meanLength: rows[0]?.mean_length ?? 1 };
}

const quoteLexeme = (lexeme: string) => `'${lexeme.replaceAll("'", "''").replaceAll('\\', '\\\\')}'`;

/** BM25F: a word in a heading counts this many times one in the body (headings are short and repeat on every chunk). */
export const HEADING_WEIGHT = 3;
const K1 = 1.2;
const B = 0.75;
/** Words in more than this share of a large index are too common to pick candidates (they still score). */
const COMMON = 0.3;
const POOL = 300;
/** How many chunks (summed over the candidate words) the cheap first rank may read: its cost on a large index. */
const POSTINGS_BUDGET = 3000;
/**
 * The page's title as a field of its own: the idf of the question's words it holds times the share of the title they
 * make up, so "git bisect" names the page git-bisect more than git-bisect-lk2009, and "worker thread" names
 * worker_threads (titles are read by their parts, like code names). 2 rather than 1 since 2026-12-07: measured on the
 * tuning halves and on the development sets written that day (MRR@10 up on three of the four, none down; README).
 */
const TITLE_WEIGHT = 2;

const lexemeQuery = (t: QueryTerm) => (t.ndoc === 0 ? `${quoteLexeme(t.lexeme)}:*` : quoteLexeme(t.lexeme));

/**
 * Which chunks the cheap first rank reads (each one a heap row: the cost of a search on a large index), as tsqueries:
 * `candidates` over the whole chunk, `headings` over its heading only (a GIN index of their own, migration 301).
 * The question's words rarest first, as long as the chunks holding them stay within POSTINGS_BUDGET (two words at
 * least, when those two fit). Past the budget, the words that fit one after another; when even the rarest does not,
 * the chunks holding the rarest words together (as many words as the estimate, taking the words as independent,
 * needs to fit); and then the chunks whose heading holds any of the words left out, which BM25F weighs most.
 */
export function candidateQuery(
  terms: QueryTerm[],
  total: number,
): { candidates: string | null; headings: string | null } {
  const common = Math.max(total * COMMON, 10);
  let postings = 0;
  const picking = terms
    .filter((t) => t.ndoc <= common)
    .filter((t, i) => {
      postings += t.ndoc;
      return i < 2 || postings <= POSTINGS_BUDGET;
    });
  const words = (picking.length ? picking : terms).slice(0, 10);
  if (words.reduce((sum, t) => sum + t.ndoc, 0) <= POSTINGS_BUDGET)
    return { candidates: words.length ? words.map(lexemeQuery).join(' | ') : null, headings: null };
  const fit: QueryTerm[] = [];
  let used = 0;
  for (const t of words) {
    if (used + t.ndoc > POSTINGS_BUDGET) break;
    fit.push(t);
    used += t.ndoc;
  }
  let candidates = fit.map(lexemeQuery).join(' | ');
  if (!fit.length) {
    const together: QueryTerm[] = [];
    let estimate = total;
    for (const t of words) {
      together.push(t);
      estimate *= t.ndoc / Math.max(total, 1);
      if (estimate <= POSTINGS_BUDGET) break;
    }
    candidates = `(${together.map(lexemeQuery).join(' & ')})`;
  }
  const left = words.slice(fit.length);
  return { candidates, headings: left.length ? left.map(lexemeQuery).join(' | ') : null };
}

/**
 * Full-text search ranked by BM25F over the chunks that hold any of the question's words: each word counts by its
 * rarity (idf) and its frequency (saturating, relative to the chunk's length), a heading occurrence HEADING_WEIGHT
 * times a body one; a matching quoted phrase adds to it, and so does the page title (TITLE_WEIGHT). A word the index has never seen is tried as a prefix
 * ("deplo" finds "deployment"). The candidates are first cut to a pool by a cheap rank so the scoring stays fast on a
 * large index; two round trips, so the candidate query is a literal and the planner uses the GIN index.
 */
export async function searchText(
  db: Queryable,
  question: string,
  filters: SearchFilters,
  limit: number,
  phrases: string | null = null,
  visibleTo: string[] = [],
  known?: QuestionTerms,
) {
  const { terms, total, meanLength } = known ?? (await queryTerms(db, question));
  const { candidates, headings } = candidateQuery(terms, total);
  if (!candidates && !phrases) return [];
  const { rows } = await db.query<HitRow>(
    `WITH query AS (
       SELECT CASE
                WHEN $1::text IS NULL THEN to_tsquery('english', $5)
                WHEN $5::text IS NULL THEN $1::tsquery
                ELSE $1::tsquery || to_tsquery('english', $5)
              END AS q
     ),
     pool AS (
       SELECT c.id FROM doc_chunks c JOIN docs d ON d.source = c.source AND d.external_id = c.external_id, query
        WHERE (c.search @@ query.q OR ($10::tsquery IS NOT NULL AND ts_filter(c.search, '{a}') @@ $10::tsquery))
          AND d.deleted_at IS NULL AND ${FILTER} AND ${visibleToClause(9)}
        ORDER BY ts_rank('{0.1,0.2,0.5,1.0}', c.search, query.q, 1) DESC LIMIT ${POOL}
     ),
     terms AS (SELECT l, idf FROM unnest($6::text[], $7::float8[]) AS t(l, idf))
     SELECT ${HIT_COLUMNS},
            (SELECT coalesce(sum(terms.idf * f.tf * ${K1 + 1}
                                 / (f.tf + ${K1} * (${1 - B} + ${B} * length(c.content)::float8 / $8))), 0)
               FROM (SELECT u.lexeme, cardinality(u.weights)
                              + ${HEADING_WEIGHT - 1} * cardinality(array_positions(u.weights, 'A')) AS tf
                       FROM unnest(c.search) u) f
               JOIN terms ON terms.l = f.lexeme)
            + CASE WHEN $5::text IS NOT NULL AND c.search @@ to_tsquery('english', $5) THEN 3 ELSE 0 END
            + ${TITLE_WEIGHT} * (SELECT coalesce(sum(terms.idf) * count(*) / greatest(length(d.title_search), 1), 0)
                                  FROM unnest(d.title_search) t JOIN terms ON terms.l = t.lexeme) AS score
       FROM pool JOIN doc_chunks c ON c.id = pool.id
       JOIN docs d ON d.source = c.source AND d.external_id = c.external_id
      ORDER BY score DESC, c.id LIMIT $4`,
    [
      candidates,
      filters.sources ?? null,
      filters.spaces ?? null,
      limit,
      phrases,
      terms.map((t) => t.lexeme),
      terms.map((t) => t.idf),
      meanLength,
      visibleTo,
      headings,
    ],
  );
  return rows.map(toHit);
}

/** A word in more than this share of the chunks is looked for by reading chunks in order, not from the index. */
const COMMON_ENOUGH_TO_SCAN = 0.05;

/**
 * How well a passage covers a question: the idf-weighted share of the question's words it holds, and the question's
 * words that no chunk the search could return holds (within the filters and what the asker may see). So a word
 * that only a private channel's documents hold reads to anyone else exactly like a word nobody wrote.
 * `seen` are chunks a search just returned within the same filters and visibility: a word one of them holds is known
 * without probing the index (for a common word that probe reads its whole posting list).
 */
export async function questionCoverage(
  db: Queryable,
  question: string,
  chunkId: number | null,
  filters: SearchFilters = {},
  visibleTo: string[] = [],
  known?: QuestionTerms,
  seen: number[] = [],
): Promise<{ coverage: number; unknownWords: string[] }> {
  const { terms, total } = known ?? (await queryTerms(db, question));
  const { rows } = await db.query<{ lexemes: string[] | null; unknown: string[] | null }>(
    `WITH seen AS (
       SELECT DISTINCT u.lexeme FROM doc_chunks c, unnest(c.search) u WHERE c.id = ANY($6::bigint[])
     )
     SELECT (SELECT tsvector_to_array(search) FROM doc_chunks WHERE id = $4) AS lexemes,
            (SELECT array_agg(w) FROM unnest($1::text[]) w
              WHERE tsvector_to_array(to_tsvector('english', w)) <> '{}'
                AND NOT EXISTS (
                  SELECT 1 FROM unnest(tsvector_to_array(to_tsvector('english', w))) l JOIN doc_term_stats s ON s.word = l
                   WHERE l IN (SELECT lexeme FROM seen))
                AND NOT EXISTS (
                  SELECT 1 FROM unnest(tsvector_to_array(to_tsvector('english', w))) l JOIN doc_term_stats s ON s.word = l
                   WHERE l NOT IN (SELECT lexeme FROM seen)
                     -- Inside CASE it stays a subplan that stops at the first match, and runs for common words only (a
                     -- join would be costed as reading every chunk, and the planner would compile the query).
                     AND CASE WHEN s.ndoc > $7 THEN EXISTS (
                           SELECT 1 FROM doc_chunks c JOIN docs d ON d.source = c.source AND d.external_id = c.external_id
                            WHERE (c.search || ''::tsvector) @@ quote_literal(l)::tsquery AND d.deleted_at IS NULL
                              AND ${FILTER} AND ${visibleToClause(5)}) ELSE false END)
                AND NOT EXISTS (
                  SELECT 1 FROM unnest(tsvector_to_array(to_tsvector('english', w))) l JOIN doc_term_stats s ON s.word = l
                   WHERE s.ndoc <= $7 AND l NOT IN (SELECT lexeme FROM seen)
                     AND EXISTS (SELECT 1 FROM doc_chunks c JOIN docs d ON d.source = c.source AND d.external_id = c.external_id
                                  WHERE c.search @@ quote_literal(l)::tsquery AND d.deleted_at IS NULL
                                    AND ${FILTER} AND ${visibleToClause(5)}))) AS unknown`,
    [
      contentWords(question),
      filters.sources ?? null,
      filters.spaces ?? null,
      chunkId,
      visibleTo,
      seen,
      // A word this common is found within a few rows read in order; the index would read its whole posting list.
      // Within filters it may be nowhere, and reading in order would read them all: there the index answers.
      filters.sources || filters.spaces ? 2_147_483_647 : Math.floor(total * COMMON_ENOUGH_TO_SCAN),
    ],
  );
  const held = new Set(rows[0]?.lexemes ?? []);
  const all = terms.reduce((sum, t) => sum + t.idf, 0);
  const covered = terms.filter((t) => held.has(t.lexeme)).reduce((sum, t) => sum + t.idf, 0);
  return { coverage: all ? covered / all : 0, unknownWords: rows[0]?.unknown ?? [] };
}

export async function searchVector(
  db: Queryable,
  embedding: number[],
  model: string,
  dims: number,
  filters: SearchFilters,
  limit: number,
  visibleTo: string[] = [],
) {
  const n = Math.trunc(dims);
  const { rows } = await db.query<HitRow>(
    `SELECT ${HIT_COLUMNS}, 1 - (e.embedding::public.vector(${n}) OPERATOR(public.<=>) $1::public.vector(${n})) AS score
       FROM doc_embeddings e JOIN doc_chunks c ON c.id = e.chunk_id
       JOIN docs d ON d.source = c.source AND d.external_id = c.external_id
      WHERE e.model = $5 AND e.dims = ${n} AND d.deleted_at IS NULL AND ${FILTER} AND ${visibleToClause(6)}
      ORDER BY e.embedding::public.vector(${n}) OPERATOR(public.<=>) $1::public.vector(${n}) LIMIT $4`,
    [vectorLiteral(embedding), filters.sources ?? null, filters.spaces ?? null, limit, model, visibleTo],
  );
  return rows.map(toHit);
}

// ---------------------------------------------------------------- answers and feedback

export async function recordAnswer(
  db: Queryable,
  answer: {
    askedBy: string;
    question: string;
    answer: string;
    mode: string;
    citations: unknown[];
    channel?: string | null;
    threadTs?: string | null;
  },
): Promise<number> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO ask_answers (asked_by, question, answer, mode, citations, channel, thread_ts)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [
      answer.askedBy,
      answer.question,
      answer.answer,
      answer.mode,
      JSON.stringify(answer.citations),
      answer.channel ?? null,
      answer.threadTs ?? null,
    ],
  );
  return Number(rows[0]?.id);
}

export async function setAnswerThread(db: Queryable, id: number, channel: string, threadTs: string): Promise<void> {
  await db.query('UPDATE ask_answers SET channel = $2, thread_ts = $3 WHERE id = $1', [id, channel, threadTs]);
}

/** Earlier questions and answers in a thread, oldest first (the context of a follow-up). */
export async function threadHistory(db: Queryable, channel: string, threadTs: string, limit = 5) {
  const { rows } = await db.query<{ question: string; answer: string }>(
    `SELECT question, answer FROM (
       SELECT question, answer, id FROM ask_answers WHERE channel = $1 AND thread_ts = $2 ORDER BY id DESC LIMIT $3
     ) recent ORDER BY id`,
    [channel, threadTs, limit],
  );
  return rows;
}

/** One vote per person per answer; a second click changes it. Returns the answer's tally. */
export async function recordFeedback(db: Queryable, answerId: number, userId: string, helpful: boolean) {
  await db.query(
    `INSERT INTO ask_feedback (answer_id, user_id, helpful) VALUES ($1, $2, $3)
     ON CONFLICT (answer_id, user_id) DO UPDATE SET helpful = EXCLUDED.helpful, at = now()`,
    [answerId, userId, helpful],
  );
  const { rows } = await db.query<{ helpful: number; not_helpful: number }>(
    `SELECT count(*) FILTER (WHERE helpful)::int AS helpful, count(*) FILTER (WHERE NOT helpful)::int AS not_helpful
       FROM ask_feedback WHERE answer_id = $1`,
    [answerId],
  );
  return { helpful: rows[0]?.helpful ?? 0, notHelpful: rows[0]?.not_helpful ?? 0 };
}

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

/** Which earlier answers count as documents: the docs source they are stored under, the other voters they need. */
export interface EarlierAnswerRule {
  source: string;
  minOtherVoters: number;
}

/** An answer qualifies with a net-positive tally including at least `minOtherVoters` people other than the asker. */
const answerQualifies = (minOtherVotersParam: string) => `
    (SELECT count(*) FILTER (WHERE f.helpful) >= ${minOtherVotersParam}
            AND count(*) FILTER (WHERE f.helpful) - count(*) FILTER (WHERE NOT f.helpful) > 0
       FROM ask_feedback f WHERE f.answer_id = a.id AND f.user_id <> a.asked_by)`;

/**
 * Writes every qualifying earlier answer as a document (the answer and the sources it cited, never the question's
 * free text); one taken out earlier comes back.
 */
export async function upsertQualifyingAnswersAsDocs(db: Queryable, rule: EarlierAnswerRule): Promise<void> {
  await db.query(
    `INSERT INTO docs (source, external_id, space, title, url, version, updated_at, body_text, content_hash, format,
                       visible_in)
     SELECT $1::text, a.id::text, NULL, 'Earlier answer #' || a.id, NULL, 1, a.asked_at, body.text,
            md5(body.text), 'text', a.visible_in
       FROM ask_answers a,
            LATERAL (SELECT a.answer || coalesce(E'\\n\\nSources: ' || (
                       SELECT string_agg(coalesce(c->>'title', '') || coalesce(' ' || (c->>'url'), ''), '; ')
                         FROM jsonb_array_elements(a.citations) c), '') AS text) body
      WHERE a.mode <> 'not_found' AND a.indexable AND ${answerQualifies('$2::int')}
     ON CONFLICT (source, external_id) DO UPDATE SET deleted_at = NULL, visible_in = EXCLUDED.visible_in
      WHERE docs.deleted_at IS NOT NULL`,
    [rule.source, rule.minOtherVoters],
  );
}

/** Marks deleted (and to be indexed from scratch) the answer documents whose answer no longer qualifies. */
export async function deleteAnswerDocsNoLongerQualifying(db: Queryable, rule: EarlierAnswerRule): Promise<void> {
  await db.query(
    `UPDATE docs d SET deleted_at = now(), indexed_hash = NULL
       FROM ask_answers a
      WHERE d.source = $1 AND d.external_id = a.id::text AND d.deleted_at IS NULL
        AND NOT (a.mode <> 'not_found' AND a.indexable AND ${answerQualifies('$2::int')})`,
    [rule.source, rule.minOtherVoters],
  );
}
