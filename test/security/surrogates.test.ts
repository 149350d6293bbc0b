import fc from 'fast-check';
import { truncate } from '../../blocks/text.js';
import { JiraStandIn } from '../../dev/jira/server.js';
import { createJiraClients } from '../../src/connectors/jira/client.js';
import { syncJira } from '../../src/connectors/jira/sync.js';
import { createLogger } from '../../src/observability/logger.js';
import { insertEvents } from '../../src/sync/store.js';
import { describeEachEngine } from '../support/engines.js';

describeEachEngine('a lone surrogate in vendor data', ({ freshDb }) => {
  test('a Jira summary with \\ud800 is stored (as U+FFFD) and the sync moves on', async () => {
    const db = await freshDb();
    const jira = await new JiraStandIn().start();
    try {
      jira.addIssue({ key: 'ENG-1', summary: 'broken \ud800 emoji' });
      jira.addIssue({ key: 'ENG-2', summary: 'fine 🚀' });
      const sync = () =>
        syncJira({
          db,
          logger: createLogger('silent'),
          clients: createJiraClients({ host: jira.url, email: jira.email, apiToken: jira.apiToken }),
          projects: ['ENG'],
          boards: [],
          backfillSince: new Date(Date.now() - 30 * 86_400_000),
          fields: { points: 'customfield_10016', sprint: 'customfield_10020' },
        });
      await sync();
      const { rows } = await db.query<{ key: string; title: string }>('SELECT key, title FROM work_items ORDER BY key');
      expect(rows).toEqual([
        { key: 'ENG-1', title: 'broken \uFFFD emoji' },
        { key: 'ENG-2', title: 'fine 🚀' },
      ]);
      const status = await db.query<{ last_error: string | null }>(
        "SELECT last_error FROM sync_status WHERE source = 'jira'",
      );
      expect(status.rows.every((r) => r.last_error === null)).toBe(true);
    } finally {
      await jira.stop();
    }
  });

  test('an issue the database still cannot store (a NUL character) is rejected, counted and skipped; the cursor moves on', async () => {
    const db = await freshDb();
    const jira = await new JiraStandIn().start();
    try {
      jira.addIssue({ key: 'ENG-1', summary: 'nul \u0000 inside' });
      jira.addIssue({ key: 'ENG-2', summary: 'fine' });
      const sync = () =>
        syncJira({
          db,
          logger: createLogger('silent'),
          clients: createJiraClients({ host: jira.url, email: jira.email, apiToken: jira.apiToken }),
          projects: ['ENG'],
          boards: [],
          backfillSince: new Date(Date.now() - 30 * 86_400_000),
          fields: { points: 'customfield_10016', sprint: 'customfield_10020' },
        });
      expect(await sync()).toMatchObject({ issues: 1, rejected: 1 });
      const { rows } = await db.query<{ key: string }>('SELECT key FROM work_items ORDER BY key');
      expect(rows).toEqual([{ key: 'ENG-2' }]);
      const cursor = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM sync_cursors WHERE source = 'jira'");
      expect(cursor.rows[0]?.n).toBe(1);
    } finally {
      await jira.stop();
    }
  });

  test('events whose payload (jsonb) holds a lone surrogate are stored', async () => {
    const db = await freshDb();
    await insertEvents(db, [
      {
        source: 'github',
        kind: 'pull_request',
        externalId: 'acme/api#1',
        occurredAt: new Date('2026-11-25T12:00:00Z'),
        normalized: { title: 'PR \udc00 title' },
        raw: { title: 'PR \ud800' },
      },
    ]);
    const { rows } = await db.query<{ title: string }>("SELECT normalized->>'title' AS title FROM events");
    expect(rows).toEqual([{ title: 'PR \uFFFD title' }]);
  });
});

test('truncation never splits a surrogate pair or a grapheme', () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom('a', '🚀', '👩‍👩‍👧', 'é', 'e\u0301', '🇫🇷'), { maxLength: 40 }),
      fc.integer({ min: 1, max: 30 }),
      (parts, max) => {
        const text = parts.join('');
        const cut = truncate(text, max);
        expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
        const kept = cut.endsWith('…') && cut !== text ? cut.slice(0, -1) : cut;
        expect(text.startsWith(kept)).toBe(true);
        // The cut falls between graphemes.
        const graphemes = [...new Intl.Segmenter().segment(text)].map((s) => s.segment);
        let acc = '';
        const boundaries = new Set([''].concat(graphemes.map((g) => (acc += g))));
        expect(boundaries.has(kept)).toBe(true);
        expect(cut.length).toBeLessThanOrEqual(Math.max(max, 1));
      },
    ),
    { numRuns: 500, seed: 1606 },
  );
});
