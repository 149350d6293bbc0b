// Found by an adversarial review of incidents and App Home: each test failed before its fix.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import type { SlackEmulator } from '../../dev/slack/emulator.js';
import { SlackEmulator as Emulator } from '../../dev/slack/emulator.js';
import type { App } from '../../src/app.js';
import { claimIncident } from '../../src/incidents/store.js';
import { startServiceOnEmulator } from '../support/service.js';
import { visibleText } from '../support/slack/harness.js';

interface World {
  dir: string;
  emulator: SlackEmulator;
  users: { alice: string; bob: string };
  eng: string;
}

async function world(): Promise<World> {
  const emulator = await new Emulator().start();
  const ws = emulator.workspace;
  const alice = ws.addUser({ name: 'alice', email: 'alice@acme.dev' }).id;
  const bob = ws.addUser({ name: 'bob', email: 'bob@acme.dev' }).id;
  const eng = ws.addChannel('eng', { members: [alice, bob, ws.botUserId] }).id;
  const dir = mkdtempSync(path.join(tmpdir(), 'em-incidents-review-'));
  return { dir, emulator, users: { alice, bob }, eng };
}

function startService(
  w: World,
  incidentsPolicy: string[],
  policies: string[] = [],
  env: Record<string, string> = {},
): Promise<App> {
  return startServiceOnEmulator(w.emulator, w.dir, {
    policies: [...policies, 'incidents:', ...incidentsPolicy.map((line) => `  ${line}`)].join('\n'),
    env: { INCIDENTS_TICK_MS: '1000', ...env },
  });
}

const dmOf = (w: World, user: string) => w.emulator.messagesIn(w.emulator.workspace.imWith(user).id);

/** `/em incident start <title>` → the form → Declare; returns the incident's channel. */
async function declare(w: World, user: string, title: string, values: Record<string, string> = {}) {
  const before = dmOf(w, user).length;
  await w.emulator.command({ user, channel: w.eng, text: `incident start ${title}` });
  await w.emulator.waitFor(() => w.emulator.topModalOf(user));
  await w.emulator.submitView({ user, values });
  const reply = visibleText(await w.emulator.waitFor(() => dmOf(w, user)[before], 15_000, 'the declare reply'));
  const id = /<#(C[A-Z0-9]+)/.exec(reply)?.[1];
  const room = id ? w.emulator.workspace.channels.get(id) : undefined;
  if (!room) throw new Error(`no channel in the reply: ${reply}`);
  return room;
}

describe('private incidents do not crowd public ones out of Home and /em incident list', () => {
  test('someone outside twenty private rooms (more than a list holds) still sees the public incident', async () => {
    const w = await world();
    const app = await startService(w, ['private_channels: true']);
    try {
      // A tracker incident everyone may see, opened before the private ones.
      await app.db.query(
        `INSERT INTO incidents (source, external_id, scope, title, severity, status, opened_at, url)
         VALUES ('github', 'acme/api#7', 'acme/api', 'Public API returns 502s', 'SEV2', 'open',
                 now() - interval '2 hours', 'https://github.com/acme/api/issues/7')`,
      );
      for (let i = 1; i <= 20; i++) {
        const declared = await app.incidents.declare({
          requestKey: `review-private-${i}`,
          title: `Secret breach ${i}`,
          severity: 'SEV2',
          service: null,
          description: null,
          declaredBy: w.users.alice,
          commander: null,
        });
        expect(declared.outcome).toBe('declared');
      }
      // Bob is in none of the private rooms.
      await w.emulator.openHome(w.users.bob);
      const home = await w.emulator.waitFor(() => w.emulator.homeOf(w.users.bob));
      const homeText = visibleText({ blocks: home.blocks });
      expect(homeText).not.toContain('Secret breach');
      expect(homeText).toContain('Public API returns 502s');

      await w.emulator.command({ user: w.users.bob, channel: w.eng, text: 'incident list' });
      const reply = await w.emulator.waitFor(() =>
        w.emulator.responseUrlPosts.find((p) => visibleText(p.body as never).includes('Open incidents')),
      );
      const listText = visibleText(reply.body as never);
      expect(listText).not.toContain('Secret breach');
      expect(listText).toContain('Public API returns 502s');
    } finally {
      await app.stop();
      await w.emulator.stop();
      rmSync(w.dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('two people resolve the same incident at once', () => {
  test('it is resolved once: one postmortem draft, one "Resolved" entry', async () => {
    const w = await world();
    const app = await startService(w, []);
    try {
      const room = await declare(w, w.users.alice, 'Checkout latency spike', { severity: 'SEV2' });
      w.emulator.workspace.channels.get(room.id)!.members.add(w.users.bob);
      const card = w.emulator
        .messagesIn(room.id)
        .find((m) => m.pinned && JSON.stringify(m.blocks).includes('incident_resolve'))!;
      for (const user of [w.users.alice, w.users.bob]) {
        await w.emulator.click({ user, actionId: 'incident_resolve', where: { channel: room.id, ts: card.ts } });
        await w.emulator.waitFor(() => w.emulator.topModalOf(user)?.callback_id === 'incident_resolve_modal');
      }
      await Promise.all([
        w.emulator.submitView({ user: w.users.alice, values: { summary: 'Rolled back.' } }),
        w.emulator.submitView({ user: w.users.bob, values: { summary: 'Scaled up the pool.' } }),
      ]);
      const drafts = () => w.emulator.messagesIn(room.id).filter((m) => visibleText(m).includes('Postmortem draft'));
      await w.emulator.waitFor(() => drafts().length >= 1, 15_000, 'a postmortem draft');
      // Both submissions have been answered by now (each says resolved or already resolved).
      await w.emulator.waitFor(
        () =>
          [w.users.alice, w.users.bob].every((u) =>
            [...w.emulator.ephemeralsFor(u), ...dmOf(w, u)].some((m) => /resolved/.test(visibleText(m))),
          ),
        15_000,
        'both answered',
      );
      expect(drafts()).toHaveLength(1);
      const incident = await app.incidents.byChannel(room.id);
      const resolvedEntries = (await app.incidents.timeline(incident!.id)).filter((e) => e.kind === 'resolved');
      expect(resolvedEntries).toHaveLength(1);
    } finally {
      await app.stop();
      await w.emulator.stop();
      rmSync(w.dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('a pinned message deleted before the pin is handled (events out of order)', () => {
  test('the deleted message does not come back on the timeline', async () => {
    const w = await world();
    const app = await startService(w, []);
    try {
      const room = await declare(w, w.users.alice, 'Payments declined', { severity: 'SEV2' });
      const incident = await app.incidents.byChannel(room.id);
      const posted = await w.emulator.userPosts({
        user: w.users.bob,
        channel: room.id,
        text: 'customer card 4111 1111 1111 1111 fails',
      });
      await w.emulator.settle();
      // Pinned, then deleted at once (it holds a card number); Slack delivers the deletion first.
      w.emulator.holdEvents();
      const reacted = w.emulator.userReacts({
        user: w.users.alice,
        channel: room.id,
        ts: posted.ts,
        reaction: 'pushpin',
      });
      const deleted = w.emulator.userDeletes({ channel: room.id, ts: posted.ts });
      await w.emulator.releaseEvents({ order: [1, 0] });
      await Promise.all([reacted, deleted]);
      await w.emulator.settle();
      const texts = (await app.incidents.timeline(incident!.id)).map((e) => e.text);
      expect(texts.join('\n')).not.toContain('4111');
    } finally {
      await app.stop();
      await w.emulator.stop();
      rmSync(w.dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('a postmortem with more action items than get a button', () => {
  test('every action item is in the posted draft', async () => {
    const w = await world();
    const app = await startService(
      w,
      ['action_items: { action: jira.create, project: OPS }'],
      ['policies:', `  - { action: jira.create, mode: approve, approvers: ["${w.users.bob}"] }`],
    );
    try {
      const room = await declare(w, w.users.alice, 'Queue consumers stalled', { severity: 'SEV2' });
      const incident = await app.incidents.byChannel(room.id);
      for (let i = 1; i <= 12; i++)
        await app.incidents.addActionItem(incident!, w.users.alice, `follow-up number ${i}`);
      await app.incidents.resolve((await app.incidents.byChannel(room.id))!, w.users.alice, 'Restarted consumers.');
      const draft = await w.emulator.waitFor(() =>
        w.emulator.messagesIn(room.id).find((m) => visibleText(m).includes('Postmortem draft')),
      );
      const text = visibleText(draft);
      expect(text).toContain('File a ticket');
      for (let i = 1; i <= 12; i++) expect(text).toMatch(new RegExp(`follow-up number ${i}\\b`));
    } finally {
      await app.stop();
      await w.emulator.stop();
      rmSync(w.dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('asking the agent what happened in an incident', () => {
  test("the timeline times are the incident co-pilot's local times, as /em incident timeline shows them", async () => {
    const w = await world();
    const app = await startService(w, [], [], { REPORTS_TIMEZONE: 'America/New_York' });
    try {
      const room = await declare(w, w.users.alice, 'Login errors', { severity: 'SEV3' });
      const incident = await app.incidents.byChannel(room.id);
      const local = DateTime.fromJSDate(incident!.openedAt, { zone: 'America/New_York' }).toFormat('yyyy-LL-dd HH:mm');
      const utc = DateTime.fromJSDate(incident!.openedAt, { zone: 'UTC' }).toFormat('yyyy-LL-dd HH:mm');
      const dm = w.emulator.workspace.imWith(w.users.alice).id;
      const asked = await w.emulator.userPosts({
        user: w.users.alice,
        channel: dm,
        text: `what happened in INC-${incident!.number}?`,
      });
      const reply = await w.emulator.waitFor(() =>
        w.emulator
          .messagesIn(dm)
          .find((m) => m.thread_ts === asked.ts && m.user === w.emulator.workspace.botUserId && m.blocks),
      );
      const text = visibleText(reply);
      expect(text).toContain('Declared SEV3: Login errors');
      expect(text).toContain(local);
      expect(text).not.toContain(utc);
      expect(text).toContain('America/New_York');
    } finally {
      await app.stop();
      await w.emulator.stop();
      rmSync(w.dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('a declaration cut off by a restart before its channel existed', () => {
  test('does not block declaring the incident again, and leaves no open incident without a room', async () => {
    const w = await world();
    const app = await startService(w, []);
    try {
      // What a process killed between recording the declaration and creating its channel leaves behind.
      await claimIncident(app.db, {
        requestKey: 'view:V-cut-off',
        title: 'Database is down',
        severity: 'SEV1',
        service: null,
        description: null,
        declaredBy: w.users.alice,
        commander: w.users.alice,
        openedAt: new Date(Date.now() - 5 * 60_000),
      });
      const room = await declare(w, w.users.alice, 'Database is down', { severity: 'SEV1' });
      expect(room.name).toMatch(/database-is-down/);
      const { rows } = await app.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM incident_rooms WHERE channel_id IS NULL',
      );
      expect(rows[0]?.n).toBe(0);
    } finally {
      await app.stop();
      await w.emulator.stop();
      rmSync(w.dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('Home during a large outage', () => {
  test('with more open incidents than the tile shows, it says how many more there are', async () => {
    const w = await world();
    const app = await startService(w, []);
    try {
      await app.db.query(
        `INSERT INTO incidents (source, external_id, scope, title, severity, status, opened_at, url)
         SELECT 'github', 'acme/api#' || n, 'acme/api', 'Region outage part ' || n, 'SEV1', 'open',
                now() - make_interval(mins => n), 'https://github.com/acme/api/issues/' || n
           FROM generate_series(1, 11) AS n`,
      );
      await w.emulator.openHome(w.users.bob);
      const home = await w.emulator.waitFor(() => w.emulator.homeOf(w.users.bob));
      const text = visibleText({ blocks: home.blocks });
      expect(text).toContain('Region outage part 1 ');
      expect(text).toContain('…and 3 more');
    } finally {
      await app.stop();
      await w.emulator.stop();
      rmSync(w.dir, { recursive: true, force: true });
    }
  }, 60_000);
});
