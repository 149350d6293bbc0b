// The database gone silent, as in a network partition: /ready still answers (503, the database down), and a stop
// that cannot finish still ends the process within SHUTDOWN_TIMEOUT_MS, saying why. The product (src/main.ts) as a
// real process against PostgreSQL through a proxy.
import { SlackEmulator } from '../../dev/slack/emulator.js';
import { dropSchemas, SERVER_URL, serverUp, uniqueSchema } from '../support/engines.js';
import { runTs } from '../support/processes.js';
import { tcpProxy } from '../support/tcp-proxy.js';

const server = serverUp ? describe : describe.skip;
server('SIGTERM while the PostgreSQL server does not answer', () => {
  const schema = uniqueSchema('deadline');
  afterAll(() => dropSchemas([schema]));

  test('/ready answers 503 (database down) instead of hanging; SIGTERM exits by SHUTDOWN_TIMEOUT_MS with code 1 and one error line, instead of waiting for good', async () => {
    const emulator = await new SlackEmulator().start();
    const proxy = await tcpProxy();
    const child = runTs('src/main.ts', {
      HTTP_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      SLACK_BOT_TOKEN: emulator.botToken,
      SLACK_APP_TOKEN: emulator.appToken,
      SLACK_API_URL: emulator.apiUrl,
      DATABASE_URL: proxy.through(SERVER_URL),
      DATABASE_SCHEMA: schema,
      SHUTDOWN_TIMEOUT_MS: '4000',
      METRICS_TOKEN: 'ready-details-token',
    });
    try {
      const [, port] = (await child.waitFor(/"port":(\d+)[^\n]*http server listening/, 90_000)) as string[];
      await child.waitFor(/connected to Slack over Socket Mode/, 90_000);
      const ready = () =>
        fetch(`http://127.0.0.1:${port}/ready`, { headers: { authorization: 'Bearer ready-details-token' } });
      expect((await ready()).status).toBe(200);
      proxy.freeze();
      // Answered, not left hanging: the database check is down, the others up. A second probe meanwhile too.
      const [first, second] = await Promise.all([ready(), ready()]);
      for (const answer of [first, second]) {
        expect(answer.status).toBe(503);
        expect(await answer.json()).toMatchObject({
          status: 'unready',
          checks: { database: false, jobs: true, slack: true },
        });
      }
      child.proc.kill('SIGTERM');
      const { code } = await child.exited();
      expect(child.output()).toMatch(/"msg":"shutdown did not finish within 4 s[^"]*; exiting"/);
      expect(child.output()).not.toContain('stopped cleanly');
      expect(code).toBe(1);
    } finally {
      if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGKILL');
      await child.exited();
      await proxy.close().catch(() => {});
      await emulator.stop();
    }
  }, 120_000);
});
