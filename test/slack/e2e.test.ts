import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SlackEmulator } from '../../dev/slack/emulator.js';
import { type Child, runTs } from '../support/processes.js';
import { visibleText } from '../support/slack/harness.js';

describe('the em-agent process against the Slack emulator', () => {
  let emulator: SlackEmulator;
  let bot: Child;
  let httpPort: number;
  let alice: string;
  let eng: string;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'em-e2e-'));

  beforeAll(async () => {
    emulator = await new SlackEmulator().start();
    alice = emulator.workspace.addUser({ name: 'alice' }).id;
    eng = emulator.workspace.addChannel('eng', { members: [alice] }).id;
    bot = runTs('src/main.ts', {
      SLACK_BOT_TOKEN: emulator.botToken,
      SLACK_APP_TOKEN: emulator.appToken,
      SLACK_API_URL: emulator.apiUrl,
      DATA_DIR: dataDir,
      HTTP_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      DATABASE_URL: '',
      JOBS_LOCK_LIFETIME_MS: '2000',
      METRICS_TOKEN: 'e2e-token',
    });
    httpPort = Number((await bot.waitFor(/"port":(\d+)/, 60_000))[1]);
    await bot.waitFor(/connected to Slack over Socket Mode/, 30_000);
  });

  afterAll(async () => {
    if (bot.proc.exitCode === null) {
      bot.proc.kill('SIGKILL');
      await bot.exited();
    }
    await emulator.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('it checks its token with auth.test and opens a Socket Mode connection', () => {
    expect(emulator.callsTo('auth.test').some((c) => c.ok)).toBe(true);
    expect(emulator.callsTo('apps.connections.open').some((c) => c.ok)).toBe(true);
    expect(emulator.connectionCount).toBe(1);
  });

  test('/ready reports the Slack socket as connected', async () => {
    const res = await fetch(`http://127.0.0.1:${httpPort}/ready`, { headers: { authorization: 'Bearer e2e-token' } });
    expect(await res.json()).toEqual({ status: 'ready', checks: { database: true, jobs: true, slack: true } });
  });

  test('/em help and an unknown command are answered privately', async () => {
    const help = await emulator.command({ user: alice, channel: eng, text: 'help' });
    expect(visibleText(help.ack as never)).toContain('/em standup [hours]');
    const unknown = await emulator.command({ user: alice, channel: eng, text: 'sprnt' });
    expect(visibleText(unknown.ack as never)).toContain('Did you mean `/em sprint`?');
  });

  test('opening App Home publishes the dashboard; its Refresh button republishes it', async () => {
    await emulator.openHome(alice);
    await emulator.waitFor(() => emulator.homeOf(alice));
    await emulator.click({ user: alice, actionId: 'home_refresh', where: 'home' });
    await emulator.waitFor(() => emulator.callsTo('views.publish').filter((c) => c.ok).length >= 2);
  });

  test('no token reaches the logs', () => {
    expect(bot.output()).not.toContain(emulator.botToken);
    expect(bot.output()).not.toContain(emulator.appToken);
  });

  test('SIGTERM closes the socket and exits cleanly', async () => {
    bot.proc.kill('SIGTERM');
    const { code } = await bot.exited();
    expect(code).toBe(0);
    await emulator.waitFor(() => emulator.connectionCount === 0, 5000, 'socket closed');
  });
});
