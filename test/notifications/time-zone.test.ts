// The digest comes at the person's time in their own Slack time zone, also when Slack could not say it once: a
// failed users.info is asked again, not answered with the fallback zone until the process restarts. Through the bot
// on the Slack emulator, on both engines.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PolicyBook } from '../../src/approvals/policies.js';
import { NotificationService } from '../../src/notifications/service.js';
import { createLogger } from '../../src/observability/logger.js';
import { describeEachEngine } from '../support/engines.js';
import { type BotHarness, startBotHarness, visibleText } from '../support/slack/harness.js';

describeEachEngine('the digest in the person’s time zone', ({ freshDb }) => {
  let h: BotHarness;
  let dir: string;
  afterAll(async () => {
    await h?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('users.info failing once does not pin the fallback zone: the digest still comes at 09:30 in Tokyo', async () => {
    h = await startBotHarness({ db: await freshDb() });
    dir = mkdtempSync(path.join(tmpdir(), 'em-notify-tz-'));
    const ws = h.emulator.workspace;
    const kenji = ws.addUser({ name: 'kenji', tz: 'Asia/Tokyo' }).id;
    // Wednesday 2026-11-25, 09:00 in Tokyo (00:00 in London, the fallback zone).
    const clock = { now: new Date('2026-11-25T00:00:00Z') };
    const notifications = new NotificationService({
      db: h.db,
      logger: createLogger('silent'),
      slack: () => h.bot.app.client,
      policies: new PolicyBook(dir).reload(),
      expand: async (a) => a,
      scopes: 0,
      settings: { fallbackTimezone: 'Europe/London' },
      clock: () => clock.now,
    });
    notifications.feeds = [
      {
        name: 'chores',
        open: async () => [
          {
            key: 'one',
            recipient: kenji,
            group: 'other',
            title: 'chore one',
            reason: { rule: 'chores', kind: 'chore', text: 'a chore', since: '2026-11-24T00:00:00Z' },
          },
        ],
        closed: async () => [],
      },
    ];
    // Slack refuses users.info for a while (an admin reinstalled the app without users:read, then fixed it).
    h.emulator.revokeScope('users:read');
    expect(await notifications.sendDigests()).toBe(0);
    h.emulator.grantScope('users:read');
    // 10:00 in Tokyo: past Kenji's digest time (01:00 in London).
    clock.now = new Date('2026-11-25T01:00:00Z');
    expect(await notifications.sendDigests()).toBe(1);
    const dms = h.emulator.messagesIn(ws.imWith(kenji).id).map((m) => visibleText(m));
    expect(dms).toHaveLength(1);
    expect(dms[0]).toContain('chore one');
    expect((await notifications.prefsOf(kenji)).timezone).toBe('Asia/Tokyo');
  });
});
