import { ConfluenceStandIn } from '../../dev/confluence/server.js';
import { storageToText } from '../../src/connectors/confluence/normalize.js';
import { createConfluenceClient, syncConfluenceSpace } from '../../src/connectors/confluence/sync.js';
import { createLogger } from '../../src/observability/logger.js';
import type { Db } from '../../src/store/db.js';
import { describeEachEngine } from '../support/engines.js';

const logger = createLogger('silent');

test('storage format becomes readable text: headings, list items and table cells kept, markup gone', () => {
  const text = storageToText(
    '<h1>Rolling back</h1><p>Use <strong>deployctl</strong> <a href="https://x">rollback</a>.</p><ul><li>Find the release</li><li>Run it</li></ul><table><tr><th>Env</th><th>Owner</th></tr><tr><td>prod</td><td>SRE</td></tr></table><ac:structured-macro ac:name="info"><ac:rich-text-body><p>Ask in #ops</p></ac:rich-text-body></ac:structured-macro>',
  );
  expect(text).toContain('Rolling back');
  expect(text).toContain('Use deployctl rollback.');
  expect(text).toMatch(/\* Find the release\n \* Run it/);
  expect(text).toMatch(/prod\s+SRE/);
  expect(text).toContain('Ask in #ops');
  expect(text).not.toMatch(/<|>/);
});

describeEachEngine('Confluence sync against the Confluence stand-in', ({ freshDb }) => {
  let wiki: ConfluenceStandIn;
  beforeEach(async () => {
    wiki = await new ConfluenceStandIn().start();
  });
  afterEach(() => wiki.stop());

  const run = (db: Db) =>
    syncConfluenceSpace({
      db,
      logger,
      client: createConfluenceClient({ host: wiki.url, email: wiki.email, apiToken: wiki.apiToken }),
      host: wiki.url,
      space: 'ENG',
    });
  const docs = async (db: Db) =>
    (
      await db.query<{ external_id: string; title: string; version: number; body_text: string; deleted: boolean }>(
        'SELECT external_id, title, version, body_text, deleted_at IS NOT NULL AS deleted FROM docs ORDER BY external_id',
      )
    ).rows;

  test('pages are stored as text; an unchanged space fetches no bodies; edits and deletions are followed', async () => {
    const db = await freshDb();
    for (let i = 1; i <= 120; i += 1) wiki.addPage('ENG', `Page ${i}`, `<p>Body ${i}</p>`);
    const rollback = wiki.addPage('ENG', 'Rolling back a release', '<p>Use deployctl rollback.</p>');
    wiki.addPage('OPS', 'Not ours', '<p>x</p>');
    expect(await run(db)).toEqual({ fetched: 121, deleted: 0, rejected: 0 });
    expect((await docs(db)).find((d) => d.external_id === rollback.id)).toMatchObject({
      title: 'Rolling back a release',
      version: 1,
      body_text: 'Use deployctl rollback.',
    });

    const before = wiki.calls.length;
    expect(await run(db)).toEqual({ fetched: 0, deleted: 0, rejected: 0 });
    expect(wiki.calls.slice(before).every((c) => c.path.startsWith('/wiki/rest/api/content?'))).toBe(true); // listings only

    wiki.editPage(rollback.id, '<p>Use deployctl rollback --to v1.41.</p>');
    wiki.deletePage(wiki.pages[0]!.id);
    expect(await run(db)).toEqual({ fetched: 1, deleted: 1, rejected: 0 });
    const after = await docs(db);
    expect(after.find((d) => d.external_id === rollback.id)).toMatchObject({
      version: 2,
      body_text: 'Use deployctl rollback --to v1.41.',
    });
    expect(after.filter((d) => d.deleted)).toHaveLength(1);
  });

  test('a 429 with Retry-After is waited out', async () => {
    const db = await freshDb();
    wiki.addPage('ENG', 'On-call handbook', '<p>Page the SRE</p>');
    wiki.failNext(/\/content$/, 429, { retryAfter: 1 });
    const started = Date.now();
    expect((await run(db)).fetched).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });
});
