// The local sentence model (ASK_EMBEDDINGS=local): real all-MiniLM-L6-v2 weights on a worker thread, stored in
// pgvector on both engines. What it adds over full-text: a passage that shares no word with the question.
import { upsertDoc } from '../../src/ask/docs-store.js';
import { embeddingsFor } from '../../src/ask/embeddings.js';
import { indexDocuments } from '../../src/ask/indexer.js';
import { stopLocalEmbeddings } from '../../src/ask/local-embeddings.js';
import { retrieve } from '../../src/ask/retrieval.js';
import type { Db } from '../../src/store/db.js';
import { describeEachEngine } from '../support/engines.js';

const DOCS = {
  gc: 'git gc cleans up unnecessary files and optimizes the local repository: it compresses file revisions and removes unreachable objects, so the .git directory gets smaller.',
  disk: 'Disk quotas: each CI runner has a disk quota. When the disk fills up, builds fail; ask ops to raise the disk quota.',
  repo: 'Creating a repo: use the org template to create a new repo, then add a CODEOWNERS file to the repo.',
  oncall: 'The on-call rotation changes every Monday at 10:00; swap shifts in the rota sheet.',
};

afterAll(() => stopLocalEmbeddings());

describeEachEngine('ask with the local sentence model', ({ freshDb }) => {
  let db: Db;
  const embeddings = embeddingsFor({ ASK_EMBEDDINGS: 'local' });
  beforeAll(async () => {
    db = await freshDb();
    for (const [id, body] of Object.entries(DOCS))
      await upsertDoc(db, {
        source: 'confluence',
        externalId: id,
        space: 'ENG',
        title: id,
        updatedAt: new Date(),
        body,
        format: 'text',
      });
  });

  test('passages are embedded once, 384 numbers each, under the model they came from', async () => {
    const first = await indexDocuments(db, { embeddings });
    expect(first.embedded).toBe(Object.keys(DOCS).length);
    expect((await indexDocuments(db, { embeddings })).embedded).toBe(0);
    const { rows } = await db.query<{ model: string; dims: number }>('SELECT DISTINCT model, dims FROM doc_embeddings');
    expect(rows).toEqual([{ model: 'minilm-l6-v2', dims: 384 }]);
  }, 60_000);

  test('a question sharing no word with its answer: full-text misses the passage, meaning finds it', async () => {
    const question = 'who do I ask to trade my weekend pager duty';
    const ids = async (mode: 'text' | 'vector' | 'hybrid') =>
      (await retrieve(db, question, { mode, embeddings, vectorAvailable: true, limit: 3 })).hits.map(
        (h) => h.externalId,
      );
    expect(await ids('text')).not.toContain('oncall');
    expect((await ids('vector'))[0]).toBe('oncall');
    expect(await ids('hybrid')).toContain('oncall');
  }, 60_000);
});
