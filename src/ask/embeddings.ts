import { createHash } from 'node:crypto';
import { Embeddings } from '@langchain/core/embeddings';
import { LocalEmbeddings } from './local-embeddings.js';

export interface NamedEmbeddings {
  /** Stored with each vector, so a change of model re-embeds instead of mixing spaces. */
  model: string;
  dims: number;
  embeddings: Embeddings;
  /** Its say in hybrid ranking next to full-text (1 = equal); measured by `npm run bench:ask`. */
  fusionWeight?: number;
  /**
   * Its cosine scale for "not found": below `floor` the closest passage is unrelated (refused); from `sure` up it is
   * so close that the word rules (coverage, unknown names) do not refuse. Set for a model whose scale was measured.
   */
  meaning?: { floor: number; sure: number };
}

/**
 * Lexical hashing vectors do not fuse: on the tuning halves of bench:ask they lowered MRR@10 against full-text alone
 * (node 0.400 to 0.328, git 0.528 to 0.510, pino 0.870 to 0.818), so offline `ask` ranks by full-text only.
 */
export const HASHING_FUSION_WEIGHT = 0;

/** The local sentence model's say in hybrid ranking, chosen on the tuning halves and dev sets of bench:ask. */
export const LOCAL_FUSION_WEIGHT = 1.5;

/**
 * The local model's cosine bounds for "not found", from the tuning halves and dev sets: every answerable question's
 * closest passage scored at least 0.27, every unanswerable one refused by the word rules at most 0.59.
 */
export const LOCAL_MEANING = { floor: 0.25, sure: 0.65 };

const WORD = /[\p{L}\p{N}_]+/gu;

/**
 * Offline embeddings by feature hashing of words and word pairs (signed, L2-normalised). Lexical, not semantic:
 * it lets vector search and hybrid ranking run with no provider; a configured model replaces it.
 */
export class HashingEmbeddings extends Embeddings {
  constructor(readonly dims = 256) {
    super({});
  }

  private embed(text: string): number[] {
    const vector = new Array<number>(this.dims).fill(0);
    const words = (text.toLowerCase().match(WORD) ?? []).filter((w) => w.length > 1);
    const features = [...words, ...words.slice(1).map((w, i) => `${words[i]} ${w}`)];
    for (const feature of features) {
      const digest = createHash('md5').update(feature).digest();
      const index = digest.readUInt32LE(0) % this.dims;
      vector[index] = (vector[index] as number) + ((digest[4] as number) & 1 ? 1 : -1);
    }
    const norm = Math.hypot(...vector) || 1;
    return vector.map((v) => v / norm);
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    return texts.map((t) => this.embed(t));
  }

  async embedQuery(text: string): Promise<number[]> {
    return this.embed(text);
  }
}

/**
 * OpenAI embeddings when a key is set (base URL configurable); else the local sentence model with
 * `ASK_EMBEDDINGS=local`; else the offline hashing embeddings.
 */
export function embeddingsFor(config: {
  OPENAI_API_KEY?: string;
  OPENAI_BASE_URL?: string;
  ASK_EMBEDDINGS_MODEL?: string;
  ASK_EMBEDDINGS?: 'local' | 'hashing';
}): () => Promise<NamedEmbeddings> {
  let made: Promise<NamedEmbeddings> | undefined;
  return () => {
    made ??= (async () => {
      if (!config.OPENAI_API_KEY && config.ASK_EMBEDDINGS === 'local')
        return {
          model: LocalEmbeddings.model,
          dims: LocalEmbeddings.dims,
          embeddings: new LocalEmbeddings(),
          fusionWeight: LOCAL_FUSION_WEIGHT,
          meaning: LOCAL_MEANING,
        };
      if (!config.OPENAI_API_KEY)
        return {
          model: 'hashing-256',
          dims: 256,
          embeddings: new HashingEmbeddings(256),
          fusionWeight: HASHING_FUSION_WEIGHT,
        };
      const { OpenAIEmbeddings } = await import('@langchain/openai');
      const model = config.ASK_EMBEDDINGS_MODEL ?? 'text-embedding-3-small';
      const dims = 1536;
      return {
        model,
        dims,
        embeddings: new OpenAIEmbeddings({
          apiKey: config.OPENAI_API_KEY,
          model,
          dimensions: dims,
          maxRetries: 2,
          ...(config.OPENAI_BASE_URL ? { configuration: { baseURL: config.OPENAI_BASE_URL } } : {}),
        }),
      };
    })();
    return made;
  };
}
