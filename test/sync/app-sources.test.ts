import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { openStore } from '../../src/store/open.js';
import { listSyncStatus } from '../../src/sync/status-store.js';
import { eventually } from '../support/eventually.js';
import { runTs } from '../support/processes.js';

/** Writes `sources.yml` into `dir` and starts the service on it (embedded store, fast job polling). */
/** /ready shows each scope only to holders of METRICS_TOKEN. */
const READY_TOKEN = 'sources-test-token';
const readyDetails = (port: number) =>
  fetch(`http://127.0.0.1:${port}/ready`, { headers: { authorization: `Bearer ${READY_TOKEN}` } }).then((r) =>
    r.json(),
  );

function startWithSources(dir: string, yaml: string, env: Record<string, string> = {}) {
  const file = path.join(dir, 'sources.yml');
  writeFileSync(file, yaml);
  return startApp(
    loadConfig({
      DATA_DIR: path.join(dir, 'data'),
      SOURCES_FILE: file,
      HTTP_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      JOBS_POLL_MS: '100',
      JOBS_LOCK_LIFETIME_MS: '1000',
      METRICS_TOKEN: READY_TOKEN,
      ...env,
    }),
    createLogger('silent'),
  );
}

/** Resolves with the sync statuses once there are `count` of them. */
function statusesOnce(app: { db: Parameters<typeof listSyncStatus>[0] }, count: number) {
  return eventually(async () => {
    const all = await listSyncStatus(app.db);
    return all.length === count ? all : undefined;
  });
}

describe('sources.yml in the running service', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'em-sources-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('each configured scope gets a sync job; without credentials each says what is missing', async () => {
    const app = await startWithSources(
      dir,
      'github:\n  installations:\n    - id: 1\n      repos: [acme/api]\njira:\n  projects: [ENG]\nconfluence:\n  spaces: [ENG]\n',
    );
    try {
      const statuses = await statusesOnce(app, 3);
      expect(statuses.map((s) => [s.source, s.scope, s.lastError])).toEqual([
        ['confluence', 'ENG', 'CONFLUENCE_HOST, CONFLUENCE_EMAIL and CONFLUENCE_API_TOKEN are not set'],
        ['github', 'acme/api', 'GITHUB_APP_ID and GITHUB_PRIVATE_KEY are not set'],
        ['jira', 'ENG', 'JIRA_HOST, JIRA_EMAIL and JIRA_API_TOKEN are not set'],
      ]);
    } finally {
      await app.stop();
    }
  });

  test('an invalid sources.yml stops start-up with the file, line and field', async () => {
    const file = path.join(dir, 'bad.yml');
    writeFileSync(file, 'github:\n  installations:\n    - id: 1\n      repos: [not-a-repo]\n');
    // With Slack tokens (the offline demo brings its own sources); the file is checked before anything connects.
    const child = runTs('src/main.ts', {
      SOURCES_FILE: file,
      DATA_DIR: path.join(dir, 'data2'),
      HTTP_PORT: '0',
      SLACK_BOT_TOKEN: 'xoxb-1-unused',
      SLACK_APP_TOKEN: 'xapp-1-unused',
      SLACK_API_URL: 'http://127.0.0.1:9/api/',
    });
    const { code } = await child.exited();
    expect(code).toBe(78);
    expect(child.output()).toContain(`${file}:4: github.installations.0.repos.0: must look like owner/repo`);
  });
});

describe('one failing scope does not stop the others', () => {
  test('a repository the App cannot see fails alone, and /ready shows each scope', async () => {
    const { GitHubStandIn } = await import('../../dev/github/server.js');
    const gh = await new GitHubStandIn().start();
    const dir = mkdtempSync(path.join(tmpdir(), 'em-sources-mixed-'));
    gh.addInstallation(3, ['acme/api']);
    gh.addPull('acme/api', { title: 'ENG-1 fix', author: 'sam' });
    const app = await startWithSources(
      dir,
      'github:\n  installations:\n    - id: 3\n      repos: [acme/api, acme/secret]\n',
      {
        GITHUB_APP_ID: gh.appId,
        GITHUB_PRIVATE_KEY: gh.privateKey,
        GITHUB_API_URL: gh.url,
      },
    );
    try {
      const statuses = await statusesOnce(app, 2);
      expect(statuses.map((s) => [s.scope, s.lastError])).toEqual([
        ['acme/api', null],
        ['acme/secret', 'not found (404): the scope does not exist or is not shared with the account'],
      ]);
      const ready = await readyDetails(app.http.port);
      expect(ready).toMatchObject({
        status: 'ready',
        sources: {
          'github:acme/api': 'ok',
          'github:acme/secret': expect.stringMatching(/^failing: not found \(404\)/),
        },
      });
      expect((await app.db.query('SELECT * FROM pull_requests')).rowCount).toBe(1);
    } finally {
      await app.stop();
      await gh.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a service stopped in the middle of a backfill', () => {
  test('stops without a failure, keeps what it stored, and the next start goes on to every PR, once each', async () => {
    const { GitHubStandIn } = await import('../../dev/github/server.js');
    const gh = await new GitHubStandIn().start();
    const dir = mkdtempSync(path.join(tmpdir(), 'em-sources-stop-'));
    gh.addInstallation(3, ['acme/api']);
    for (let i = 1; i <= 1000; i += 1) gh.addPull('acme/api', { title: `ENG-${i} fix`, author: `dev${i % 9}` });
    const lines: { msg?: string; job?: string }[] = [];
    const start = () =>
      startApp(
        loadConfig({
          DATA_DIR: path.join(dir, 'data'),
          SOURCES_FILE: path.join(dir, 'sources.yml'),
          HTTP_PORT: '0',
          HTTP_HOST: '127.0.0.1',
          JOBS_POLL_MS: '100',
          JOBS_LOCK_LIFETIME_MS: '30000',
          GITHUB_APP_ID: gh.appId,
          GITHUB_PRIVATE_KEY: gh.privateKey,
          GITHUB_API_URL: gh.url,
        }),
        createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line)) }),
      );
    writeFileSync(path.join(dir, 'sources.yml'), 'github:\n  installations:\n    - id: 3\n      repos: [acme/api]\n');
    const pulls = async (app: { db: { query(sql: string): Promise<{ rows: { n: number }[] }> } }) =>
      (await app.db.query('SELECT count(*)::int AS n FROM pull_requests')).rows[0]?.n ?? 0;
    try {
      const first = await start();
      try {
        await eventually(async () => ((await pulls(first)) >= 100 ? true : undefined), 60_000);
      } finally {
        await first.stop();
      }
      const said = lines.map((l) => l.msg ?? '');
      // The sync stopped once: its run is due again at once, and a stopping process does not pick it up again.
      const stops = lines.filter((l) => /^job run stopped for shutdown/.test(l.msg ?? '')).map((l) => l.job);
      expect(stops.filter((job) => job === 'sync:github:acme/api')).toHaveLength(1);
      expect(said.filter((m) => /job failed|under way|still at work|sync failed/.test(m))).toEqual([]);

      // Between the two starts: part of the backfill stored, and no failure recorded for the scope.
      const between = await openStore({ DATA_DIR: path.join(dir, 'data') });
      try {
        const stored = await pulls({ db: between });
        expect([stored >= 100, stored < 1000]).toEqual([true, true]);
        expect(await listSyncStatus(between)).toEqual([]);
      } finally {
        await between.close();
      }

      const second = await start();
      try {
        await eventually(async () => ((await pulls(second)) === 1000 ? true : undefined), 120_000);
        const events = await second.db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM events WHERE kind = 'pull_request'",
        );
        expect(events.rows[0]?.n).toBe(1000);
      } finally {
        await second.stop();
      }
    } finally {
      await gh.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});

describe('a scope that skips records says so', () => {
  test('/ready names the skipped Jira record and its field; a hidden-e-mail account is linked from people:', async () => {
    const { JiraStandIn } = await import('../../dev/jira/server.js');
    const { personBy } = await import('../../src/identity/store.js');
    const jira = await new JiraStandIn().start();
    const dir = mkdtempSync(path.join(tmpdir(), 'em-sources-skips-'));
    jira.users.set('5b10ac8d82e05b22cc7d4ef5', { displayName: 'Kim Park', email: null });
    jira.addIssue({ key: 'ENG-1', summary: 'fine', assignee: '5b10ac8d82e05b22cc7d4ef5' });
    jira.rawIssues.push({ id: '99', key: 'ENG-99', fields: { summary: 'no dates', status: { name: 'To Do' } } });
    const app = await startWithSources(
      dir,
      ['jira:', '  projects: [ENG]', 'people:', '  - { jira: 5b10ac8d82e05b22cc7d4ef5, slack: U0KIM, name: Kim }'].join(
        '\n',
      ),
      // Loading jira.js on a busy machine can take longer than the suite's 1 s job lock.
      { JIRA_HOST: jira.url, JIRA_EMAIL: jira.email, JIRA_API_TOKEN: jira.apiToken, JOBS_LOCK_LIFETIME_MS: '30000' },
    );
    try {
      await eventually(async () => (await listSyncStatus(app.db)).find((s) => s.lastSuccessAt), 30_000);
      const ready = await readyDetails(app.http.port);
      expect(ready.sources).toEqual({
        'jira:ENG': expect.stringMatching(/^ok, 1 malformed records skipped \(last: ENG-99: fields\.created: /),
      });
      expect((await app.db.query('SELECT key FROM work_items')).rows).toEqual([{ key: 'ENG-1' }]);
      expect(await personBy(app.db, 'jira', '5b10ac8d82e05b22cc7d4ef5')).toMatchObject({
        slack: 'U0KIM',
        displayName: 'Kim',
      });
    } finally {
      await app.stop();
      await jira.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
