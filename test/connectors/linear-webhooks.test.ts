import { LinearStandIn } from '../../dev/linear/server.js';
import { type LocalServer, listenLocal } from '../../dev/local-server.js';
import { createLinearClient, syncLinear } from '../../src/connectors/linear/sync.js';
import { linearWebhookRoute } from '../../src/connectors/linear/webhooks.js';
import { createLogger } from '../../src/observability/logger.js';
import { buildTriage } from '../../src/reports/triage.js';
import type { Db } from '../../src/store/db.js';
import { countEvents } from '../../src/sync/store.js';
import { deriveTrackerIncidents } from '../../src/sync/work-items-store.js';
import { describeEachEngine } from '../support/engines.js';
import { hmacOf, notUtf8, postBytes } from '../support/webhook-bytes.js';

const logger = createLogger('silent');
const SECRET = 'lin_wh_0123456789abcdef';
const INCIDENTS = { labels: ['incident'] };
// The first test of a file also starts its database (PGlite in a worker, migrations): slow on a busy machine.
const FIRST = 180_000;

describeEachEngine('Linear webhooks (POST /webhooks/linear)', ({ freshDb }) => {
  let linear: LinearStandIn;
  let receiver: LocalServer | undefined;
  beforeEach(async () => {
    linear = await new LinearStandIn().start();
  });
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
    await linear.stop();
  });

  /** em-agent's route on a local port, storing into `db`; sources.yml names team APP only. */
  const listen = async (db: Db) => {
    receiver = await listenLocal(
      linearWebhookRoute({ secret: SECRET, db, logger, teams: ['APP'], incidents: INCIDENTS }),
    );
    return receiver.url;
  };

  // What the sync job does: the issues, then the incidents among them.
  const poll = async (db: Db) => {
    await syncLinear({
      db,
      logger,
      client: createLinearClient({ apiKey: linear.apiKey, apiUrl: linear.url }),
      teams: ['APP'],
      backfillSince: new Date(Date.now() - 30 * 86_400_000),
    });
    await deriveTrackerIncidents(db, 'linear', INCIDENTS);
  };

  const workItems = async (db: Db) => (await db.query('SELECT * FROM work_items ORDER BY key')).rows;
  const status = async (db: Db, key: string) =>
    (await db.query<{ status: string }>('SELECT status FROM work_items WHERE key = $1', [key])).rows[0]?.status;
  const sam = { id: 'u-sam', email: 'sam@acme.dev', name: 'Sam' };

  test(
    'signed deliveries are stored as polling stores them, and triage reads them the same',
    async () => {
      const hooked = await freshDb();
      const polled = await freshDb();
      const url = await listen(hooked);
      linear.addIssue({ identifier: 'APP-1', title: 'Checkout times out', assignee: sam, estimate: 5 });
      linear.addIssue({ identifier: 'APP-2', title: 'Payments down in EU', labels: ['Incident', 'backend'] });
      const created = linear.webhookPayload('create', 'APP-2');
      linear.move('APP-1', { name: 'In Progress', type: 'started' });
      expect((await linear.deliverWebhook(url, SECRET, linear.webhookPayload('update', 'APP-1'))).status).toBe(200);
      expect((await linear.deliverWebhook(url, SECRET, created)).status).toBe(200);
      await poll(polled);

      const stored = await workItems(hooked);
      expect(stored).toEqual(await workItems(polled));
      expect(stored).toMatchObject([
        { key: 'APP-1', status: 'In Progress', status_category: 'indeterminate', points: 5, assignee: 'u-sam' },
        { key: 'APP-2', status: 'Todo', status_category: 'new', labels: ['Incident', 'backend'], assignee: null },
      ]);
      // The incident label makes APP-2 an open incident, which triage lists first, as after polling.
      const incidents = async (db: Db) =>
        (await db.query("SELECT external_id, status, title FROM incidents WHERE source = 'linear'")).rows;
      expect(await incidents(hooked)).toEqual([{ external_id: 'APP-2', status: 'open', title: 'Payments down in EU' }]);
      expect(await incidents(hooked)).toEqual(await incidents(polled));
      const triage = await buildTriage(hooked);
      expect(triage).toEqual(await buildTriage(polled));
      expect(JSON.stringify(triage)).toContain('Payments down in EU');
    },
    FIRST,
  );

  test('a delivery not signed with the secret is refused with 401 and stores nothing', async () => {
    const db = await freshDb();
    const url = await listen(db);
    linear.addIssue({ identifier: 'APP-1', title: 'one' });
    const answer = await linear.deliverWebhook(url, 'not-the-secret', linear.webhookPayload('create', 'APP-1'));
    expect(answer.status).toBe(401);
    expect(await countEvents(db)).toBe(0);
  });

  test('a delivery whose webhookTimestamp is more than 60 s old is refused (a replay), even when signed', async () => {
    const db = await freshDb();
    const url = await listen(db);
    linear.addIssue({ identifier: 'APP-1', title: 'one' });
    const payload = linear.webhookPayload('create', 'APP-1');
    const stale = await linear.deliverWebhook(url, SECRET, payload, { timestamp: Date.now() - 120_000 });
    expect(stale).toEqual({ status: 401, text: 'webhookTimestamp missing or more than 60 s from now (a replay?)' });
    expect(await countEvents(db)).toBe(0);
    expect((await linear.deliverWebhook(url, SECRET, payload)).status).toBe(200);
    expect(await countEvents(db)).toBe(1);
  });

  test('the signature is over the bytes sent: a title with a byte that is not UTF-8 is stored; the same text in other bytes is refused', async () => {
    const db = await freshDb();
    const url = await listen(db);
    linear.addIssue({ identifier: 'APP-1', title: 'Login NOT-UTF8 fails' });
    const payload = { ...linear.webhookPayload('create', 'APP-1'), webhookTimestamp: Date.now() };
    const { invalid, decoded } = notUtf8(payload, 'NOT-UTF8');
    const deliver = (body: Buffer, signed: Buffer) =>
      postBytes(url, body, { 'linear-signature': hmacOf(SECRET, signed) });
    expect((await deliver(invalid, decoded)).status).toBe(401);
    expect(await workItems(db)).toEqual([]);
    expect((await deliver(invalid, invalid)).status).toBe(200);
    expect((await workItems(db)).map((w) => w.title)).toEqual(['Login \uFFFD fails']);
  });

  test('two updates delivered out of order: the newer state stays', async () => {
    const db = await freshDb();
    const url = await listen(db);
    linear.addIssue({ identifier: 'APP-3', title: 'Flaky login' });
    linear.move('APP-3', { name: 'In Progress', type: 'started' });
    const first = linear.webhookPayload('update', 'APP-3');
    linear.move('APP-3', { name: 'Done', type: 'completed' });
    const second = linear.webhookPayload('update', 'APP-3');
    expect((await linear.deliverWebhook(url, SECRET, second)).status).toBe(200);
    expect((await linear.deliverWebhook(url, SECRET, first)).status).toBe(200);
    expect(await status(db, 'APP-3')).toBe('Done');
  });

  test('the same delivery twice is stored once', async () => {
    const db = await freshDb();
    const url = await listen(db);
    linear.addIssue({ identifier: 'APP-4', title: 'Dark mode' });
    const payload = linear.webhookPayload('create', 'APP-4');
    await linear.deliverWebhook(url, SECRET, payload);
    await linear.deliverWebhook(url, SECRET, payload);
    expect(await countEvents(db, { source: 'linear' })).toBe(1);
    expect(await workItems(db)).toHaveLength(1);
  });

  test('an issue of a team sources.yml does not name is acknowledged (202) and ignored', async () => {
    const db = await freshDb();
    const url = await listen(db);
    linear.addIssue({ identifier: 'OPS-1', title: 'Rotate certificates' });
    const answer = await linear.deliverWebhook(url, SECRET, linear.webhookPayload('create', 'OPS-1'));
    expect(answer).toEqual({ status: 202, text: 'ignored: team OPS is not in sources.yml' });
    expect(await countEvents(db)).toBe(0);
  });

  test('a removed issue goes, and a late update of it does not bring it back', async () => {
    const db = await freshDb();
    const url = await listen(db);
    linear.addIssue({ identifier: 'APP-5', title: 'Duplicate' });
    const late = linear.webhookPayload('update', 'APP-5');
    await linear.deliverWebhook(url, SECRET, linear.webhookPayload('create', 'APP-5'));
    expect(await workItems(db)).toHaveLength(1);
    expect((await linear.deliverWebhook(url, SECRET, linear.removeIssue('APP-5'))).status).toBe(200);
    expect(await workItems(db)).toEqual([]);
    await linear.deliverWebhook(url, SECRET, late);
    expect(await workItems(db)).toEqual([]);
  });

  // Until 2026-12-08 the delivery was ignored (its team is not in sources.yml) and APP-5 stayed, open, for good.
  test('an issue moved to a team sources.yml does not name leaves: its old identifier goes, a late update keeps it gone', async () => {
    const db = await freshDb();
    const url = await listen(db);
    linear.addIssue({ identifier: 'APP-5', title: 'Belongs to ops' });
    await poll(db);
    const late = linear.webhookPayload('update', 'APP-5');
    const moved = linear.moveToTeam('APP-5', 'OPS');
    expect((await linear.deliverWebhook(url, SECRET, linear.webhookPayload('update', moved))).status).toBe(200);
    expect(await workItems(db)).toEqual([]);
    await linear.deliverWebhook(url, SECRET, late);
    expect(await workItems(db)).toEqual([]);
  });
});
