// What an operator sees when em-agent's store cannot be used at start, and that two processes never share the
// embedded database: each case runs the product (src/main.ts) as a real process.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { SlackEmulator } from '../../dev/slack/emulator.js';
import { SERVER_URL, serverUp } from '../support/engines.js';
import { type Child, runTs } from '../support/processes.js';

let emulator: SlackEmulator;
const dirs: string[] = [];
beforeAll(async () => {
  emulator = await new SlackEmulator().start();
});
afterAll(async () => {
  await emulator.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function product(env: Record<string, string>): Child {
  return runTs('src/main.ts', {
    HTTP_PORT: '0',
    HTTP_HOST: '127.0.0.1',
    SLACK_BOT_TOKEN: emulator.botToken,
    SLACK_APP_TOKEN: emulator.appToken,
    SLACK_API_URL: emulator.apiUrl,
    DATABASE_URL: '',
    ...env,
  });
}

/** One line naming the problem, no stack trace, no password. */
function expectOneLine(output: string, pattern: RegExp) {
  const lines = output.split('\n').filter((line) => line.startsWith('em-agent failed to start:'));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(output).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(output).not.toContain('"level":"fatal"');
}

async function stop(child: Child) {
  if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGTERM');
  return child.exited();
}

describe('the embedded database (PGlite) in DATA_DIR', () => {
  test('a second process on the same DATA_DIR stops with one line naming the first, which runs on; once it stopped, the next one starts', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'em-datadir-'));
    dirs.push(dir);
    const first = product({ DATA_DIR: dir });
    try {
      await first.waitFor(/connected to Slack over Socket Mode/, 90_000);
      const second = product({ DATA_DIR: dir });
      const ended = await second.exited().finally(() => stop(second));
      expectOneLine(
        second.output(),
        new RegExp(
          `the data directory ${dir}/pglite is in use by another em-agent process \\(pid ${first.proc.pid} on `,
        ),
      );
      expect(ended.code).toBe(75);
      expect(second.output()).not.toContain('store ready');
      // The first one never noticed.
      expect(first.proc.exitCode).toBeNull();
      first.proc.kill('SIGTERM');
      await first.waitFor(/stopped cleanly/, 30_000);
      expect((await first.exited()).code).toBe(0);

      const third = product({ DATA_DIR: dir });
      try {
        await third.waitFor(/connected to Slack over Socket Mode/, 90_000);
      } finally {
        await stop(third);
      }
    } finally {
      await stop(first);
    }
  }, 240_000);
});

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('DATABASE_URL problems at start: one line, the server named, the password never shown', () => {
  test('PostgreSQL not running: exit 75, says it cannot be reached', async () => {
    const port = await closedPort();
    const child = product({ DATABASE_URL: `postgres://em:S3cretPassw0rd@127.0.0.1:${port}/em` });
    const { code } = await child.exited();
    expectOneLine(child.output(), new RegExp(`PostgreSQL server at 127\\.0\\.0\\.1:${port} cannot be reached`));
    expect(child.output()).not.toContain('S3cretPassw0rd');
    expect(code).toBe(75);
  }, 60_000);

  const server = serverUp ? describe : describe.skip;
  server('against the PostgreSQL server', () => {
    const admin = new pg.Client({ connectionString: SERVER_URL });
    const suffix = `${process.pid}_${Date.now().toString(36)}`;
    const role = `em_owner_${suffix}`;
    const database = `em_owned_${suffix}`;
    const password = `Pw-${suffix}-secret`;
    const url = (user: string, db: string) => {
      const u = new URL(SERVER_URL);
      u.username = user;
      u.password = password;
      u.pathname = `/${db}`;
      return u.toString();
    };
    beforeAll(async () => {
      await admin.connect();
      await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
      await admin.query(`CREATE DATABASE ${database} OWNER ${role}`);
    });
    afterAll(async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
      await admin.end();
    }, 180_000); // dropping a database waits for a checkpoint

    test('a user that does not exist: exit 78, says the login was refused', async () => {
      const child = product({ DATABASE_URL: url(`${role}_nobody`, database) });
      const { code } = await child.exited();
      expectOneLine(child.output(), /refused the login \(role "[^"]+" does not exist\); check the user and password/);
      expect(child.output()).not.toContain(password);
      expect(code).toBe(78);
    }, 60_000);

    test('a database that does not exist: exit 78, names it', async () => {
      const child = product({ DATABASE_URL: url(role, `${database}_missing`) });
      const { code } = await child.exited();
      expectOneLine(child.output(), new RegExp(`has no database "${database}_missing"`));
      expect(child.output()).not.toContain(password);
      expect(code).toBe(78);
    }, 60_000);

    test('the database’s owner is not a superuser (pgvector available, not creatable by it): em-agent starts, without vectors', async () => {
      const child = product({ DATABASE_URL: url(role, database) });
      try {
        await child.waitFor(/connected to Slack over Socket Mode/, 90_000);
        expect(child.output()).toContain('"pgvector":false');
      } finally {
        await stop(child);
      }
    }, 120_000);
  });
});
