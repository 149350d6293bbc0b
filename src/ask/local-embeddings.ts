import { Embeddings } from '@langchain/core/embeddings';
import { idleWorkerThread } from '../lib/worker-thread.js';

/** Texts per call into the model's thread: under the library's threshold for spreading work over threads of its own. */
const BATCH = 16;

const thread = idleWorkerThread(new URL('./embed-worker.mjs', import.meta.url), 300_000);

/**
 * all-MiniLM-L6-v2 sentence embeddings (384 dimensions), computed on this machine: no provider, no download at run
 * time. The model runs on one worker thread, started on the first text and ended after five idle minutes, so an
 * idle bot carries none of its memory (about 100 MB while loaded).
 */
export class LocalEmbeddings extends Embeddings {
  static readonly model = 'minilm-l6-v2';
  static readonly dims = 384;

  constructor() {
    super({});
  }

  private run(texts: string[]): Promise<number[][]> {
    return thread.run({ texts });
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let i = 0; i < texts.length; i += BATCH) vectors.push(...(await this.run(texts.slice(i, i + BATCH))));
    return vectors;
  }

  async embedQuery(text: string): Promise<number[]> {
    const [vector] = await this.run([text]);
    if (!vector) throw new Error('the local embeddings model returned no vector');
    return vector;
  }
}

/** Ends the model's thread (the app's shutdown); the next text starts a new one. */
export const stopLocalEmbeddings = (): Promise<void> => thread.stop();
