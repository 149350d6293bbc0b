import { embeddingsFor } from '../../src/ask/embeddings.js';
import { docsToIndex } from '../../src/ask/store.js';
import type { Db } from '../../src/store/db.js';
import { hasVector } from '../../src/store/migrate.js';
import { corpusQuestions, evaluate, loadCorpus } from '../support/ask-corpus.js';
import { describeEachEngine } from '../support/engines.js';

const hashing = embeddingsFor({}); // the offline provider, with its measured fusion weight

describeEachEngine('retrieval quality on the shipped labelled corpus', ({ freshDb, engine }) => {
  let db: Db;
  let vector: boolean;
  beforeAll(async () => {
    db = await freshDb();
    vector = await hasVector(db);
    const indexed = await loadCorpus(db, vector ? hashing : undefined);
    expect(indexed.chunks).toBeGreaterThanOrEqual(200);
  }, 120_000);

  test('the corpus has at least 40 labelled questions, and every label points at a passage that exists', async () => {
    const questions = corpusQuestions();
    expect(questions.length).toBeGreaterThanOrEqual(40);
    for (const q of questions) {
      const { rows } = await db.query(
        "SELECT 1 FROM doc_chunks WHERE external_id = $1 AND heading || ' ' || content ILIKE $2 LIMIT 1",
        [q.doc, `%${q.phrase}%`],
      );
      expect([q.doc, q.phrase, rows.length]).toEqual([q.doc, q.phrase, 1]);
    }
  });

  test('offline full-text recall@5 stays above the floor', async () => {
    const result = await evaluate(db, 'text');
    expect(result.used).toBe('text');
    expect(result.recallAt5).toBeGreaterThanOrEqual(0.8);
  });

  test('hybrid (full-text + vectors, reciprocal rank fusion) is at least as good as full-text alone where pgvector exists', async () => {
    if (!vector) {
      console.warn(`!!! ${engine} has no pgvector: the hybrid check is not run here !!!`);
      return;
    }
    const text = await evaluate(db, 'text');
    const hybrid = await evaluate(db, 'hybrid', hashing);
    expect(hybrid.used).toBe('hybrid');
    expect(hybrid.recallAt5).toBeGreaterThanOrEqual(text.recallAt5 - 0.05);
  });

  test('indexing again changes nothing until a document changes', async () => {
    expect(await docsToIndex(db)).toEqual([]);
  });
});
