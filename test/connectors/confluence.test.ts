import { sourcesMessage } from '../../blocks/sources.js';
import { ConfluenceStandIn } from '../../dev/confluence/server.js';
import { storageToText } from '../../src/connectors/confluence/normalize.js';
import { createConfluenceClient, syncConfluenceSpace } from '../../src/connectors/confluence/sync.js';
import { createLogger } from '../../src/observability/logger.js';
import type { Db } from '../../src/store/db.js';
import { confluenceSyncJobs } from '../../src/sync/jobs.js';
import { UNSHOWN_SOURCE_ERROR } from '../../src/sync/source-errors.js';
import { listSyncStatus, scopeHealth } from '../../src/sync/status-store.js';
import { describeEachEngine } from '../support/engines.js';
import { visibleText } from '../support/slack/harness.js';

const logger = createLogger('silent');

test('storage macros: a code block keeps its code, parameters and task ids are no words, links say their page', () => {
  const text = storageToText(
    '<h2>Rollback</h2><ac:structured-macro ac:name="code" ac:schema-version="1"><ac:parameter ac:name="language">bash</ac:parameter><ac:plain-text-body><![CDATA[deployctl rollback --to v1.41 && echo "<done>"]]></ac:plain-text-body></ac:structured-macro>' +
      '<ac:structured-macro ac:name="toc"><ac:parameter ac:name="maxLevel">3</ac:parameter></ac:structured-macro>' +
      '<ac:task-list><ac:task><ac:task-id>17</ac:task-id><ac:task-status>incomplete</ac:task-status><ac:task-body>Page the SRE</ac:task-body></ac:task></ac:task-list>' +
      '<p>See <ac:link><ri:page ri:content-title="On-call handbook" /></ac:link>, <ac:link><ri:page ri:content-title="Escalation" /><ac:plain-text-link-body><![CDATA[who to call]]></ac:plain-text-link-body></ac:link> and <ac:structured-macro ac:name="jira"><ac:parameter ac:name="key">ENG-12</ac:parameter><ac:parameter ac:name="serverId">1234-abcd</ac:parameter></ac:structured-macro>.</p>',
  );
  // Until 2026-12-08 the code was gone and the text read "bash3 17incompletePage the SRE … ENG-121234-abcd".
  expect(text).toContain('deployctl rollback --to v1.41 && echo "<done>"');
  expect(text).toMatch(/\* Page the SRE/);
  expect(text).toContain('See On-call handbook, who to call and ENG-12.');
  expect(text).not.toMatch(/bash|maxLevel|\b3\b|17|incomplete|1234-abcd/);
});

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

  // Until 2026-12-08 confluence.js threw only the error's body: Retry-After was never read (a second, whatever
  // Atlassian asked), a 401 was retried for 15 s and shown as the vendor's text, an unreachable site read
  // "Cannot read properties of undefined (reading 'data')".
  test('a 429 waits its Retry-After; a 401 fails at once and an unreachable site is said plainly', async () => {
    const db = await freshDb();
    wiki.addPage('ENG', 'On-call handbook', '<p>Page the SRE</p>');
    wiki.failNext(/\/content$/, 429, { retryAfter: 3 });
    const started = Date.now();
    expect((await run(db)).fetched).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2900);

    const sync = async (credentials: { host: string; apiToken: string }) => {
      const job = confluenceSyncJobs({ spaces: ['ENG'], interval: '1 hour' } as never, {
        email: wiki.email,
        ...credentials,
      })[0]!;
      await job.run({ db, logger, touch: async () => {}, signal: new AbortController().signal } as never, {} as never);
      await db.query('UPDATE sync_status SET consecutive_failures = 0'); // no back-off between the two tries
      return (await listSyncStatus(db)).find((s) => s.source === 'confluence')?.lastError;
    };
    const calls = wiki.calls.length;
    expect(await sync({ host: wiki.url, apiToken: 'wrong' })).toBe(
      'authentication failed (401): check the credentials',
    );
    expect(wiki.calls.length).toBe(calls + 1); // not retried
    const closed = await new ConfluenceStandIn().start();
    await closed.stop(); // a port nothing listens on
    const unreachable = await sync({ host: closed.url, apiToken: wiki.apiToken });
    expect(unreachable).toBe('the source cannot be reached');
    expect(unreachable).not.toBe(UNSHOWN_SOURCE_ERROR);
  });

  test('a space served in short pages (capped, restricted pages left out) is read to its end; none is marked deleted', async () => {
    const db = await freshDb();
    const pages = Array.from({ length: 130 }, (_, i) => wiki.addPage('ENG', `Page ${i + 1}`, `<p>Body ${i + 1}</p>`));
    // A whole page of the listing the account may not see: an empty page with more after it.
    for (const p of pages.slice(25, 50)) p.restricted = true;
    pages[60]!.restricted = true;
    expect(await run(db)).toEqual({ fetched: 104, deleted: 0, rejected: 0, lastSkip: null });
    const listings = wiki.calls.filter((c) => c.path.startsWith('/wiki/rest/api/content?'));
    expect(listings).toHaveLength(6); // 25 a page, whatever was asked; the later ones by their cursor
    expect(listings.slice(1).every((c) => /cursor=/.test(c.path))).toBe(true);

    // The next poll changes nothing and deletes nothing; one more page, late in the space, is fetched alone.
    wiki.editPage(pages[120]!.id, '<p>Edited</p>');
    expect(await run(db)).toEqual({ fetched: 1, deleted: 0, rejected: 0, lastSkip: null });
    expect((await docs(db)).filter((d) => d.deleted)).toHaveLength(0);
  });

  test('a listing whose next link comes back fails the run and marks nothing deleted, instead of listing forever', async () => {
    const db = await freshDb();
    for (let i = 1; i <= 60; i += 1) wiki.addPage('ENG', `Page ${i}`, `<p>Body ${i}</p>`);
    await run(db);
    wiki.nextLinkLoops = true;
    await expect(run(db)).rejects.toThrow(/same page twice/);
    expect((await docs(db)).filter((d) => d.deleted)).toHaveLength(0);
  });

  test('a trashed page is marked deleted, and comes back when restored; one trashed while listed is skipped', async () => {
    const db = await freshDb();
    const handbook = wiki.addPage('ENG', 'On-call handbook', '<p>Page the SRE</p>');
    const other = wiki.addPage('ENG', 'Other', '<p>x</p>');
    await run(db);
    wiki.trashPage(handbook.id);
    expect(await run(db)).toMatchObject({ fetched: 0, deleted: 1 });
    wiki.restorePage(handbook.id);
    expect(await run(db)).toMatchObject({ fetched: 1, deleted: 0 });
    expect((await docs(db)).find((d) => d.external_id === handbook.id)).toMatchObject({ deleted: false, version: 1 });

    // Edited, then trashed between the listing and the read of its body: skipped, marked deleted, nothing fails.
    wiki.editPage(other.id, '<p>y</p>');
    wiki.onContentById = (id) => {
      if (id === other.id) wiki.trashPage(other.id);
    };
    expect(await run(db)).toMatchObject({ fetched: 0, deleted: 1, rejected: 0 });
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
