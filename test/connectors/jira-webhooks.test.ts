import { JiraStandIn } from '../../dev/jira/server.js';
import { type LocalServer, listenLocal } from '../../dev/local-server.js';
import { createJiraClients } from '../../src/connectors/jira/client.js';
import { syncJira } from '../../src/connectors/jira/sync.js';
import { jiraWebhookRoute } from '../../src/connectors/jira/webhooks.js';
import { createLogger } from '../../src/observability/logger.js';
import { buildStandup } from '../../src/reports/standup.js';
import type { Db } from '../../src/store/db.js';
import { countEvents } from '../../src/sync/store.js';
import { describeEachEngine } from '../support/engines.js';
import { hmacOf, notUtf8, postBytes } from '../support/webhook-bytes.js';

const logger = createLogger('silent');
const SECRET = 'jira-webhook-secret-0123456789';
// The first test of a file also starts its database (PGlite in a worker, migrations): slow on a busy machine.
const FIRST = 180_000;
const FIELDS = { points: 'customfield_10016', sprint: 'customfield_10020' };

describeEachEngine('Jira webhooks (POST /webhooks/jira)', ({ freshDb }) => {
  let jira: JiraStandIn;
  let receiver: LocalServer | undefined;
  beforeEach(async () => {
    jira = await new JiraStandIn().start();
  });
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
    await jira.stop();
  });

  /** em-agent's route on a local port, storing into `db`; sources.yml names project ENG only. */
  const listen = async (db: Db) => {
    receiver = await listenLocal(
      jiraWebhookRoute({
        secret: SECRET,
        db,
        logger,
        host: jira.url,
        projects: ['ENG'],
        fields: FIELDS,
        incidents: { issue_types: ['Incident'], labels: [] },
      }),
    );
    return receiver.url;
  };

  const poll = (db: Db) =>
    syncJira({
      db,
      logger,
      clients: createJiraClients({ host: jira.url, email: jira.email, apiToken: jira.apiToken }),
      projects: ['ENG'],
      boards: [],
      backfillSince: new Date(Date.now() - 30 * 86_400_000),
      fields: FIELDS,
    });

  const workItems = async (db: Db) => (await db.query('SELECT * FROM work_items ORDER BY key')).rows;
  const changes = async (db: Db) =>
    (
      await db.query(
        'SELECT key, change_id, field, from_value, to_value, author, changed_at FROM work_item_changes ORDER BY key, change_id, field',
      )
    ).rows;
  const status = async (db: Db, key: string) =>
    (await db.query<{ status: string }>('SELECT status FROM work_items WHERE key = $1', [key])).rows[0]?.status;

  test(
    'signed deliveries are stored as polling stores them, and the standup reads them the same',
    async () => {
      const hooked = await freshDb();
      const polled = await freshDb();
      const url = await listen(hooked);
      jira.addIssue({ key: 'ENG-1', summary: 'Retry payments', points: 3, assignee: 'acc-sam' });
      const created = jira.webhookPayload('jira:issue_created', 'ENG-1');
      jira.transition('ENG-1', 'In Progress', 'indeterminate', 'acc-sam');
      const updated = jira.webhookPayload('jira:issue_updated', 'ENG-1');
      expect((await jira.deliverWebhook(url, SECRET, created)).status).toBe(200);
      expect((await jira.deliverWebhook(url, SECRET, updated)).status).toBe(200);
      await poll(polled);

      const stored = await workItems(hooked);
      expect(stored).toEqual(await workItems(polled));
      expect(stored).toMatchObject([
        { key: 'ENG-1', status: 'In Progress', status_category: 'indeterminate', points: 3, assignee: 'acc-sam' },
      ]);
      // The transition's history entry, under the id Jira's changelog gives it: stored once whichever way came first.
      expect(await changes(hooked)).toEqual(await changes(polled));
      expect((await changes(hooked)).map((c) => [c.field, c.from_value, c.to_value])).toEqual([
        ['status', 'To Do', 'In Progress'],
      ]);
      const now = new Date(Date.now() + 60_000);
      const fromHooks = await buildStandup(hooked, { hours: 24, now });
      expect(fromHooks).toEqual(await buildStandup(polled, { hours: 24, now }));
      expect(fromHooks.people.flatMap((p) => p.moved.map((m) => `${m.key} → ${m.to}`))).toEqual([
        'ENG-1 → In Progress',
      ]);
      // Polling afterwards adds nothing: the same versions were already stored.
      const events = await countEvents(hooked, { source: 'jira' });
      await poll(hooked);
      expect(await countEvents(hooked, { source: 'jira' })).toBe(events);
      expect(await changes(hooked)).toEqual(await changes(polled));
    },
    FIRST,
  );

  test('a delivery not signed with the secret is refused with 401 and stores nothing', async () => {
    const db = await freshDb();
    const url = await listen(db);
    jira.addIssue({ key: 'ENG-1', summary: 'Retry payments' });
    const payload = jira.webhookPayload('jira:issue_created', 'ENG-1');
    expect((await jira.deliverWebhook(url, 'not-the-secret', payload)).status).toBe(401);
    const unsigned = await fetch(url, { method: 'POST', body: JSON.stringify(payload) });
    expect(unsigned.status).toBe(401);
    expect(await countEvents(db)).toBe(0);
    expect(await workItems(db)).toEqual([]);
  });

  test('the signature is over the bytes sent: a summary with a byte that is not UTF-8 is stored; the same text in other bytes is refused', async () => {
    const db = await freshDb();
    const url = await listen(db);
    jira.addIssue({ key: 'ENG-1', summary: 'Retry NOT-UTF8 payments' });
    const { invalid, decoded } = notUtf8(jira.webhookPayload('jira:issue_created', 'ENG-1'), 'NOT-UTF8');
    const deliver = (body: Buffer, signed: Buffer) =>
      postBytes(url, body, { 'x-hub-signature': `sha256=${hmacOf(SECRET, signed)}` });
    expect((await deliver(invalid, decoded)).status).toBe(401);
    expect(await workItems(db)).toEqual([]);
    expect((await deliver(invalid, invalid)).status).toBe(200);
    expect((await workItems(db)).map((w) => w.title)).toEqual(['Retry \uFFFD payments']);
  });

  test('two updates delivered out of order: the newer state stays; both transitions are history', async () => {
    const db = await freshDb();
    const url = await listen(db);
    jira.addIssue({ key: 'ENG-2', summary: 'Flaky login', assignee: 'acc-sam' });
    jira.transition('ENG-2', 'In Progress', 'indeterminate');
    const first = jira.webhookPayload('jira:issue_updated', 'ENG-2');
    jira.transition('ENG-2', 'Done', 'done');
    const second = jira.webhookPayload('jira:issue_updated', 'ENG-2');
    expect((await jira.deliverWebhook(url, SECRET, second)).status).toBe(200);
    expect((await jira.deliverWebhook(url, SECRET, first)).status).toBe(200);
    expect(await status(db, 'ENG-2')).toBe('Done');
    expect((await changes(db)).map((c) => c.to_value)).toEqual(['In Progress', 'Done']);
  });

  test('the same delivery twice is stored once', async () => {
    const db = await freshDb();
    const url = await listen(db);
    jira.addIssue({ key: 'ENG-3', summary: 'Dark mode' });
    jira.transition('ENG-3', 'In Progress', 'indeterminate');
    const payload = jira.webhookPayload('jira:issue_updated', 'ENG-3');
    await jira.deliverWebhook(url, SECRET, payload);
    await jira.deliverWebhook(url, SECRET, payload);
    expect(await countEvents(db, { source: 'jira' })).toBe(1);
    expect(await changes(db)).toHaveLength(1);
    expect(await workItems(db)).toHaveLength(1);
  });

  test('an issue of a project sources.yml does not name is acknowledged (202) and ignored', async () => {
    const db = await freshDb();
    const url = await listen(db);
    jira.addIssue({ key: 'OPS-1', summary: 'Rotate certificates' });
    const answer = await jira.deliverWebhook(url, SECRET, jira.webhookPayload('jira:issue_created', 'OPS-1'));
    expect(answer).toEqual({ status: 202, text: 'ignored: project OPS is not in sources.yml' });
    expect(await countEvents(db)).toBe(0);
  });

  test('a deleted issue goes, and a late update of it does not bring it back', async () => {
    const db = await freshDb();
    const url = await listen(db);
    jira.addIssue({ key: 'ENG-4', summary: 'Duplicate of ENG-3' });
    const created = jira.webhookPayload('jira:issue_created', 'ENG-4');
    jira.transition('ENG-4', 'In Progress', 'indeterminate');
    const late = jira.webhookPayload('jira:issue_updated', 'ENG-4');
    await jira.deliverWebhook(url, SECRET, created);
    expect(await status(db, 'ENG-4')).toBe('To Do');
    expect((await jira.deliverWebhook(url, SECRET, jira.deleteIssue('ENG-4'))).status).toBe(200);
    expect(await workItems(db)).toEqual([]);
    expect((await jira.deliverWebhook(url, SECRET, late)).status).toBe(200);
    expect(await workItems(db)).toEqual([]);
  });

  // Until 2026-12-08 the delivery was ignored (its project is not in sources.yml) and ENG-4 stayed, open, for good.
  test('an issue moved to a project sources.yml does not name leaves: its old key goes, a late update keeps it gone', async () => {
    const db = await freshDb();
    const url = await listen(db);
    jira.addIssue({ key: 'ENG-4', summary: 'Belongs to support' });
    await poll(db);
    const late = jira.webhookPayload('jira:issue_created', 'ENG-4');
    const moved = jira.moveIssue('ENG-4', 'SUP');
    const answer = await jira.deliverWebhook(url, SECRET, jira.webhookPayload('jira:issue_updated', moved));
    expect(answer.status).toBe(200);
    expect(await workItems(db)).toEqual([]);
    expect((await jira.deliverWebhook(url, SECRET, late)).status).toBe(200);
    expect(await workItems(db)).toEqual([]);
  });
});
