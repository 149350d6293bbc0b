// Offline evaluation of `ask` on real documentation written by others: labelled questions, a tuning/held-out split
// fixed by a hash of the question text (decided before any tuning), and the figures bench:ask and the tests report.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { upsertDoc } from '../../src/ask/docs-store.js';
import type { NamedEmbeddings } from '../../src/ask/embeddings.js';
import { indexDocuments } from '../../src/ask/indexer.js';
import type { Db } from '../../src/store/db.js';

export const EVAL_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/ask-eval');

export type QuestionKind = 'direct' | 'paraphrase' | 'two' | 'none';
export interface Passage {
  doc: string;
  phrase: string;
}
export interface EvalQuestion {
  q: string;
  kind: QuestionKind;
  /** The passages that answer it (all of them, for "two"); none for a question the docs cannot answer. */
  answers: Passage[];
}
export type Half = 'tuning' | 'held-out';

/** The half a question belongs to: by the first bits of a hash of its text, never by how it scores. */
export const halfOf = (q: string): Half =>
  Number.parseInt(createHash('sha1').update(q).digest('hex').slice(0, 8), 16) % 2 === 0 ? 'tuning' : 'held-out';

export const evalQuestions = (corpus: string): EvalQuestion[] =>
  JSON.parse(readFileSync(path.join(EVAL_DIR, `${corpus}.json`), 'utf8')) as EvalQuestion[];

export interface CorpusDoc {
  id: string;
  title: string;
  body: string;
}

/** AsciiDoc (git's manuals) as markdown headings: `== Title`, or a title underlined by =, -, ~, ^ or + of about its length. */
export function asciidocToMarkdown(text: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  // A line starting with # (a shell comment in an example) must not become a markdown heading.
  const push = (line: string) => out.push(line.startsWith('#') ? ` ${line}` : line);
  const levels: Record<string, number> = { '=': 1, '-': 2, '~': 3, '^': 4, '+': 5 };
  let block: string | null = null; // inside a ---- or .... delimited block nothing is a heading
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const next = lines[i + 1] ?? '';
    if (block !== null) {
      if (line.trim() === block) block = null;
      push(line);
      continue;
    }
    if (/^(-{4,}|\.{4,}|={4,})\s*$/.test(line) && !(lines[i - 1] ?? '').trim()) {
      block = line.trim();
      push(line);
      continue;
    }
    const oneLine = /^(={1,5})\s+(\S.*?)(\s+=+)?\s*$/.exec(line);
    if (oneLine) {
      out.push(`${'#'.repeat((oneLine[1] as string).length)} ${oneLine[2]}`);
      continue;
    }
    const under = /^([=\-~^+])\1{2,}\s*$/.exec(next);
    if (under && /\w/.test(line) && Math.abs(next.trim().length - line.trim().length) <= 2) {
      out.push(`${'#'.repeat(levels[under[1] as string] ?? 2)} ${line.trim()}`);
      i += 1;
    } else push(line);
  }
  return out.join('\n');
}

/** Every file of a folder as a markdown document (AsciiDoc `.txt` converted), its file name as id and title. */
export function docsIn(dir: string, pattern: RegExp): CorpusDoc[] {
  return readdirSync(dir)
    .filter((f) => pattern.test(f))
    .sort()
    .map((f) => {
      const raw = readFileSync(path.join(dir, f), 'utf8');
      return { id: f, title: f.replace(/\.(md|txt)$/, ''), body: f.endsWith('.txt') ? asciidocToMarkdown(raw) : raw };
    });
}

/** Loads a corpus as repository docs (space = corpus name) and indexes it like the product does. */
export async function indexCorpus(
  db: Db,
  corpus: string,
  docs: CorpusDoc[],
  embeddings?: () => Promise<NamedEmbeddings>,
) {
  for (const doc of docs)
    await upsertDoc(db, {
      source: 'github',
      externalId: doc.id,
      space: corpus,
      title: doc.title,
      url: null,
      updatedAt: new Date('2026-01-01T00:00:00Z'),
      body: doc.body,
      format: 'markdown',
    });
  return indexDocuments(db, { embeddings });
}

const norm = (s: string) => s.replace(/`/g, '').replace(/\s+/g, ' ').toLowerCase();

export interface RankedPassage {
  externalId: string;
  heading: string;
  content: string;
}

export const answersQuestion = (hit: RankedPassage, passage: Passage) =>
  hit.externalId === passage.doc && norm(`${hit.heading}\n${hit.content}`).includes(norm(passage.phrase));

/** What one system did with one question: its ranked passages and whether it said "not found". */
export interface Outcome {
  hits: RankedPassage[];
  notFound: boolean;
}

export interface Scores {
  questions: number;
  /** Share of the answering passages found in the top 5 (a two-passage question counts each half). */
  recallAt5: number;
  /** Mean reciprocal rank of the first answering passage in the top 10. */
  mrrAt10: number;
  unanswerable: number;
  unanswerableRefused: number;
  answerable: number;
  answerableRefused: number;
}

export function score(questions: EvalQuestion[], outcomes: Outcome[]): Scores {
  let recall = 0;
  let mrr = 0;
  let answerable = 0;
  let answerableRefused = 0;
  let unanswerable = 0;
  let unanswerableRefused = 0;
  questions.forEach((question, i) => {
    const outcome = outcomes[i] as Outcome;
    if (!question.answers.length) {
      unanswerable += 1;
      if (outcome.notFound) unanswerableRefused += 1;
      return;
    }
    answerable += 1;
    if (outcome.notFound) answerableRefused += 1;
    const top5 = outcome.hits.slice(0, 5);
    recall += question.answers.filter((a) => top5.some((h) => answersQuestion(h, a))).length / question.answers.length;
    const rank = outcome.hits.slice(0, 10).findIndex((h) => question.answers.some((a) => answersQuestion(h, a)));
    if (rank >= 0) mrr += 1 / (rank + 1);
  });
  return {
    questions: questions.length,
    recallAt5: answerable ? recall / answerable : 0,
    mrrAt10: answerable ? mrr / answerable : 0,
    unanswerable,
    unanswerableRefused,
    answerable,
    answerableRefused,
  };
}

export async function run(questions: EvalQuestion[], system: (question: string) => Promise<Outcome>): Promise<Scores> {
  const outcomes: Outcome[] = [];
  for (const q of questions) outcomes.push(await system(q.q));
  return score(questions, outcomes);
}
