// Sentence-embedding vectors of the bench's passages kept on disk (~/.cache/em-agent/embeddings or
// ASK_EMBEDDINGS_CACHE), keyed by model and text: the local model takes about 0.2 s a passage, so the 11,000
// passages of the real corpora are embedded once per machine, not once per run and engine.
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Embeddings } from '@langchain/core/embeddings';
import type { NamedEmbeddings } from '../../src/ask/embeddings.js';

const DIR = process.env.ASK_EMBEDDINGS_CACHE ?? path.join(os.homedir(), '.cache', 'em-agent', 'embeddings');

const keyOf = (text: string) => createHash('sha256').update(text).digest('base64url');

class CachedEmbeddings extends Embeddings {
  private readonly known = new Map<string, number[]>();

  constructor(
    private readonly inner: Embeddings,
    private readonly file: string,
  ) {
    super({});
    if (existsSync(file))
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (!line) continue;
        const [key, vector] = line.split('\t');
        if (key && vector) this.known.set(key, JSON.parse(vector));
      }
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    const missing = [...new Set(texts.filter((t) => !this.known.has(keyOf(t))))];
    if (missing.length) {
      const vectors = await this.inner.embedDocuments(missing);
      const lines = missing.map((t, i) => {
        const vector = (vectors[i] ?? []).map((x) => Math.round(x * 1e6) / 1e6);
        this.known.set(keyOf(t), vector);
        return `${keyOf(t)}\t${JSON.stringify(vector)}\n`;
      });
      appendFileSync(this.file, lines.join(''));
    }
    return texts.map((t) => this.known.get(keyOf(t)) ?? []);
  }

  async embedQuery(text: string): Promise<number[]> {
    return this.inner.embedQuery(text);
  }
}

/** The provider with its document vectors read from (and added to) the disk cache; questions are embedded live. */
export function cachedEmbeddings(provider: () => Promise<NamedEmbeddings>): () => Promise<NamedEmbeddings> {
  let made: Promise<NamedEmbeddings> | undefined;
  return () => {
    made ??= provider().then((named) => {
      mkdirSync(DIR, { recursive: true });
      const file = path.join(DIR, `${named.model}.tsv`);
      return { ...named, embeddings: new CachedEmbeddings(named.embeddings, file) };
    });
    return made;
  };
}
