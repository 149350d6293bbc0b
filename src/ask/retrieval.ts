import type { Queryable } from '../store/db.js';
import type { NamedEmbeddings } from './embeddings.js';
import {
  type ChunkHit,
  type QuestionTerms,
  queryTerms,
  questionCoverage,
  type SearchFilters,
  searchText,
  searchVector,
} from './store.js';
import { contentWords } from './words.js';

export type RetrievalMode = 'text' | 'vector' | 'hybrid';

const clean = (w: string) => w.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');

/** The quoted phrases of a question as a tsquery (any of them), or null. */
export function phrasesTsquery(question: string): string | null {
  const phrases = [...question.matchAll(/"([^"]+)"/g)]
    .map((m) => (m[1] ?? '').split(/\s+/).map(clean).filter(Boolean))
    .filter((words) => words.length);
  return phrases.length ? phrases.map((words) => `(${words.join(' <-> ')})`).join(' | ') : null;
}

/** Whether a question has anything full-text search can use (words that are not stop words, or a phrase). */
export function searchable(question: string): boolean {
  return phrasesTsquery(question) !== null || contentWords(question).length > 0;
}

/** Reciprocal rank fusion: each list votes 1 / (k + rank) for its items. */
export function reciprocalRankFusion<T>(
  lists: T[][],
  key: (item: T) => string | number,
  k = 60,
  weights: number[] = [],
): { item: T; score: number }[] {
  const scores = new Map<string | number, { item: T; score: number }>();
  for (const [index, list] of lists.entries()) {
    list.forEach((item, rank) => {
      const id = key(item);
      const entry = scores.get(id) ?? { item, score: 0 };
      entry.score += (weights[index] ?? 1) / (k + rank + 1);
      scores.set(id, entry);
    });
  }
  return [...scores.values()].sort((a, b) => b.score - a.score);
}

export interface RetrieveOptions {
  mode?: RetrievalMode;
  filters?: SearchFilters;
  limit?: number;
  embeddings?: () => Promise<NamedEmbeddings>;
  vectorAvailable?: boolean;
  /** How much the vector ranking counts against the full-text one in hybrid fusion (else the provider's). */
  vectorWeight?: number;
  /** Private channels whose documents the asker may see (public documents are always searched). */
  visibleTo?: string[];
}

export interface Retrieved {
  hits: ChunkHit[];
  /** Which searches actually ran. */
  used: RetrievalMode;
  /** The best full-text rank (0 when nothing matched the words): how well the docs cover the question. */
  textScore: number;
  /** The idf-weighted share of the question's words the first passage holds (0 to 1; full-text's first in hybrid). */
  coverage: number;
  /** Words of the question that no chunk within the filters (and visible to the asker) holds. */
  unknownWords: string[];
  /** In hybrid ranking, full-text's own first passages: what decides whether the docs answer at all. */
  textHits?: ChunkHit[];
  /** The closest passage's cosine, with the model's bounds for "not found" (models whose scale was measured). */
  meaning?: { top: number; floor: number; sure: number };
}

/** Full-text always; vectors when a provider and pgvector are there; hybrid fuses both. */
export async function retrieve(db: Queryable, question: string, options: RetrieveOptions = {}): Promise<Retrieved> {
  const limit = options.limit ?? 5;
  const mode = options.mode ?? 'hybrid';
  const filters = options.filters ?? {};
  const depth = Math.max(limit * 4, 20);
  const words = searchable(question);
  // The question's words and their idf, read once for the search and the coverage.
  const terms: QuestionTerms = await queryTerms(db, question);
  const text =
    mode !== 'vector' && words
      ? await searchText(db, question, filters, depth, phrasesTsquery(question), options.visibleTo, terms)
      : [];
  const provider = mode !== 'text' && options.vectorAvailable ? await options.embeddings?.() : undefined;
  const vectorWeight = options.vectorWeight ?? provider?.fusionWeight ?? 1;
  // A provider whose vectors measured as noise next to full-text (weight 0) only serves explicit vector searches.
  const canVector = provider !== undefined && (mode === 'vector' || !words || vectorWeight > 0);
  const vector =
    canVector && provider
      ? await searchVector(
          db,
          await provider.embeddings.embedQuery(question),
          provider.model,
          provider.dims,
          filters,
          depth,
          options.visibleTo,
        )
      : [];
  const used: RetrievalMode = canVector ? (mode === 'vector' || !words ? 'vector' : 'hybrid') : 'text';
  const textScore = text[0]?.score ?? 0;
  const hits =
    used === 'text'
      ? text.slice(0, limit)
      : used === 'vector'
        ? vector.slice(0, limit)
        : reciprocalRankFusion([text, vector], (h) => h.chunkId, 60, [1, vectorWeight])
            .slice(0, limit)
            .map((f) => ({ ...f.item, score: f.score }));
  // "Not found" is judged on words: how much of the question full-text's best passage holds (a passage found by
  // meaning alone may word it otherwise; its words say nothing of whether the docs answer).
  const judged = used === 'hybrid' ? text[0] : hits[0];
  const { coverage, unknownWords } = await questionCoverage(
    db,
    question,
    judged?.chunkId ?? null,
    filters,
    options.visibleTo,
    terms,
    // Every chunk either search returned is within the filters and visible to the asker.
    [...new Set([...text, ...vector].map((h) => h.chunkId))],
  );
  return {
    hits,
    used,
    textScore,
    coverage,
    unknownWords,
    ...(used === 'hybrid' ? { textHits: text.slice(0, limit) } : {}),
    ...(used !== 'text' && provider?.meaning ? { meaning: { top: vector[0]?.score ?? 0, ...provider.meaning } } : {}),
  };
}
