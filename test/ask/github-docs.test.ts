import { GitHubStandIn } from '../../dev/github/server.js';
import { indexDocuments } from '../../src/ask/indexer.js';
import { retrieve } from '../../src/ask/retrieval.js';
import { createGitHubApp } from '../../src/connectors/github/client.js';
import { syncRepoDocs, wantedPath } from '../../src/connectors/github/docs.js';
import { createLogger } from '../../src/observability/logger.js';
import type { Db } from '../../src/store/db.js';
import { describeEachEngine } from '../support/engines.js';

const REPO = 'acme/api';
const config = { paths: ['README.md', 'docs/'], extensions: ['.md'] };

test('which repository files are docs: configured files and folders, by extension', () => {
  expect(wantedPath('README.md', config)).toBe(true);
  expect(wantedPath('docs/adr/0001-use-postgres.md', config)).toBe(true);
  expect(wantedPath('docs/diagram.png', config)).toBe(false);
  expect(wantedPath('src/README.md', config)).toBe(false);
});

describeEachEngine('repository docs from the GitHub stand-in', ({ freshDb }) => {
  let db: Db;
  let gh: GitHubStandIn;
  beforeAll(async () => {
    db = await freshDb();
    gh = await new GitHubStandIn().start();
    gh.addInstallation(7, [REPO]);
  });
  afterAll(() => gh.stop());

  test('docs are fetched once, again only when their blob changes, and removed when deleted', async () => {
    gh.setFile(REPO, 'README.md', '# API\n\nRun `make dev` to start the API locally.');
    gh.setFile(
      REPO,
      'docs/adr/0001-queues.md',
      '# ADR 1: Queues\n\n## Decision\n\nWe use SQS for background jobs because it needs no operations.',
    );
    gh.setFile(REPO, 'src/index.ts', 'export {}');
    const app = createGitHubApp({
      appId: gh.appId,
      privateKey: gh.privateKey,
      baseUrl: gh.url,
      logger: createLogger('silent'),
    });
    const octokit = await app.getInstallationOctokit(7);
    const first = await syncRepoDocs({ db, octokit, repo: REPO, config });
    expect(first).toMatchObject({ fetched: 2, deleted: 0 });
    await indexDocuments(db);
    const { hits } = await retrieve(db, 'why do we use SQS for background jobs?', { mode: 'text' });
    expect(hits[0]).toMatchObject({
      source: 'github',
      heading: 'acme/api: docs/adr/0001-queues.md > ADR 1: Queues > Decision',
      url: 'https://github.com/acme/api/blob/HEAD/docs/adr/0001-queues.md',
    });

    // Nothing changed: the tree answers 304 and no blob is fetched.
    const calls = gh.calls.length;
    expect(await syncRepoDocs({ db, octokit, repo: REPO, config, etag: first.etag })).toMatchObject({ fetched: 0 });
    expect(gh.calls.slice(calls).map((c) => c.status)).toEqual([304]);

    gh.setFile(REPO, 'README.md', '# API\n\nRun `make up` to start the API locally.');
    gh.setFile(REPO, 'docs/adr/0001-queues.md', null);
    expect(await syncRepoDocs({ db, octokit, repo: REPO, config, etag: first.etag })).toMatchObject({
      fetched: 1,
      deleted: 1,
    });
    await indexDocuments(db);
    expect((await retrieve(db, 'SQS background jobs', { mode: 'text' })).hits).toEqual([]);
    expect((await retrieve(db, 'how do I start the API locally?', { mode: 'text' })).hits[0]?.content).toContain(
      'make up',
    );
  });
});
