// npm run bench:ask:tune: the TUNING halves of the git and node sets (and their dev sets) only, on the PostgreSQL server, for trying a
// change to ask's retrieval or its "not found" rule without looking at the held-out halves. The corpora are indexed
// once (with pino's docs, as bench:ask does) into the schema ASK_TUNE_SCHEMA (default ask_tune) and reused;
// ASK_TUNE_REINDEX=1 indexes them again (needed after a change to chunking or to the search column). ASK_TUNE_VERBOSE=1 prints each question's first answering
// rank and the not-found reason.
import { existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { notFoundReason, offlineAnswer } from '../../src/ask/answer.js';
import { embeddingsFor } from '../../src/ask/embeddings.js';
import { indexDocuments } from '../../src/ask/indexer.js';
import { type RetrievalMode, retrieve } from '../../src/ask/retrieval.js';
import { hasVector } from '../../src/store/migrate.js';
import { openStore } from '../../src/store/open.js';
import { loadCorpus } from '../../test/support/ask-corpus.js';
import {
  answersQuestion,
  EVAL_DIR,
  type EvalQuestion,
  evalQuestions,
  halfOf,
  indexCorpus,
  run,
} from '../../test/support/ask-eval.js';
import { REAL_CORPORA } from './ask-corpora.js';
import { cachedEmbeddings } from './embedding-cache.js';
import { SERVER } from './engines.js';

const SCHEMA = process.env.ASK_TUNE_SCHEMA ?? 'ask_tune';
const VERBOSE = Boolean(process.env.ASK_TUNE_VERBOSE);
const CORPORA = process.env.BENCH_CORPORA?.split(',') ?? ['git', 'node'];
// ASK_TUNE_EMBEDDINGS=local also ranks by the local sentence model (hybrid), at each weight of ASK_TUNE_WEIGHTS.
const LOCAL = process.env.ASK_TUNE_EMBEDDINGS === 'local';
const embeddings = LOCAL ? cachedEmbeddings(embeddingsFor({ ASK_EMBEDDINGS: 'local' })) : undefined;
const WEIGHTS = (process.env.ASK_TUNE_WEIGHTS ?? '').split(',').filter(Boolean).map(Number);

if (process.env.ASK_TUNE_REINDEX) {
  const admin = new pg.Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  await admin.end();
}
async function report(
  space: string,
  label: string,
  questions: EvalQuestion[],
  mode: RetrievalMode = 'text',
  vectorWeight?: number,
) {
  const times: number[] = [];
  const scores = await run(questions, async (question) => {
    const t0 = performance.now();
    const retrieved = await retrieve(db, question, {
      mode,
      limit: 10,
      filters: { spaces: [space] },
      embeddings,
      vectorAvailable: mode !== 'text',
      vectorWeight,
    });
    times.push(performance.now() - t0);
    const notFound = offlineAnswer(question, retrieved).mode === 'not_found';
    if (VERBOSE) {
      const q = questions.find((x) => x.q === question);
      const rank = retrieved.hits.findIndex((h) => q?.answers.some((a) => answersQuestion(h, a)));
      const reason = notFoundReason(retrieved) ?? (notFound ? 'weak extract' : '');
      console.log(
        `  ${q?.answers.length ? `rank ${rank < 0 ? '-' : rank + 1}`.padEnd(7) : 'NONE   '} cov ${retrieved.coverage.toFixed(2)} ${notFound ? 'REFUSED' : '       '} ${q?.kind.padEnd(10)} ${question}${reason ? `  [${reason}]` : ''}`,
      );
    }
    return { hits: retrieved.hits, notFound };
  });
  times.sort((a, b) => a - b);
  console.log(
    `${label}: ${scores.questions} questions  recall@5 ${scores.recallAt5.toFixed(3)}  MRR@10 ${scores.mrrAt10.toFixed(3)}  unanswerable refused ${scores.unanswerableRefused}/${scores.unanswerable}  answerable refused ${scores.answerableRefused}/${scores.answerable}  (median ${times[Math.floor(times.length / 2)]?.toFixed(0)} ms)`,
  );
}

const db = await openStore({ DATABASE_URL: SERVER, DATABASE_SCHEMA: SCHEMA, DATA_DIR: '' });
try {
  // The index holds what bench:ask's holds when it asks: both real corpora and pino's docs.
  for (const corpus of REAL_CORPORA) {
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM docs WHERE space = $1', [
      corpus.name,
    ]);
    if (!rows[0]?.n) await indexCorpus(db, corpus.name, corpus.docs());
  }
  const pino = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM docs WHERE space = 'pinojs/pino'");
  if (!pino.rows[0]?.n) await loadCorpus(db);
  if (embeddings && (await hasVector(db))) {
    const started = Date.now();
    const { embedded } = await indexDocuments(db, { embeddings });
    console.log(`embedded ${embedded} passages in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  const runs: { mode: RetrievalMode; weight?: number; tag: string }[] = [{ mode: 'text', tag: '' }];
  if (embeddings)
    for (const weight of WEIGHTS.length ? WEIGHTS : [undefined])
      runs.push({ mode: 'hybrid', weight, tag: ` [hybrid local${weight === undefined ? '' : ` w=${weight}`}]` });
  for (const corpus of REAL_CORPORA.filter((c) => CORPORA.includes(c.name)))
    for (const { mode, weight, tag } of runs) {
      await report(
        corpus.name,
        `${corpus.name} tuning half${tag}`,
        evalQuestions(corpus.name).filter((q) => halfOf(q.q) === 'tuning'),
        mode,
        weight,
      );
      // A development set (`<corpus>-dev.json`), written after the halves and tuned on openly, where there is one.
      if (existsSync(path.join(EVAL_DIR, `${corpus.name}-dev.json`)))
        await report(corpus.name, `${corpus.name} dev set${tag}`, evalQuestions(`${corpus.name}-dev`), mode, weight);
    }
} finally {
  await db.close();
}
