import { GitHubStandIn } from '../../dev/github/server.js';
import { createGitHubApp } from '../../src/connectors/github/client.js';
import { syncGitHubRepo } from '../../src/connectors/github/sync.js';
import { createLogger } from '../../src/observability/logger.js';
import { openStore } from '../../src/store/open.js';
import { dropSchemas, SERVER_URL, serverUp, uniqueSchema } from '../support/engines.js';
import { runTs } from '../support/processes.js';

const REPO = 'acme/monolith';
const logger = createLogger('silent');
const serverOnly = serverUp ? describe : describe.skip;
if (!serverUp)
  console.warn(
    '!!! SKIPPED: GitHub crash-mid-backfill test — it needs the PostgreSQL server (two processes share the database) !!!',
  );

serverOnly('a GitHub backfill killed with SIGKILL', () => {
  const schemas = [uniqueSchema('gh_crash'), uniqueSchema('gh_clean')];
  afterAll(() => dropSchemas(schemas));

  test('resumes from its cursor in the next process and ends with the rows of a clean run', async () => {
    const gh = await new GitHubStandIn().start();
    try {
      gh.addInstallation(5, [REPO]);
      for (let i = 1; i <= 450; i += 1) gh.addPull(REPO, { title: `ENG-${i} change`, author: `dev${i % 7}` });
      const [crashed, clean] = schemas as [string, string];

      const child = runTs('test/support/child.ts', {
        MODE: 'github-backfill',
        DATABASE_URL: SERVER_URL,
        DATABASE_SCHEMA: crashed,
        GH_APP_ID: gh.appId,
        GH_KEY: gh.privateKey,
        GH_URL: gh.url,
        GH_INSTALLATION: '5',
        GH_REPO: REPO,
      });
      await child.waitFor(/page 2 committed/, 60_000);
      child.proc.kill('SIGKILL');
      await child.exited();
      expect(child.output()).not.toContain('backfill done');

      const app = createGitHubApp({
        appId: gh.appId,
        privateKey: gh.privateKey,
        baseUrl: gh.url,
        logger,
        retryBaseMs: 10,
      });
      const octokit = await app.getInstallationOctokit(5);
      const count = async (schema: string, resume: boolean) => {
        const db = await openStore({ DATABASE_URL: SERVER_URL, DATABASE_SCHEMA: schema, DATA_DIR: '' });
        try {
          const before = gh.calls.length;
          await syncGitHubRepo({
            db,
            logger,
            octokit,
            repo: REPO,
            environment: 'production',
            backfillSince: new Date('2020-01-01T00:00:00Z'),
          });
          const firstPage = gh.calls.slice(before).some((c) => /\/pulls\?/.test(c.path) && /[?&]page=1\b/.test(c.path));
          if (resume) expect(firstPage).toBe(false); // it went on from where the killed process stopped
          const { rows } = await db.query<{ pulls: number; events: number }>(
            "SELECT (SELECT count(*) FROM pull_requests) AS pulls, (SELECT count(*) FROM events WHERE kind = 'pull_request') AS events",
          );
          return rows[0];
        } finally {
          await db.close();
        }
      };
      const resumed = await count(crashed, true);
      const expected = await count(clean, false);
      expect(resumed).toEqual(expected);
      expect(expected).toEqual({ pulls: 450, events: 450 });
    } finally {
      await gh.stop();
    }
  }, 120_000);
});
