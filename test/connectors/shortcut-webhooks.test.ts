import { type LocalServer, listenLocal } from '../../dev/local-server.js';
import { ShortcutStandIn } from '../../dev/shortcut/server.js';
import { loadConfig } from '../../src/config.js';
import { createShortcutClient, syncShortcut } from '../../src/connectors/shortcut/sync.js';
import { shortcutWebhookRoute } from '../../src/connectors/shortcut/webhooks.js';
import { createLogger } from '../../src/observability/logger.js';
import type { Db } from '../../src/store/db.js';
import { syncCapability } from '../../src/sync/capability.js';
import { parseSources } from '../../src/sync/sources.js';
import { countEvents } from '../../src/sync/store.js';
import { describeEachEngine } from '../support/engines.js';

const logger = createLogger('silent');
const SECRET = 'sc-webhook-secret-0123456789';
const HOUR = 3_600_000;

describeEachEngine('Shortcut webhook (POST /webhooks/shortcut)', ({ freshDb }) => {
  let sc: ShortcutStandIn;
  let hook: LocalServer;
  let db: Db;
  beforeEach(async () => {
    sc = await new ShortcutStandIn().start();
    sc.addTeam('mobile');
    sc.addTeam('web');
    db = await freshDb();
    hook = await listenLocal(
      shortcutWebhookRoute({
        secret: SECRET,
        token: sc.token,
        apiUrl: sc.url,
        db,
        logger,
        teams: ['mobile'],
        incidents: { labels: ['incident'] },
      }),
    );
  });
  afterEach(async () => {
    await hook.close();
    await sc.stop();
  });

  const deliver = (delivery: { body: string; headers: Record<string, string> }) =>
    fetch(`${hook.url}/webhooks/shortcut`, { method: 'POST', body: delivery.body, headers: delivery.headers });
  const item = async (key: string) =>
    (
      await db.query<{ status: string; status_category: string; updated_at: Date }>(
        "SELECT status, status_category, updated_at FROM work_items WHERE source = 'shortcut' AND key = $1",
        [key],
      )
    ).rows[0];

  test('a signed delivery stores the story as polling does; unsigned or wrongly signed ones are refused', async () => {
    sc.addStory({
      id: 1,
      name: 'Pay with Apple Pay',
      team: 'mobile',
      updatedAt: new Date(Date.now() - HOUR).toISOString(),
    });
    const moved = sc.move(1, 'In Progress');

    const unsigned = sc.webhook(moved);
    const calls = sc.requests.length;
    expect((await deliver(unsigned)).status).toBe(401);
    expect((await deliver(sc.webhook(moved, 'not-the-secret'))).status).toBe(401);
    // Refused before anything is read or stored.
    expect(sc.requests.length).toBe(calls);
    expect(await item('SC-1')).toBeUndefined();

    expect((await deliver(sc.webhook(moved, SECRET))).status).toBe(200);
    expect(await item('SC-1')).toMatchObject({ status: 'In Progress', status_category: 'indeterminate' });
    // Delivered again: stored once.
    expect((await deliver(sc.webhook(moved, SECRET))).status).toBe(200);
    expect(await countEvents(db, { source: 'shortcut' })).toBe(1);
    // The next poll finds the story as new as the stored copy: no history read, nothing stored twice.
    sc.requests.length = 0;
    const polled = await syncShortcut({
      db,
      logger,
      client: createShortcutClient({ token: sc.token, apiUrl: sc.url }),
      teams: ['mobile'],
      backfillSince: new Date(Date.now() - 86_400_000),
    });
    expect(polled.stories).toBe(0);
    expect(sc.requests.filter((r) => r.path.endsWith('/history'))).toHaveLength(0);
    expect(await countEvents(db, { source: 'shortcut' })).toBe(1);
  });

  test('a late delivery of an older change does not overwrite newer state; its change is still recorded', async () => {
    sc.addStory({ id: 2, name: 'Crash on launch', team: 'mobile', labels: ['incident'] });
    const started = sc.move(2, 'In Progress', new Date(Date.now() - 2 * HOUR).toISOString());
    const done = sc.move(2, 'Done', new Date(Date.now() - HOUR).toISOString());
    expect((await deliver(sc.webhook(done, SECRET))).status).toBe(200);
    expect((await deliver(sc.webhook(started, SECRET))).status).toBe(200);
    expect(await item('SC-2')).toMatchObject({ status: 'Done', status_category: 'done' });
    const changes = await db.query<{ from_value: string; to_value: string }>(
      "SELECT from_value, to_value FROM work_item_changes WHERE key = 'SC-2' AND field = 'status' ORDER BY changed_at",
    );
    expect(changes.rows).toEqual([
      { from_value: 'To Do', to_value: 'In Progress' },
      { from_value: 'In Progress', to_value: 'Done' },
    ]);
    // Labelled incident: resolved, as polling would have it.
    const incident = await db.query<{ status: string }>("SELECT status FROM incidents WHERE external_id = 'SC-2'");
    expect(incident.rows).toEqual([{ status: 'resolved' }]);
  });

  test('a story of a team sources.yml does not name is acknowledged and ignored; a short 429 on the read is waited out, a long one is not', async () => {
    sc.addStory({ id: 3, name: 'Web only', team: 'web' });
    expect((await deliver(sc.webhook(sc.move(3, 'In Progress'), SECRET))).status).toBe(202);
    expect(await item('SC-3')).toBeUndefined();

    sc.addStory({ id: 4, name: 'Mobile', team: 'mobile' });
    sc.failNext(/\/stories\/4$/, 429, { retryAfter: 1 });
    expect((await deliver(sc.webhook(sc.move(4, 'QA'), SECRET))).status).toBe(200);
    expect(await item('SC-4')).toMatchObject({ status: 'QA' });
    expect(sc.requests.filter((r) => r.path === '/api/v3/stories/4').map((r) => r.status)).toEqual([429, 200]);

    // A long rate limit is not waited out while Shortcut waits on the answer: the delivery fails at once (polling
    // picks the change up), instead of holding the connection for the whole Retry-After, again and again.
    sc.addStory({ id: 5, name: 'Mobile too', team: 'mobile' });
    sc.failNext(/\/stories\/5$/, 429, { times: 4, retryAfter: 8 });
    expect((await deliver(sc.webhook(sc.move(5, 'QA'), SECRET))).status).toBe(500);
    expect(sc.requests.filter((r) => r.path === '/api/v3/stories/5').map((r) => r.status)).toEqual([429]);
  });

  test('the route is mounted only when the secret, the token and sources.yml shortcut are all set', async () => {
    const sources = parseSources('shortcut:\n  teams: [mobile]\n');
    const base = { SHORTCUT_API_TOKEN: sc.token, SHORTCUT_API_URL: sc.url };
    const withSecret = await syncCapability(
      loadConfig({ ...base, SHORTCUT_WEBHOOK_SECRET: SECRET }),
      sources,
      db,
      logger,
    );
    expect(Object.keys(withSecret.routes ?? {})).toEqual(['POST /webhooks/shortcut']);
    const without = await syncCapability(loadConfig(base), sources, db, logger);
    expect(Object.keys(without.routes ?? {})).toEqual([]);
    const unconfigured = await syncCapability(
      loadConfig({ ...base, SHORTCUT_WEBHOOK_SECRET: SECRET }),
      parseSources(''),
      db,
      logger,
    );
    expect(Object.keys(unconfigured.routes ?? {})).toEqual([]);
  });

  // Until 2026-12-08 the story Shortcut said was deleted answered 404 and nothing happened: it stayed, open, with
  // its incident, for good.
  test('a deleted story goes with its incident; a delivery for another story or one never stored changes nothing', async () => {
    sc.addStory({ id: 7, name: 'Checkout down', team: 'mobile', labels: ['incident'] });
    sc.addStory({ id: 8, name: 'Stays', team: 'mobile' });
    expect((await deliver(sc.webhook(sc.move(7, 'In Progress'), SECRET))).status).toBe(200);
    expect((await deliver(sc.webhook(sc.move(8, 'In Progress'), SECRET))).status).toBe(200);
    const incidents = async () =>
      (await db.query<{ external_id: string }>("SELECT external_id FROM incidents WHERE source = 'shortcut'")).rows;
    expect(await incidents()).toEqual([{ external_id: 'SC-7' }]);

    expect((await deliver(sc.webhook(sc.deleteStory(7), SECRET))).status).toBe(200);
    expect(await item('SC-7')).toBeUndefined();
    expect(await item('SC-8')).toMatchObject({ status: 'In Progress' });
    expect(await incidents()).toEqual([]);

    sc.addStory({ id: 9, name: 'Never stored', team: 'web' });
    const other = sc.deleteStory(9);
    expect((await deliver(sc.webhook(other, SECRET))).status).toBe(200);
    expect(await countEvents(db, { source: 'shortcut', kind: 'issue_deleted' })).toBe(1);
  });
});
