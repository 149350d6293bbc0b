// npm run bench:ask [chunks]: `ask` on real documentation written by others (git's manuals and the Node.js API
// reference, installed on demand from Debian's documentation packages) and on the pino docs, next to two peer
// libraries on the same chunks; then retrieval latency p50/p95 for distinct questions over an index of `chunks`
// (default 50,000: the real corpora padded with synthetic chunks), on each engine.
// BENCH_ENGINES=pglite|postgres, BENCH_CORPORA=git,node,pino and BENCH_SKIP_LATENCY=1 narrow a run.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { offlineAnswer } from '../../src/ask/answer.js';
import { docContentHash } from '../../src/ask/docs-store.js';
import { embeddingsFor, type NamedEmbeddings } from '../../src/ask/embeddings.js';
import { indexDocuments } from '../../src/ask/indexer.js';
import { type RetrievalMode, retrieve } from '../../src/ask/retrieval.js';
import { ensureVectorIndex, refreshTermStats, storeEmbeddings } from '../../src/ask/store.js';
import type { Db } from '../../src/store/db.js';
import { hasVector } from '../../src/store/migrate.js';
import { corpusQuestions, loadCorpus } from '../../test/support/ask-corpus.js';
import {
  answersQuestion,
  EVAL_DIR,
  type EvalQuestion,
  evalQuestions,
  halfOf,
  indexCorpus,
  type Outcome,
  run,
  type Scores,
} from '../../test/support/ask-eval.js';
import { REAL_CORPORA } from './ask-corpora.js';
import { miniSearchPeer, type PeerChunk, tfIdfPeer } from './ask-peers.js';
import { cachedEmbeddings } from './embedding-cache.js';
import { onEachEngine } from './engines.js';

const TOTAL = Number(process.argv[2] ?? 50_000);
const CORPORA = process.env.BENCH_CORPORA?.split(',') ?? ['git', 'node', 'pino'];
const embeddings = embeddingsFor({}); // offline hashing embeddings: no provider is reachable here
// The local sentence model (ASK_EMBEDDINGS=local), its passage vectors cached on disk (first run: about 0.2 s a
// passage); BENCH_LOCAL_EMBEDDINGS=0 leaves it out.
const local =
  process.env.BENCH_LOCAL_EMBEDDINGS === '0' ? undefined : cachedEmbeddings(embeddingsFor({ ASK_EMBEDDINGS: 'local' }));
const pct = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(p * values.length))] ?? 0;

/** The pino set in the evaluation's shape: one passage per question (it was written and tuned here). */
const pinoQuestions = (): EvalQuestion[] =>
  corpusQuestions().map((q) => ({ q: q.q, kind: 'direct', answers: [{ doc: q.doc, phrase: q.phrase }] }));

async function chunksOf(db: Db, space: string): Promise<PeerChunk[]> {
  const { rows } = await db.query<{ id: string; external_id: string; heading: string; content: string }>(
    `SELECT c.id, c.external_id, c.heading, c.content FROM doc_chunks c
       JOIN docs d ON d.source = c.source AND d.external_id = c.external_id WHERE d.space = $1 ORDER BY c.id`,
    [space],
  );
  return rows.map((r) => ({ id: Number(r.id), externalId: r.external_id, heading: r.heading, content: r.content }));
}

const row = (name: string, s: Scores) =>
  `    ${name.padEnd(26)} ${s.recallAt5.toFixed(3).padStart(8)} ${s.mrrAt10.toFixed(3).padStart(8)}   ${`${s.unanswerableRefused}/${s.unanswerable}`.padStart(5)}         ${`${s.answerableRefused}/${s.answerable}`.padStart(5)}`;

async function quality(db: Db, vector: boolean) {
  const sets: { name: string; space: string; questions: EvalQuestion[]; split: boolean; about?: string }[] = [];
  for (const corpus of REAL_CORPORA.filter((c) => CORPORA.includes(c.name))) {
    const started = Date.now();
    const docs = corpus.docs();
    const indexed = await indexCorpus(db, corpus.name, docs, vector ? embeddings : undefined);
    console.log(
      `  ${corpus.name}: ${docs.length} documents, ${indexed.chunks} chunks (${corpus.licence}), indexed in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    sets.push({ name: corpus.name, space: corpus.name, questions: evalQuestions(corpus.name), split: true });
    // Written after the halves by someone who never saw ask's code; scored once before any tuning (README), then
    // tuned on openly.
    if (existsSync(path.join(EVAL_DIR, `${corpus.name}-dev.json`)))
      sets.push({
        name: `${corpus.name} dev set`,
        space: corpus.name,
        questions: evalQuestions(`${corpus.name}-dev`),
        split: false,
        about: 'all questions (a development set)',
      });
  }
  if (CORPORA.includes('pino')) {
    await loadCorpus(db, vector ? embeddings : undefined);
    sets.push({ name: 'pino', space: 'pinojs/pino', questions: pinoQuestions(), split: false });
  }
  if (vector && local) {
    const started = Date.now();
    const { embedded } = await indexDocuments(db, { embeddings: local });
    console.log(
      `  local sentence model: ${embedded} passages embedded in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  type Mode = readonly [string, RetrievalMode, (() => Promise<NamedEmbeddings>) | undefined];
  const modes: Mode[] = [
    ['em-agent text', 'text', undefined] as const,
    ...(vector
      ? ([
          ['em-agent hybrid (hashing)', 'hybrid', embeddings],
          ['em-agent vector (hashing)', 'vector', embeddings],
        ] as const)
      : []),
    ...(vector && local
      ? ([
          ['em-agent hybrid (local)', 'hybrid', local],
          ['em-agent vector (local)', 'vector', local],
        ] as const)
      : []),
  ];
  for (const set of sets) {
    const chunks = await chunksOf(db, set.space);
    const peers = [miniSearchPeer(chunks), tfIdfPeer(chunks)];
    const unlabelled = set.questions
      .flatMap((q) => q.answers)
      .filter((a) => !chunks.some((c) => answersQuestion(c, a)));
    for (const a of unlabelled) console.log(`  !!! label not found in any chunk: ${a.doc} "${a.phrase}"`);
    const emAgent =
      (mode: RetrievalMode, provider: (() => Promise<NamedEmbeddings>) | undefined) =>
      async (question: string): Promise<Outcome> => {
        const retrieved = await retrieve(db, question, {
          mode,
          limit: 10,
          filters: { spaces: [set.space] },
          embeddings: provider,
          vectorAvailable: vector && provider !== undefined,
        });
        return { hits: retrieved.hits, notFound: offlineAnswer(question, retrieved).mode === 'not_found' };
      };
    const halves: [string, EvalQuestion[]][] = set.split
      ? [
          ['tuning half', set.questions.filter((q) => halfOf(q.q) === 'tuning')],
          ['HELD-OUT half', set.questions.filter((q) => halfOf(q.q) === 'held-out')],
        ]
      : [[set.about ?? 'all questions (written and tuned here)', set.questions]];
    for (const [label, questions] of halves) {
      const unanswerable = questions.filter((q) => !q.answers.length).length;
      console.log(
        `\n  ${set.name}, ${label}: ${questions.length} questions (${unanswerable} not answerable), ${chunks.length} chunks`,
      );
      console.log('    system                     recall@5   MRR@10   unanswerable "not found"   answerable refused');
      for (const [name, mode, provider] of modes) console.log(row(name, await run(questions, emAgent(mode, provider))));
      for (const peer of peers) console.log(row(peer.name, await run(questions, async (q) => peer.search(q))));
    }
  }
}

/** Synthetic chunks up to `total`: sentences recombined from the indexed vocabulary, in documents of 20 chunks. */
async function padIndex(db: Db, total: number, vector: boolean) {
  const { rows } = await db.query<{ content: string }>('SELECT content FROM doc_chunks');
  const words = rows.flatMap((r) => r.content.split(/\s+/)).filter((w) => /^[a-z]{3,}$/i.test(w));
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const sentence = (n: number) => Array.from({ length: n }, () => words[Math.floor(random() * words.length)]).join(' ');
  const perDoc = 20;
  const { embeddings: embedder, model, dims } = await embeddings();
  for (let start = rows.length; start < total; start += perDoc * 100) {
    const docs = Array.from(
      { length: Math.min(100, Math.ceil((total - start) / perDoc)) },
      (_, i) => `syn-${start / perDoc + i}`,
    );
    await db.query(
      `INSERT INTO docs (source, external_id, space, title, version, updated_at, body_text, content_hash, indexed_hash)
       SELECT 'synthetic', id, 'SYN', 'Synthetic ' || id, 1, now(), '', $2, $2 FROM unnest($1::text[]) id`,
      [docs, docContentHash('', '')],
    );
    const ids: string[] = [];
    const ordinals: number[] = [];
    const contents: string[] = [];
    for (const id of docs)
      for (let o = 0; o < perDoc; o++) {
        ids.push(id);
        ordinals.push(o);
        contents.push(sentence(120));
      }
    const inserted = await db.query<{ id: string }>(
      `INSERT INTO doc_chunks (source, external_id, ordinal, heading, content)
       SELECT 'synthetic', e, o, 'Synthetic ' || e, c FROM unnest($1::text[], $2::int[], $3::text[]) AS t(e, o, c) RETURNING id`,
      [ids, ordinals, contents],
    );
    if (vector) {
      const vectors = await embedder.embedDocuments(contents);
      await storeEmbeddings(
        db,
        model,
        dims,
        inserted.rows.map((r, i) => ({ id: Number(r.id), embedding: vectors[i] ?? [] })),
      );
    }
  }
  await refreshTermStats(db);
  if (vector) await ensureVectorIndex(db, dims);
  await db.exec('ANALYZE');
}

async function latency(db: Db, engine: string, vector: boolean) {
  const started = Date.now();
  await padIndex(db, TOTAL, vector);
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM doc_chunks');
  console.log(`\n  index padded to ${rows[0]?.n} chunks in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  // Every question of every set, each asked once per mode: no answer comes from a warm cache of the same query.
  const questions = [
    ...new Set([...REAL_CORPORA.flatMap((c) => evalQuestions(c.name)), ...pinoQuestions()].map((q) => q.q)),
  ];
  const goal = engine === 'postgres' ? 100 : 250;
  for (const mode of vector ? (['text', 'vector', 'hybrid'] as const) : (['text'] as const)) {
    const times: number[] = [];
    for (const q of questions) {
      const t0 = process.hrtime.bigint();
      await retrieve(db, q, { mode, limit: 5, embeddings, vectorAvailable: vector });
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    console.log(
      `  ${mode.padEnd(7)} ${questions.length} distinct questions: p50 ${pct(times, 0.5).toFixed(1)} ms  p95 ${pct(times, 0.95).toFixed(1)} ms  (goal p95 < ${goal} ms)`,
    );
  }
}

await onEachEngine('ask', async (engine, db) => {
  const vector = await hasVector(db);
  console.log(`\n=== ${engine}${vector ? '' : ' (no pgvector: vector and hybrid not measured)'}`);
  await quality(db, vector);
  if (!process.env.BENCH_SKIP_LATENCY) await latency(db, engine, vector);
});
