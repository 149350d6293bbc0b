import path from 'node:path';
import { offlineAnswer } from '../../src/ask/answer.js';
import { embeddingsFor } from '../../src/ask/embeddings.js';
import { type RetrievalMode, retrieve } from '../../src/ask/retrieval.js';
import { docsToIndex } from '../../src/ask/store.js';
import type { Db } from '../../src/store/db.js';
import { corpusQuestions, loadCorpus } from '../support/ask-corpus.js';
import {
  answersQuestion,
  docsIn,
  EVAL_DIR,
  evalQuestions,
  halfOf,
  indexCorpus,
  run,
  type Scores,
} from '../support/ask-eval.js';
import { describeEachEngine, serverHasVector } from '../support/engines.js';

const hashing = embeddingsFor({}); // the offline provider, with its measured fusion weight

// A slice of the Node.js API reference (MIT, see test/fixtures/ask-eval/node-docs/LICENSE) and the questions of the
// bench:ask node set that it answers in full, or that no document answers.
const SLICE = 'node-slice';
const sliceDocs = docsIn(path.join(EVAL_DIR, 'node-docs'), /\.md$/);
const sliceQuestions = evalQuestions('node').filter((q) =>
  q.answers.every((a) => sliceDocs.some((d) => d.id === a.doc)),
);
const heldOut = sliceQuestions.filter((q) => halfOf(q.q) === 'held-out');

// Floors from tuning-half figures in text mode, measured once, minus 0.1: the lower of the slice's tuning questions
// (recall@5 0.50, MRR@10 0.57, only 4 answerable) and the whole node set's tuning half (0.565, 0.507 with the title
// field and without HTML comments; 0.57, 0.40 before). Never from the held-out figures they guard.
const FLOOR = { recallAt5: 0.4, mrrAt10: 0.4 };

describeEachEngine('retrieval quality on labelled documentation', ({ freshDb, engine }) => {
  let db: Db;
  const vectorHere = engine === 'pglite' || serverHasVector;
  const withVectors = vectorHere ? test : test.skip;
  beforeAll(async () => {
    db = await freshDb();
    const indexed = await loadCorpus(db, vectorHere ? hashing : undefined);
    expect(indexed.chunks).toBeGreaterThanOrEqual(200);
    const slice = await indexCorpus(db, SLICE, sliceDocs, vectorHere ? hashing : undefined);
    expect(slice.chunks).toBeGreaterThanOrEqual(300);
  }, 180_000);

  const evaluate = (mode: RetrievalMode, used: RetrievalMode = mode): Promise<Scores> =>
    run(heldOut, async (question) => {
      const retrieved = await retrieve(db, question, {
        mode,
        limit: 10,
        filters: { spaces: [SLICE] },
        embeddings: hashing,
        vectorAvailable: mode !== 'text',
      });
      expect(retrieved.used).toBe(used);
      return { hits: retrieved.hits, notFound: offlineAnswer(question, retrieved).mode === 'not_found' };
    });

  test('every label points at a passage that exists (pino set and the node slice)', async () => {
    const { rows } = await db.query<{ external_id: string; heading: string; content: string }>(
      'SELECT external_id, heading, content FROM doc_chunks',
    );
    const missing = [
      ...corpusQuestions().map((q) => ({ doc: q.doc, phrase: q.phrase })),
      ...sliceQuestions.flatMap((q) => q.answers),
    ].filter((a) => !rows.some((r) => answersQuestion({ externalId: r.external_id, ...r }, a)));
    expect(missing).toEqual([]);
    expect(heldOut.filter((q) => q.answers.length).length).toBeGreaterThanOrEqual(10);
    expect(heldOut.some((q) => !q.answers.length)).toBe(true);
  });

  test('full-text keeps recall@5 and MRR@10 above the floor on held-out questions', async () => {
    const text = await evaluate('text');
    expect({ recallAt5: text.recallAt5 >= FLOOR.recallAt5, mrrAt10: text.mrrAt10 >= FLOOR.mrrAt10, text }).toEqual(
      expect.objectContaining({ recallAt5: true, mrrAt10: true }),
    );
  });

  test('the held-out questions the docs cannot answer get "not found"; answerable ones are rarely refused', async () => {
    const text = await evaluate('text');
    // Guards at the tuning halves' rates (git and node: 8 of 10 unanswerable refused, 2 of 51 answerable), rounded
    // in the lenient direction; the goal (7 in 8, 1 in 20) is reported by bench:ask, not asserted here.
    expect(text.unanswerableRefused).toBeGreaterThanOrEqual(Math.floor(0.8 * text.unanswerable));
    expect(text.answerableRefused).toBeLessThanOrEqual(Math.ceil(text.answerable / 10));
  });

  withVectors(
    'offline hybrid ranks as full-text does: the hashing vectors measured as noise are not fused',
    async () => {
      const text = await evaluate('text');
      const hybrid = await evaluate('hybrid', 'text');
      expect(hybrid).toEqual(text);
    },
  );

  withVectors('vector search alone finds a passage from its own words', async () => {
    const { rows } = await db.query<{ id: string; content: string }>(
      `SELECT c.id, c.content FROM doc_chunks c WHERE c.external_id = 'os.md' AND length(c.content) > 400
        ORDER BY c.ordinal LIMIT 3`,
    );
    for (const chunk of rows) {
      const { hits, used } = await retrieve(db, chunk.content.slice(0, 300), {
        mode: 'vector',
        filters: { spaces: [SLICE] },
        embeddings: hashing,
        vectorAvailable: true,
      });
      expect(used).toBe('vector');
      expect(hits[0]?.chunkId).toBe(Number(chunk.id));
    }
  });

  test('indexing again changes nothing until a document changes', async () => {
    expect(await docsToIndex(db)).toEqual([]);
  });
});
