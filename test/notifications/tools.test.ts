// A person's own reminders and preferences as tools (the REST API and MCP run them; the Slack buttons and the
// preferences modal too), on both engines: each acts on the person's own items only, bad input gets a clear message.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PolicyBook } from '../../src/approvals/policies.js';
import type { DigestFeed } from '../../src/capabilities/capability.js';
import { type AnyTool, runOrRefuse, runTool, type ToolContext } from '../../src/capabilities/tool.js';
import { notificationsCapability } from '../../src/notifications/capability.js';
import { NotificationService } from '../../src/notifications/service.js';
import { createLogger } from '../../src/observability/logger.js';
import type { Db } from '../../src/store/db.js';
import { describeEachEngine } from '../support/engines.js';

const logger = createLogger('silent');
const ALICE = 'U0ALICE';
const BOB = 'U0BOB';

describeEachEngine('notification tools', ({ freshDb }) => {
  let db: Db;
  let dir: string;
  let service: NotificationService;
  let tools: Map<string, AnyTool>;
  const doneAtSource: string[] = [];

  beforeAll(async () => {
    db = await freshDb();
    dir = mkdtempSync(path.join(tmpdir(), 'em-notify-tools-'));
    service = new NotificationService({
      db,
      logger,
      slack: () => undefined,
      policies: new PolicyBook(dir).reload(),
      expand: async (a) => a,
      scopes: 0,
      settings: { fallbackTimezone: 'UTC' },
    });
    // Two things Alice owes, fed as a capability feeds them.
    const feed: DigestFeed = {
      name: 'chores',
      open: async () =>
        ['one', 'two'].map((key) => ({
          key,
          recipient: ALICE,
          group: 'other',
          title: `chore ${key}`,
          reason: { rule: 'chores', kind: 'chore', text: 'a chore', since: '2026-12-01T00:00:00Z' },
        })),
      closed: async () => [],
      done: async (key) => void doneAtSource.push(key),
    };
    service.feeds = [feed];
    await service.syncFeeds();
    const capability = notificationsCapability(service, { tickEvery: '1 minute' });
    tools = new Map((capability.tools ?? []).map((t) => [t.name, t]));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const as = (slackId: string): ToolContext => ({ person: { slackId }, db, logger, via: 'api' });
  const tool = (name: string) => tools.get(`notifications.${name}`) as AnyTool;
  const lines = async (who: string) => (await service.digestFor(who)).lines;

  test('they act on the asking person’s own reminders only', async () => {
    const [first, second] = await lines(ALICE);
    expect([first?.title, second?.title].sort()).toEqual(['chore one', 'chore two']);
    const notYours = { ok: false, message: 'That reminder is not yours or no longer exists.' };
    expect(await runTool(tool('snooze'), as(BOB), { id: first?.id })).toEqual(notYours);
    expect(await runTool(tool('done'), as(BOB), { id: first?.id })).toEqual(notYours);
    expect(await runTool(tool('done'), as(ALICE), { id: 987_654 })).toEqual(notYours);
    expect(await lines(ALICE)).toHaveLength(2);

    const snoozed = (await runTool(tool('snooze'), as(ALICE), { id: first?.id, until: 'monday' })) as {
      ok: boolean;
      until: Date;
    };
    expect(snoozed.ok).toBe(true);
    expect(snoozed.until.getUTCDay()).toBe(1);
    expect((await lines(ALICE)).map((l) => l.id)).toEqual([second?.id]);

    expect(await runTool(tool('done'), as(ALICE), { id: second?.id })).toMatchObject({ ok: true });
    expect(await lines(ALICE)).toEqual([]);
    // Done in the digest is done where the item came from.
    expect(doneAtSource).toEqual(['two']);
  });

  test('preferences are read and saved; a bad time or half of the quiet hours is refused with what is wrong', async () => {
    expect(await runTool(tool('preferences'), as(BOB), {})).toMatchObject({ quietStart: null, realtimeOff: [] });
    expect(await runOrRefuse(tool('setPreferences'), as(BOB), { digestTime: '9.30' })).toEqual({
      ok: false,
      message: 'digestTime: a time such as 09:30.',
    });
    expect(await runOrRefuse(tool('setPreferences'), as(BOB), { digestTime: '09:30', quietStart: '19:00' })).toEqual({
      ok: false,
      message: 'Quiet hours: give both ends, or neither.',
    });
    const saved = await runTool(tool('setPreferences'), as(BOB), {
      digestTime: '08:15',
      realtimeOff: ['review_requested'],
      quietStart: '19:00',
      quietEnd: '07:00',
      pauseDays: 2,
    });
    expect(saved).toMatchObject({ digestTime: '08:15', realtimeOff: ['review_requested'], quietStart: '19:00' });
    expect(await runTool(tool('preferences'), as(BOB), {})).toEqual(saved);
    expect((await runTool(tool('preferences'), as(ALICE), {})) as { digestTime: string }).not.toMatchObject({
      digestTime: '08:15',
    });
  });

  test('only reading the digest and the preferences is open to the agent; the rest decide', () => {
    expect(Object.fromEntries([...tools.values()].map((t) => [t.name, t.kind]))).toEqual({
      'notifications.digest': 'read',
      'notifications.preferences': 'read',
      'notifications.setPreferences': 'decide',
      'notifications.snooze': 'decide',
      'notifications.done': 'decide',
      'notifications.mute': 'decide',
    });
  });
});
