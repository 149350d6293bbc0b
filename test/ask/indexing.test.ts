import { extractiveAnswer, NOT_FOUND, offlineAnswer } from '../../src/ask/answer.js';
import { chunkDocument, markdownSections } from '../../src/ask/chunking.js';
import { upsertDoc } from '../../src/ask/docs-store.js';
import { indexDocuments, ingestOwnHistory } from '../../src/ask/indexer.js';
import { reciprocalRankFusion, retrieve } from '../../src/ask/retrieval.js';
import { parseFilters } from '../../src/ask/service.js';
import { docsToIndex, replaceChunks } from '../../src/ask/store.js';
import { claimIncident, updateRoom } from '../../src/incidents/store.js';
import type { Db } from '../../src/store/db.js';
import { describeEachEngine } from '../support/engines.js';

describe('chunking, fusion and the offline answer (pure)', () => {
  test('markdown is cut at headings (not inside code fences); each chunk knows its heading path', async () => {
    const md = '# Runbook\nintro\n## Deploy\nsteps\n```\n# not a heading\n```\n### Rollback\nundo it\n## Alerts\npager';
    expect(markdownSections(md).map((s) => s.path.join(' > '))).toEqual([
      'Runbook',
      'Runbook > Deploy',
      'Runbook > Deploy > Rollback',
      'Runbook > Alerts',
    ]);
    const chunks = await chunkDocument(
      { title: 'Runbook', body: `# Runbook\n${'word '.repeat(400)}`, format: 'markdown' },
      { size: 800, overlap: 100 },
    );
    expect(chunks.length).toBe(3);
    expect(chunks.every((c) => c.content.length <= 800 && c.heading === 'Runbook')).toBe(true);
  });

  test('headings keep the underscores of code names (access_rules.conf, max_retries) and lose only markup', () => {
    const md = '# `access_rules.conf`\nrules\n## The **max_retries** setting\nthree\n## _Emphasised_ note\ntext';
    expect(markdownSections(md).map((s) => s.path.at(-1))).toEqual([
      'access_rules.conf',
      'The max_retries setting',
      'Emphasised note',
    ]);
  });

  test('HTML comments and link reference definitions, which a reader never sees, are not indexed (code keeps them)', async () => {
    const md = [
      '# fs',
      '## fs.watch(filename)',
      '<!-- YAML',
      'added: v0.5.10',
      'changes:',
      '  - description: The `recursive` option is supported on Linux.',
      '-->',
      'Watch for changes on `filename`.',
      '```html',
      '<!-- shown in the example -->',
      '[ref]: kept.md',
      '```',
      '[`fs.watchFile()`]: #fswatchfilefilename-options-listener',
    ].join('\n');
    const [chunk] = await chunkDocument({ title: 'fs', body: md, format: 'markdown' });
    expect(chunk?.content).toBe(
      'Watch for changes on `filename`.\n```html\n<!-- shown in the example -->\n[ref]: kept.md\n```',
    );
  });

  test('reciprocal rank fusion rewards items both lists rank well; weights tilt it', () => {
    const fused = reciprocalRankFusion(
      [
        ['a', 'b', 'c'],
        ['c', 'b', 'd'],
      ],
      (x) => x,
    ).map((f) => f.item);
    expect(fused.slice(0, 2).sort()).toEqual(['b', 'c']);
    expect(
      reciprocalRankFusion(
        [
          ['a', 'b'],
          ['b', 'a'],
        ],
        (x) => x,
        60,
        [1, 0.25],
      )[0]?.item,
    ).toBe('a');
  });

  test('filters are read out of the question', () => {
    expect(parseFilters('source:Confluence space:ENG how do we deploy? repo:acme/api')).toEqual({
      question: 'how do we deploy?',
      filters: { sources: ['confluence'], spaces: ['ENG', 'acme/api'] },
    });
  });

  test('no passage sharing the question’s words means "not found"', () => {
    const hit = {
      chunkId: 1,
      source: 'confluence',
      externalId: 'x',
      title: 'Lunch',
      url: null,
      heading: 'Lunch',
      content: 'Pizza on Fridays.',
      updatedAt: new Date(),
      score: 1,
    };
    expect(extractiveAnswer('how do we rotate database credentials?', [hit])).toEqual({
      mode: 'not_found',
      text: NOT_FOUND,
      citations: [],
    });
  });
});

describeEachEngine('the ask index', ({ freshDb }) => {
  let db: Db;
  beforeAll(async () => {
    db = await freshDb();
  });
  const doc = (id: string, body: string) =>
    upsertDoc(db, {
      source: 'confluence',
      externalId: id,
      space: 'ENG',
      title: id,
      updatedAt: new Date(),
      body,
      format: 'text',
    });
  const chunkIds = async (id: string) =>
    (await db.query<{ id: string }>('SELECT id FROM doc_chunks WHERE external_id = $1 ORDER BY id', [id])).rows.map(
      (r) => r.id,
    );

  test('code names are found by their parts, and a question naming what no passage mentions is "not found"', async () => {
    await doc(
      'uuid',
      'Use crypto.randomUUID() for request ids. Retries are capped by max_retries in access_rules.conf.',
    );
    await doc('noise', 'Random notes about a UUID-free world and the rules of access to the office.');
    await doc('deploys', 'Deploys go through the release train every Tuesday; the pipeline runs the tests first.');
    await indexDocuments(db);
    const top = async (q: string) => (await retrieve(db, q, { mode: 'text', filters: { spaces: ['ENG'] } })).hits[0];
    expect((await top('how do I call randomUUID?'))?.externalId).toBe('uuid');
    expect((await top('where is the retries setting file, access_rules?'))?.externalId).toBe('uuid');
    const answer = async (q: string) => offlineAnswer(q, await retrieve(db, q, { mode: 'text' })).mode;
    expect(await answer('how do deploys get through the release train?')).toBe('extractive');
    expect(await answer('how do I run the Vercel pipeline for deploys?')).toBe('not_found');
  });

  test('a name only documents outside the searched spaces mention is still "not found" there', async () => {
    const inSpace = (id: string, space: string, body: string) =>
      upsertDoc(db, {
        source: 'confluence',
        externalId: id,
        space,
        title: id,
        updatedAt: new Date(),
        body,
        format: 'text',
      });
    await inSpace(
      'release-train',
      'OPS',
      'Deploys go through the release train every Tuesday; the pipeline runs the tests first.',
    );
    await inSpace('web-notes', 'WEB', 'The marketing site is hosted on Vercel.');
    await indexDocuments(db);
    const q = 'how do I run the Vercel pipeline for deploys?';
    const answer = async (spaces?: string[]) =>
      offlineAnswer(q, await retrieve(db, q, { mode: 'text', filters: spaces ? { spaces } : {} })).mode;
    expect(await answer(['OPS'])).toBe('not_found');
    expect(await answer(['OPS', 'WEB'])).toBe('extractive');
  });

  test('the page a question names by its title ranks before pages that only mention the words', async () => {
    const page = (id: string, body: string) =>
      upsertDoc(db, {
        source: 'github',
        externalId: id,
        space: 'TITLES',
        title: id,
        updatedAt: new Date(),
        body,
        format: 'text',
      });
    await page('git-bisect', 'Use binary search to find the commit that introduced a bug.');
    await page('git-bisect-lk2009', 'Fighting regressions with git bisect: a talk.');
    await page('worker_threads', 'The Worker class runs JavaScript in parallel on its own thread.');
    await page('cluster', 'Clusters of processes share server ports; each worker is a process, not a thread.');
    await indexDocuments(db);
    const top = async (q: string) =>
      (await retrieve(db, q, { mode: 'text', filters: { spaces: ['TITLES'] } })).hits[0]?.externalId;
    expect(await top('git bisect how does it work')).toBe('git-bisect');
    expect(await top('how do I run code in a worker thread?')).toBe('worker_threads');
  });

  test('only documents whose text changed are chunked again', async () => {
    await doc('a', 'Alpha page about canary deployments.');
    await doc('b', 'Beta page about feature flags.');
    expect(await indexDocuments(db)).toMatchObject({ docs: 2 });
    const [a, b] = [await chunkIds('a'), await chunkIds('b')];
    await doc('a', 'Alpha page about canary deployments.'); // same text
    await doc('b', 'Beta page about feature flags and kill switches.');
    expect(await indexDocuments(db)).toMatchObject({ docs: 1 });
    expect(await chunkIds('a')).toEqual(a);
    expect(await chunkIds('b')).not.toEqual(b);
    expect((await retrieve(db, 'kill switches', { mode: 'text' })).hits[0]?.externalId).toBe('b');
  });

  test('two indexings of one document at once (the index job and a reindex, or two replicas) both succeed', async () => {
    await doc('race', '# Race\n\nCanary deployments.');
    const [pending] = await docsToIndex(db);
    if (!pending) throw new Error('the document is not waiting to be indexed');
    const chunks = [
      { ordinal: 0, heading: 'Race', content: 'Canary deployments.' },
      { ordinal: 1, heading: 'Race > More', content: 'Rollbacks.' },
    ];
    // On the server each runs on a connection of its own: without turns, the second insert meets the first's keys.
    for (let round = 0; round < 10; round += 1)
      await Promise.all([replaceChunks(db, pending, chunks), replaceChunks(db, pending, chunks)]);
    const { rows } = await db.query<{ ordinal: number }>(
      "SELECT ordinal FROM doc_chunks WHERE external_id = 'race' ORDER BY ordinal",
    );
    expect(rows.map((r) => r.ordinal)).toEqual([0, 1]);
  });

  test('standups become one document per team and day', async () => {
    await db.query(
      `INSERT INTO standup_entries (team, person, summary) VALUES
         ('payments', 'maya', 'merged the ledger migration'), ('payments', 'raj', 'blocked on the vault upgrade')`,
    );
    await ingestOwnHistory(db);
    await ingestOwnHistory(db); // the second pass finds nothing new
    const { rows } = await db.query<{ body_text: string; version: number }>(
      "SELECT body_text, version FROM docs WHERE source = 'standup'",
    );
    expect(rows).toEqual([
      { body_text: 'maya: merged the ledger migration\nraj: blocked on the vault upgrade', version: 1 },
    ]);
    await indexDocuments(db);
    expect((await retrieve(db, 'vault upgrade', { mode: 'text' })).hits[0]?.source).toBe('standup');
  });

  test('postmortems become searchable documents of their own', async () => {
    const { incident } = await claimIncident(db, {
      requestKey: 'pm',
      title: 'Queue backlog',
      severity: 'SEV2',
      service: 'billing',
      description: null,
      declaredBy: 'U1',
      commander: 'U1',
      openedAt: new Date(),
    });
    await updateRoom(db, incident.id, {
      postmortem: '# Postmortem\n## Contributing factors\nThe consumer pool was exhausted by retries.',
    });
    await ingestOwnHistory(db);
    await indexDocuments(db);
    const { hits } = await retrieve(db, 'why was the consumer pool exhausted?', { mode: 'text' });
    expect(hits[0]).toMatchObject({ source: 'postmortem', title: `Postmortem INC-${incident.number}: Queue backlog` });
  });
});
