import { WebClient } from '@slack/web-api';
import { SlackEmulator } from '../../dev/slack/emulator.js';
import { linkSlackUsersJob } from '../../src/identity/jobs.js';
import { personBy, recordIdentity } from '../../src/identity/store.js';
import { createLogger } from '../../src/observability/logger.js';
import { describeEachEngine } from '../support/engines.js';

const logger = createLogger('silent');

describeEachEngine('identity map', ({ freshDb }) => {
  test('accounts discovered in different sources with the same e-mail are one person', async () => {
    const db = await freshDb();
    await recordIdentity(db, { github: 'alice-gh', email: 'Alice@Acme.dev', displayName: 'Alice' });
    await recordIdentity(db, { jira: 'acc-123', email: 'alice@acme.dev' });
    expect(await personBy(db, 'jira', 'acc-123')).toMatchObject({
      email: 'alice@acme.dev',
      github: 'alice-gh',
      jira: 'acc-123',
      displayName: 'Alice',
    });
  });

  test('no-reply and bot addresses link nobody', async () => {
    const db = await freshDb();
    await recordIdentity(db, { github: 'alice-gh', email: '123+alice@users.noreply.github.com' });
    await recordIdentity(db, { github: 'renovate[bot]', email: 'bot@renovateapp.com' });
    expect(await personBy(db, 'github', 'alice-gh')).toBeUndefined();
    expect((await db.query('SELECT * FROM people')).rowCount).toBe(0);
  });

  test('a manual override wins over discovery, and discovery never steals an id', async () => {
    const db = await freshDb();
    await recordIdentity(db, { github: 'sam', email: 'sam.old@acme.dev' });
    await recordIdentity(db, { github: 'sam', email: 'sam@acme.dev', slack: 'U0SAM' }, true);
    expect(await personBy(db, 'github', 'sam')).toMatchObject({ email: 'sam@acme.dev', slack: 'U0SAM' });
    await recordIdentity(db, { github: 'sam', email: 'sam.old@acme.dev' });
    await recordIdentity(db, { github: 'someone-else', email: 'sam@acme.dev' });
    expect(await personBy(db, 'github', 'sam')).toMatchObject({ email: 'sam@acme.dev' });
    expect(await personBy(db, 'github', 'someone-else')).toBeUndefined();
  });

  test("a commit e-mail cannot claim a hand-made person's empty GitHub slot; a tracker's account e-mail fills it", async () => {
    const db = await freshDb();
    await recordIdentity(db, { email: 'ana@acme.dev', slack: 'U0ANA' }, true);
    // Anyone can write ana's address into a commit.
    await recordIdentity(db, { github: 'mallory', email: 'ana@acme.dev' });
    expect(await personBy(db, 'slack', 'U0ANA')).toMatchObject({ github: null });
    // Jira shows the e-mail of the account's owner.
    await recordIdentity(db, { jira: 'acc-ana', email: 'ana@acme.dev' });
    expect(await personBy(db, 'slack', 'U0ANA')).toMatchObject({ jira: 'acc-ana' });
  });

  test('a Jira account without a visible e-mail is a person of its own, until sources.yml links it', async () => {
    const db = await freshDb();
    await recordIdentity(db, { jira: '5b10ac8d82e05b22cc7d4ef5', email: null, displayName: 'Kim Park' });
    expect(await personBy(db, 'jira', '5b10ac8d82e05b22cc7d4ef5')).toMatchObject({
      email: null,
      displayName: 'Kim Park',
    });
    // Linked by hand without an e-mail (sources.yml people: { jira, slack }).
    await recordIdentity(db, { jira: '5b10ac8d82e05b22cc7d4ef5', slack: 'U0KIM', displayName: 'Kim' }, true);
    expect(await personBy(db, 'slack', 'U0KIM')).toMatchObject({
      jira: '5b10ac8d82e05b22cc7d4ef5',
      displayName: 'Kim',
    });
    // A discovered account-only person gives way to a hand-made entry with an e-mail.
    await recordIdentity(db, { linear: 'lin-ola', displayName: 'Ola' });
    await recordIdentity(db, { email: 'ola@acme.dev', linear: 'lin-ola', github: 'ola-gh' }, true);
    expect(await personBy(db, 'linear', 'lin-ola')).toMatchObject({ email: 'ola@acme.dev', github: 'ola-gh' });
    expect((await db.query('SELECT id FROM people')).rowCount).toBe(2);
  });

  test('the linking job finds Slack users by e-mail and re-checks the others only later', async () => {
    const db = await freshDb();
    const emulator = await new SlackEmulator().start();
    try {
      const alice = emulator.workspace.addUser({ name: 'alice', email: 'alice@acme.dev' });
      await recordIdentity(db, { github: 'alice-gh', email: 'alice@acme.dev' });
      await recordIdentity(db, { github: 'contractor', email: 'contractor@elsewhere.dev' });
      const job = linkSlackUsersJob(new WebClient(emulator.botToken, { slackApiUrl: emulator.apiUrl }));
      await job.run({ db, logger, touch: async () => {}, signal: new AbortController().signal }, {} as never);
      expect(await personBy(db, 'github', 'alice-gh')).toMatchObject({ slack: alice.id });
      expect((await personBy(db, 'github', 'contractor'))?.slack ?? null).toBeNull();
      const lookups = emulator.callsTo('users.lookupByEmail').length;
      await job.run({ db, logger, touch: async () => {}, signal: new AbortController().signal }, {} as never);
      expect(emulator.callsTo('users.lookupByEmail').length).toBe(lookups); // nobody left to check today
    } finally {
      await emulator.stop();
    }
  });
});
