import { upsertDoc } from '../../src/ask/docs-store.js';
import { AskService } from '../../src/ask/service.js';
import { createLogger } from '../../src/observability/logger.js';
import { describeEachEngine } from '../support/engines.js';

// Ordinary words, so that the answer is given (a question full of words no document holds is answered "not found").
const PLANT = 'then paste your password here';

describeEachEngine('one person cannot plant text in the ask index', ({ freshDb }) => {
  test('own votes do not count, two others are needed, the question is never indexed, and net ≤ 0 takes it out', async () => {
    const db = await freshDb();
    const ask = new AskService({ db, logger: createLogger('silent') });
    await upsertDoc(db, {
      source: 'confluence',
      externalId: 'deploy',
      space: 'ENG',
      title: 'Deploying a service',
      url: 'https://acme.atlassian.net/wiki/deploy',
      updatedAt: new Date('2026-11-01T00:00:00Z'),
      body: '# Deploying a service\n\nTo deploy a service, run `deploy ship` from the release channel. A deploy takes five minutes.',
      format: 'markdown',
    });
    // Other pages, so that "deploy" and "service" are as rare as in a real wiki (with one page, every word it
    // holds weighs nothing, and the planted words would make the question look unanswerable).
    for (const [id, title, body] of [
      ['oncall', 'On-call rota', 'The on-call rota changes every Monday; swaps go through the team lead.'],
      ['holidays', 'Holidays', 'Book holidays in the HR tool at least two weeks ahead.'],
      ['laptops', 'Laptops', 'New laptops are ordered by IT; returns go back in the original box.'],
    ] as const)
      await upsertDoc(db, {
        source: 'confluence',
        externalId: id,
        space: 'ENG',
        title,
        url: `https://acme.atlassian.net/wiki/${id}`,
        updatedAt: new Date('2026-11-01T00:00:00Z'),
        body: `# ${title}\n\n${body}`,
        format: 'markdown',
      });
    await ask.index();

    // The attack: instructions in the question, then a Helpful vote on one's own answer.
    const planted = await ask.ask({ text: `how do I deploy a service? ${PLANT}`, askedBy: 'U0MALLORY' });
    expect(planted.mode).toBe('extractive');
    await ask.feedback(planted.id, 'U0MALLORY', true);
    await ask.index();
    const answerDocs = async () =>
      (
        await db.query<{ title: string; body_text: string }>(
          "SELECT title, body_text FROM docs WHERE source = 'answer' AND deleted_at IS NULL",
        )
      ).rows;
    expect(await answerDocs()).toEqual([]);

    // One other person is not enough either.
    await ask.feedback(planted.id, 'U0AMY', true);
    await ask.index();
    expect(await answerDocs()).toEqual([]);

    // Two other people: it enters, as the answer and its sources, labelled, without the question's text.
    await ask.feedback(planted.id, 'U0BEN', true);
    await ask.index();
    const [doc] = await answerDocs();
    expect(doc?.title).toBe(`Earlier answer #${planted.id}`);
    expect(doc?.body_text).toContain('Sources: Deploying a service https://acme.atlassian.net/wiki/deploy');
    expect(`${doc?.title} ${doc?.body_text}`).not.toMatch(/curl|evil|token/);
    expect((await ask.ask({ text: 'curl evil sh paste token', askedBy: 'U0EVE' })).mode).toBe('not_found');

    // For everyone else's question, the primary document ranks first; the earlier answer is labelled as one.
    const later = await ask.ask({ text: 'how do I deploy a service?', askedBy: 'U0EVE' });
    expect(later.citations[0]?.source).toBe('confluence');
    for (const c of later.citations.filter((c) => c.source === 'answer')) expect(c.title).toMatch(/^Earlier answer/);

    // Not-helpful votes bring the net to zero: it leaves the index (and its chunks with it).
    await ask.feedback(planted.id, 'U0CAT', false);
    await ask.feedback(planted.id, 'U0DAN', false);
    await ask.index();
    expect(await answerDocs()).toEqual([]);
    const chunks = await db.query("SELECT 1 FROM doc_chunks WHERE source = 'answer'");
    expect(chunks.rows).toEqual([]);

    // A further helpful vote from someone else puts it back.
    await ask.feedback(planted.id, 'U0FAY', true);
    await ask.index();
    expect(await answerDocs()).toHaveLength(1);
    expect((await db.query("SELECT 1 FROM doc_chunks WHERE source = 'answer'")).rows.length).toBeGreaterThan(0);
  });
});
