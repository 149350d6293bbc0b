import type { Expansion } from './store.js';
import type { WordVectors } from './word-vectors.js';
import { contentWords } from './words.js';

export interface ExpansionSettings {
  /** Neighbours per word of the question. */
  neighbours: number;
  /** Cosine similarity a neighbour needs. */
  minSimilarity: number;
  /** What a neighbour counts against the word itself (times its similarity). */
  weight: number;
}

export const EXPANSION: ExpansionSettings = {
  neighbours: Number(process.env.ASK_X_K ?? 3),
  minSimilarity: Number(process.env.ASK_X_MIN ?? 0.65),
  weight: Number(process.env.ASK_X_W ?? 0.3),
};

/** The nearest words in meaning to the question's words, as extra search words at a lower weight. */
export function neighbourExpansions(
  question: string,
  vectors: WordVectors,
  settings: ExpansionSettings = EXPANSION,
): Expansion[] {
  const words = [...new Set(contentWords(question, 3).map((w) => w.toLowerCase()))].filter((w) => /^\p{L}+$/u.test(w));
  return words.flatMap((from) =>
    vectors
      .neighbours(from, settings.neighbours, settings.minSimilarity)
      .filter((n) => /^\p{L}+$/u.test(n.word) && !words.includes(n.word))
      .map((n) => ({ word: n.word, weight: settings.weight * n.similarity, from })),
  );
}
