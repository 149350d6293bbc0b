import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { upsertDoc } from '../../src/ask/docs-store.js';
import type { NamedEmbeddings } from '../../src/ask/embeddings.js';
import { indexDocuments } from '../../src/ask/indexer.js';
import { type RetrievalMode, retrieve } from '../../src/ask/retrieval.js';
import type { Db } from '../../src/store/db.js';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/ask-corpus');

export interface LabelledQuestion {
  q: string;
  doc: string;
  phrase: string;
}

export const corpusQuestions = (): LabelledQuestion[] =>
  JSON.parse(readFileSync(path.join(DIR, 'questions.json'), 'utf8')) as LabelledQuestion[];

/** The pino docs as GitHub repository docs, chunked (and embedded when `embeddings` is given). */
export async function loadCorpus(db: Db, embeddings?: () => Promise<NamedEmbeddings>) {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.md') && f !== 'README.md');
  for (const file of files) {
    await upsertDoc(db, {
      source: 'github',
      externalId: file,
      space: 'pinojs/pino',
      title: file.replace(/\.md$/, ''),
      url: `https://github.com/pinojs/pino/blob/main/docs/${file}`,
      updatedAt: new Date('2026-01-01T00:00:00Z'),
      body: readFileSync(path.join(DIR, file), 'utf8'),
      format: 'markdown',
    });
  }
  return indexDocuments(db, { embeddings });
}

export interface Evaluation {
  mode: RetrievalMode;
  used: RetrievalMode;
  recallAt5: number;
  mrr: number;
  questions: number;
}

/** recall@5 (share of questions with a relevant passage in the top 5) and MRR over the top 10. */
export async function evaluate(
  db: Db,
  mode: RetrievalMode,
  embeddings?: () => Promise<NamedEmbeddings>,
): Promise<Evaluation> {
  const questions = corpusQuestions();
  let found = 0;
  let reciprocal = 0;
  let used: RetrievalMode = mode;
  for (const question of questions) {
    const result = await retrieve(db, question.q, {
      mode,
      limit: 10,
      embeddings,
      vectorAvailable: Boolean(embeddings),
    });
    used = result.used;
    const rank = result.hits.findIndex(
      (h) =>
        h.externalId === question.doc &&
        `${h.heading}\n${h.content}`.toLowerCase().includes(question.phrase.toLowerCase()),
    );
    if (rank >= 0 && rank < 5) found += 1;
    if (rank >= 0) reciprocal += 1 / (rank + 1);
  }
  return {
    mode,
    used,
    recallAt5: found / questions.length,
    mrr: reciprocal / questions.length,
    questions: questions.length,
  };
}
