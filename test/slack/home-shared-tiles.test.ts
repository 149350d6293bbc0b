import { WebClient } from '@slack/web-api';
import { SlackEmulator } from '../../dev/slack/emulator.js';
import { createLogger } from '../../src/observability/logger.js';
import { myWorkHomeSection, sprintHomeSection } from '../../src/reports/listeners.js';
import { buildHome, LOADING_TILE, publishHome } from '../../src/slack/home.js';
import type { Db } from '../../src/store/db.js';
import { describeEachEngine } from '../support/engines.js';
import { eventually } from '../support/eventually.js';
import { hoursBefore, ticket } from '../support/fixtures.js';
import { visibleText } from '../support/slack/harness.js';

const logger = createLogger('silent');

/** The sprint tile's text as a person reads it on Home. */
async function sprintTile(db: Db, section: ReturnType<typeof sprintHomeSection>, userId: string) {
  const home = await buildHome([section], { userId, db }, logger);
  return home.sections[0]?.lines.join('\n') ?? '';
}

/** A Db that counts the sprint lookups, so a test can tell a computed tile from a cached one. */
function counting(db: Db): { db: Db; sprintLookups: () => number } {
  let lookups = 0;
  const query: Db['query'] = (sql, params) => {
    if (/FROM sprints s/.test(sql)) lookups += 1;
    return db.query(sql, params);
  };
  return { db: { ...db, query }, sprintLookups: () => lookups };
}

/** A Db whose sprint lookups wait until `release()`: a large org's sprint under load, held as long as a test likes. */
function slowSprints(db: Db): { db: Db; release: () => void } {
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const query: Db['query'] = async (sql, params) => {
    if (/FROM sprints s/.test(sql)) await gate;
    return db.query(sql, params);
  };
  return { db: { ...db, query }, release };
}

describeEachEngine('org-wide Home tiles are shared between people', ({ freshDb }) => {
  async function sprintWithOneDone(db: Db) {
    await db.query(
      "INSERT INTO sprints (source, id, board, name, state, start_at, end_at) VALUES ('jira', '7', '1', 'Sprint 7', 'active', $1, $2)",
      [hoursBefore(4 * 24), hoursBefore(-6 * 24)],
    );
    const inSprint = { sprintIds: ['7'], ageHours: 10 * 24 };
    await ticket(db, { key: 'ENG-1', ...inSprint, points: 3, status: 'Done', statusCategory: 'done' });
    await ticket(db, { key: 'ENG-2', ...inSprint, points: 5, status: 'In Progress', statusCategory: 'indeterminate' });
  }

  test('twenty people opening Home at once compute the sprint tile once and all see it', async () => {
    const base = await freshDb();
    await sprintWithOneDone(base);
    const { db, sprintLookups } = counting(base);
    const section = sprintHomeSection({ freshForMs: 60_000, staleForMs: 600_000 });
    const tiles = await Promise.all(Array.from({ length: 20 }, (_, i) => sprintTile(db, section, `U${i}`)));
    expect(new Set(tiles).size).toBe(1);
    expect(tiles[0]).toContain('3 of 8 committed points done');
    expect(sprintLookups()).toBe(1);
  });

  test('a change shows within the fresh period plus one refresh; a copy too old is never shown', async () => {
    const base = await freshDb();
    await sprintWithOneDone(base);
    const { db, sprintLookups } = counting(base);
    let now = 1_000_000;
    const clock = { now: () => now };
    const section = sprintHomeSection({ freshForMs: 60_000, staleForMs: 600_000, clock });
    expect(await sprintTile(db, section, 'U1')).toContain('3 of 8 committed points done');

    await ticket(base, {
      key: 'ENG-2',
      sprintIds: ['7'],
      ageHours: 10 * 24,
      points: 5,
      status: 'Done',
      statusCategory: 'done',
    });
    now += 30_000; // still fresh: the copy computed for U1
    expect(await sprintTile(db, section, 'U2')).toContain('3 of 8 committed points done');
    expect(sprintLookups()).toBe(1);

    now += 40_000; // past fresh: the old copy is shown at once while a new one is computed
    expect(await sprintTile(db, section, 'U3')).toContain('3 of 8 committed points done');
    const refreshed = await eventually(async () => {
      const tile = await sprintTile(db, section, 'U4');
      return tile.includes('8 of 8') && tile;
    });
    expect(refreshed).toContain('8 of 8 committed points done');
    expect(sprintLookups()).toBe(2);

    await ticket(base, { key: 'ENG-3', sprintIds: ['7'], ageHours: 10 * 24, points: 2 });
    now += 60_000 + 600_001; // older than fresh + stale: the tile waits for the new figures instead
    expect(await sprintTile(db, section, 'U5')).toContain('8 of 10 committed points done');
  });

  /** Runs `see` against a Slack emulator with one person, Ana, and a bot client; stops the emulator after. */
  async function inSlack(see: (slack: { emulator: SlackEmulator; user: string; client: WebClient }) => Promise<void>) {
    const emulator = await new SlackEmulator().start();
    try {
      const user = emulator.workspace.addUser({ name: 'ana', real_name: 'Ana' }).id;
      const client = new WebClient(emulator.botToken, { slackApiUrl: emulator.apiUrl, retryConfig: { retries: 0 } });
      await see({ emulator, user, client });
    } finally {
      await emulator.stop();
    }
  }

  /** A Db that notes, for each sprint lookup, how many times Home had been published when it was asked. */
  function publishesAtLookup(db: Db, published: () => number): { db: Db; lookups: number[] } {
    const lookups: number[] = [];
    const query: Db['query'] = (sql, params) => {
      if (/FROM sprints s/.test(sql)) lookups.push(published());
      return db.query(sql, params);
    };
    return { db: { ...db, query }, lookups };
  }

  test('with no copy yet, the tile is computed after the first publish, not beside the person’s own sections', async () => {
    const base = await freshDb();
    await sprintWithOneDone(base);
    await inSlack(async ({ emulator, user, client }) => {
      const { db, lookups } = publishesAtLookup(base, () => emulator.callsTo('views.publish').length);
      const sections = [myWorkHomeSection(), sprintHomeSection({ freshForMs: 60_000, staleForMs: 600_000 })];
      await publishHome(client, sections, { userId: user, db }, logger);
      expect(lookups).toEqual([1]);
      expect(visibleText({ blocks: emulator.homeOf(user)?.blocks ?? [] })).toContain('3 of 8 committed points done');
    });
  });

  test('a tile that was quick last time is part of the first publish again once its copy is too old', async () => {
    const db = await freshDb();
    await sprintWithOneDone(db);
    await inSlack(async ({ emulator, user, client }) => {
      let now = 1_000_000;
      // What "quick" means is generous here, so that a busy machine does not make this sprint slow.
      const section = sprintHomeSection({
        freshForMs: 60_000,
        staleForMs: 600_000,
        clock: { now: () => now },
        quickMs: 30_000,
        quickWaitMs: 30_000,
      });
      // The first Home after a start: loading, then complete (two publishes).
      await publishHome(client, [section], { userId: user, db }, logger);
      expect(emulator.callsTo('views.publish')).toHaveLength(2);
      now += 60_000 + 600_001; // nobody opened Home for eleven minutes: the copy is too old to show
      await publishHome(client, [section], { userId: user, db }, logger);
      const calls = emulator.callsTo('views.publish');
      expect(calls).toHaveLength(3);
      const shown = visibleText({ blocks: emulator.homeOf(user)?.blocks ?? [] });
      expect(shown).toContain('3 of 8 committed points done');
      expect(shown).not.toContain(LOADING_TILE);
    });
  });

  test('Home is published at once with a slow org-wide tile shown as loading, then again with its figures', async () => {
    const base = await freshDb();
    await sprintWithOneDone(base);
    const { db, release } = slowSprints(base);
    await inSlack(async ({ emulator, user, client }) => {
      const sections = [myWorkHomeSection(), sprintHomeSection({ freshForMs: 60_000, staleForMs: 600_000 })];
      const published = publishHome(client, sections, { userId: user, db }, logger);
      const first = await emulator.waitFor(() => emulator.homeOf(user));
      const shown = visibleText({ blocks: first.blocks });
      expect(shown).toContain('Current sprint');
      expect(shown).toContain(LOADING_TILE);
      expect(emulator.callsTo('views.publish')).toHaveLength(1);
      release();
      await published;
      const complete = visibleText({ blocks: emulator.homeOf(user)?.blocks ?? [] });
      expect(complete).toContain('3 of 8 committed points done');
      expect(complete).not.toContain(LOADING_TILE);
      expect(emulator.callsTo('views.publish')).toHaveLength(2);
    }).finally(release);
  });

  test('a Home published while a tile loads is not overwritten by the late tile', async () => {
    const base = await freshDb();
    await sprintWithOneDone(base);
    const { db, release } = slowSprints(base);
    await inSlack(async ({ emulator, user, client }) => {
      const sections = [myWorkHomeSection(), sprintHomeSection({ freshForMs: 60_000, staleForMs: 600_000 })];
      const published = publishHome(client, sections, { userId: user, db }, logger);
      await emulator.waitFor(() => emulator.homeOf(user));
      // Meanwhile another replica (or a Refresh) publishes a newer Home.
      await client.views.publish({
        user_id: user,
        view: { type: 'home', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'newer Home' } }] },
      });
      release();
      await published;
      const shown = visibleText({ blocks: emulator.homeOf(user)?.blocks ?? [] });
      expect(shown).toContain('newer Home');
      expect(shown).not.toContain('Current sprint');
    }).finally(release);
  });
});
