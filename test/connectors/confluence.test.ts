import { sourcesMessage } from '../../blocks/sources.js';
import { ConfluenceStandIn } from '../../dev/confluence/server.js';
import { storageToText } from '../../src/connectors/confluence/normalize.js';
import { createConfluenceClient, syncConfluenceSpace } from '../../src/connectors/confluence/sync.js';
import { createLogger } from '../../src/observability/logger.js';
import type { Db } from '../../src/store/db.js';
import { confluenceSyncJobs } from '../../src/sync/jobs.js';
import { listSyncStatus, scopeHealth } from '../../src/sync/status-store.js';
import { describeEachEngine } from '../support/engines.js';
import { visibleText } from '../support/slack/harness.js';

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
    expect(await run(db)).toEqual({ fetched: 121, deleted: 0, rejected: 0, lastSkip: null });
    expect((await docs(db)).find((d) => d.external_id === rollback.id)).toMatchObject({
      title: 'Rolling back a release',
      version: 1,
      body_text: 'Use deployctl rollback.',
    });

    const before = wiki.calls.length;
    expect(await run(db)).toEqual({ fetched: 0, deleted: 0, rejected: 0, lastSkip: null });
    expect(wiki.calls.slice(before).every((c) => c.path.startsWith('/wiki/rest/api/content?'))).toBe(true); // listings only

    wiki.editPage(rollback.id, '<p>Use deployctl rollback --to v1.41.</p>');
    wiki.deletePage(wiki.pages[0]!.id);
    expect(await run(db)).toEqual({ fetched: 1, deleted: 1, rejected: 0, lastSkip: null });
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

  test('a malformed page is rejected alone, named by its field in /em sources and /ready; the rest is stored', async () => {
    const db = await freshDb();
    const fine = wiki.addPage('ENG', 'Rolling back', '<p>Use deployctl rollback.</p>');
    const noOwner = wiki.addPage('ENG', 'No web link', '<p>Links are optional.</p>');
    const badVersion = wiki.addPage('ENG', 'Version as text', '<p>x</p>');
    const noId = wiki.addPage('ENG', 'No id', '<p>x</p>');
    const badBody = wiki.addPage('ENG', 'Body is null', '<p>x</p>');
    const after = wiki.addPage('ENG', 'After them', '<p>Still stored.</p>');
    wiki.malformed.set(noOwner.id, { listing: { _links: undefined }, body: { _links: undefined } }); // allowed
    wiki.malformed.set(badVersion.id, { listing: { version: { number: 'two', when: badVersion.when } } });
    wiki.malformed.set(noId.id, { listing: { id: undefined } });
    wiki.malformed.set(badBody.id, { body: { body: { storage: { value: null } } } });
    const job = confluenceSyncJobs({ spaces: ['ENG'], interval: '1 hour' } as never, {
      host: wiki.url,
      email: wiki.email,
      apiToken: wiki.apiToken,
    })[0]!;
    await job.run({ db, logger, touch: async () => {}, signal: new AbortController().signal } as never, {} as never);
    expect((await docs(db)).map((d) => d.external_id)).toEqual([fine.id, noOwner.id, after.id]);
    const eng = (await listSyncStatus(db)).find((s) => s.source === 'confluence' && s.scope === 'ENG');
    expect(eng).toMatchObject({ recordsRejected: 3, lastError: null });
    expect(scopeHealth(eng!)).toBe(
      `ok, 3 malformed records skipped (last: ${badBody.id}: body.storage.value: Invalid input: expected string, received null)`,
    );
    const shown = visibleText(sourcesMessage(await listSyncStatus(db), ['confluence']));
    expect(shown).toContain(`3 malformed records skipped (last: ${badBody.id}: body.storage.value:`);
  });
});
