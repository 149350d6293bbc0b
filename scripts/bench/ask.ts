// npm run bench:ask [chunks]: retrieval quality on the shipped labelled corpus (recall@5, MRR) for full-text,
// vector and hybrid, then retrieval latency p50/p95 over a synthetic index (default 50,000 chunks), on each engine.
import { embeddingsFor } from '../../src/ask/embeddings.js';
import { contentHash } from '../../src/ask/indexer.js';
import { retrieve } from '../../src/ask/retrieval.js';
import { ensureVectorIndex, refreshTermStats, storeEmbeddings } from '../../src/ask/store.js';
import type { Db } from '../../src/store/db.js';
import { hasVector } from '../../src/store/migrate.js';
import { corpusQuestions, evaluate, loadCorpus } from '../../test/support/ask-corpus.js';
import { onEachEngine } from './engines.js';

const SYNTHETIC = Number(process.argv[2] ?? 50_000);
const embeddings = embeddingsFor({}); // offline hashing embeddings: no provider is reachable here
const pct = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(p * values.length))] ?? 0;

/** Synthetic chunks: sentences recombined from the corpus vocabulary, in documents of 20 chunks. */
async function syntheticIndex(db: Db, chunks: number, vector: boolean) {
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
  for (let start = 0; start < chunks; start += perDoc * 100) {
    const docs = Array.from(
      { length: Math.min(100, Math.ceil((chunks - start) / perDoc)) },
      (_, i) => `syn-${start / perDoc + i}`,
    );
    await db.query(
      `INSERT INTO docs (source, external_id, space, title, version, updated_at, body_text, content_hash, indexed_hash)
       SELECT 'synthetic', id, 'SYN', 'Synthetic ' || id, 1, now(), '', $2, $2 FROM unnest($1::text[]) id`,
      [docs, contentHash('')],
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
}

await onEachEngine('ask', async (engine, db) => {
  const vector = await hasVector(db);
  await loadCorpus(db, vector ? embeddings : undefined);
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM doc_chunks');
  console.log(
    `\n${engine}: labelled corpus ${rows[0]?.n} chunks, ${corpusQuestions().length} questions${vector ? '' : ' (no pgvector: vector and hybrid not measured)'}`,
  );
  const text = await evaluate(db, 'text');
  console.log(`  full-text  recall@5 ${text.recallAt5.toFixed(3)}  MRR ${text.mrr.toFixed(3)}`);
  if (vector) {
    for (const mode of ['vector', 'hybrid'] as const) {
      const r = await evaluate(db, mode, embeddings);
      console.log(
        `  ${mode.padEnd(9)}  recall@5 ${r.recallAt5.toFixed(3)}  MRR ${r.mrr.toFixed(3)}  (hashing embeddings; ratio to full-text recall ${(r.recallAt5 / text.recallAt5).toFixed(2)})`,
      );
    }
  }
  const started = Date.now();
  await syntheticIndex(db, SYNTHETIC, vector);
  console.log(`  synthetic index: ${SYNTHETIC} chunks built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  for (const mode of vector ? (['text', 'vector', 'hybrid'] as const) : (['text'] as const)) {
    const times: number[] = [];
    for (const q of [...corpusQuestions(), ...corpusQuestions()]) {
      const t0 = process.hrtime.bigint();
      await retrieve(db, q.q, { mode, limit: 5, embeddings, vectorAvailable: vector });
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    console.log(
      `  ${mode.padEnd(9)}  latency over ${SYNTHETIC + (rows[0]?.n ?? 0)} chunks: p50 ${pct(times, 0.5).toFixed(1)} ms  p95 ${pct(times, 0.95).toFixed(1)} ms  (goal p95 < 100 ms on PostgreSQL)`,
    );
  }
});
