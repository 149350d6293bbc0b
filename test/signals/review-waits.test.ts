import { Webhooks } from '@octokit/webhooks';
import { GitHubStandIn } from '../../dev/github/server.js';
import { listenLocal } from '../../dev/local-server.js';
import { createGitHubApp } from '../../src/connectors/github/client.js';
import { syncGitHubRepo } from '../../src/connectors/github/sync.js';
import { githubWebhookRoute } from '../../src/connectors/github/webhooks.js';
import { createLogger } from '../../src/observability/logger.js';
import { reviewBottleneck, stalePr } from '../../src/signals/kinds/pull-requests.js';
import type { RuleOf } from '../../src/signals/rules.js';
import type { Db } from '../../src/store/db.js';
import { describeEachEngine } from '../support/engines.js';

const REPO = 'acme/api';
const INSTALLATION = 7;
const logger = createLogger('silent');
const SECRET = 'whsec-review-waits-0123';
const NOW = new Date('2026-11-30T12:00:00Z');
const at = (iso: string) => new Date(iso);

const stale = async (db: Db, hours: number) =>
  (
    await stalePr({ name: 'stale', kind: 'stale_pr', older_than_hours: hours, scope: {} } as RuleOf<'stale_pr'>, {
      db,
      now: NOW,
    })
  ).map((f) => f.title);
const bottlenecks = async (db: Db, hours: number) =>
  (
    await reviewBottleneck(
      { name: 'slow', kind: 'review_bottleneck', idle_hours: hours, scope: {} } as RuleOf<'review_bottleneck'>,
      { db, now: NOW },
    )
  ).map((f) => f.title);

async function sync(gh: GitHubStandIn, db: Db) {
  const app = createGitHubApp({ appId: gh.appId, privateKey: gh.privateKey, baseUrl: gh.url, logger, retryBaseMs: 5 });
  return syncGitHubRepo({
    db,
    logger,
    octokit: await app.getInstallationOctokit(INSTALLATION),
    repo: REPO,
    environment: 'production',
    backfillSince: new Date('2026-10-01T00:00:00Z'),
    issues: false,
  });
}

/**
 * #1 opened as a draft on 11-20, marked ready 11-30 10:00 (2 h before NOW); #2 opened 11-25, bob asked 11-30 11:00
 * (1 h before NOW); #3 opened 11-25 and never a draft, nobody asked.
 */
function seed(gh: GitHubStandIn) {
  gh.setClock(at('2026-11-20T11:59:00Z'));
  const draft = gh.addPull(REPO, { title: 'ENG-1 draft work', author: 'maya', draft: true });
  gh.setClock(at('2026-11-25T11:59:00Z'));
  const late = gh.addPull(REPO, { title: 'ENG-2 waits', author: 'maya' });
  const plain = gh.addPull(REPO, { title: 'ENG-3 plain', author: 'maya' });
  gh.updatePull(REPO, draft.number, { draft: false }, '2026-11-30T10:00:00Z');
  gh.updatePull(REPO, late.number, { requested_reviewers: ['bob'] }, '2026-11-30T11:00:00Z');
  gh.setClock(at('2026-11-30T11:00:00Z'));
  return { draft, late, plain };
}

describeEachEngine('review waits: time as a draft and before a review request is not waiting', ({ freshDb }) => {
  let gh: GitHubStandIn;
  beforeEach(async () => {
    gh = await new GitHubStandIn().start();
    gh.addInstallation(INSTALLATION, [REPO]);
  });
  afterEach(async () => {
    await gh.stop();
  });

  test('polled: a draft waits from when it was marked ready, a reviewer from when they were asked', async () => {
    seed(gh);
    // A merged PR's timeline is never read: no wait of a closed PR is measured.
    gh.addPull(REPO, { title: 'ENG-4 done', author: 'maya', state: 'closed', merged_at: '2026-11-30T11:00:00Z' });
    const db = await freshDb();
    await sync(gh, db);

    // #1 has waited 2 h (not 240 h): not stale at 48 h; #2 and #3, never drafts, keep the created_at rule.
    expect(await stale(db, 48)).toEqual([
      `${REPO}#2 "ENG-2 waits" has waited 120 hours without a review`,
      `${REPO}#3 "ENG-3 plain" has waited 120 hours without a review`,
    ]);
    expect(await stale(db, 1)).toContain(`${REPO}#1 "ENG-1 draft work" has waited 2 hours without a review`);
    // bob was asked 1 h ago (not 120 h).
    expect(await bottlenecks(db, 24)).toEqual([]);
    expect(await bottlenecks(db, 0.5)).toEqual([`bob was asked to review ${REPO}#2 "ENG-2 waits" 1 hours ago`]);

    const timelines = gh.calls.filter((c) => c.path.includes('/timeline')).map((c) => c.path.split('?')[0]);
    expect(timelines.sort()).toEqual([1, 2, 3].map((n) => `/repos/${REPO}/issues/${n}/timeline`));
    // A pass with nothing changed reads no timeline again.
    const before = gh.calls.length;
    await sync(gh, db);
    expect(gh.calls.slice(before).filter((c) => c.path.includes('/timeline'))).toEqual([]);
  });

  test('a draft made ready again and a reviewer asked again wait from the last time; teams are no reviewer', async () => {
    gh.addTeam('acme', 'backend', ['lee']);
    gh.setClock(at('2026-11-20T12:00:00Z'));
    const pr = gh.addPull(REPO, { title: 'ENG-5 twice', author: 'maya', requested_reviewers: ['bob'] });
    gh.updatePull(REPO, pr.number, { draft: true }, '2026-11-21T12:00:00Z');
    gh.updatePull(REPO, pr.number, { draft: false }, '2026-11-22T12:00:00Z');
    gh.updatePull(REPO, pr.number, { draft: true }, '2026-11-23T12:00:00Z');
    gh.updatePull(REPO, pr.number, { requested_reviewers: [] }, '2026-11-24T12:00:00Z');
    gh.updatePull(REPO, pr.number, { draft: false }, '2026-11-30T06:00:00Z');
    gh.updatePull(
      REPO,
      pr.number,
      { requested_reviewers: ['bob'], requested_teams: ['backend'] },
      '2026-11-30T09:00:00Z',
    );
    const db = await freshDb();
    await sync(gh, db);
    expect(await stale(db, 1)).toEqual([`${REPO}#1 "ENG-5 twice" has waited 6 hours without a review`]);
    expect(await bottlenecks(db, 0.5)).toEqual([`bob was asked to review ${REPO}#1 "ENG-5 twice" 3 hours ago`]);
  });

  test('without a timeline (404), a PR keeps the created_at rule and its last activity', async () => {
    seed(gh);
    gh.failNext(/\/issues\/\d+\/timeline/, 404, { times: 10, message: 'Not Found' });
    const db = await freshDb();
    await sync(gh, db);
    expect(await stale(db, 48)).toContain(`${REPO}#1 "ENG-1 draft work" has waited 240 hours without a review`);
    expect(await bottlenecks(db, 24)).toEqual([`bob was asked to review ${REPO}#2 "ENG-2 waits" 120 hours ago`]);
  });

  test('through webhooks: ready_for_review and review_requested date the waits', async () => {
    const { draft, late } = seed(gh);
    const db = await freshDb();
    const server = await listenLocal(
      githubWebhookRoute({ secret: SECRET, db, logger, environment: 'production', repos: [REPO] }),
    );
    try {
      const deliver = async (payload: unknown) => {
        const body = JSON.stringify(payload);
        return fetch(server.url, {
          method: 'POST',
          body,
          headers: {
            'content-type': 'application/json',
            'x-github-event': 'pull_request',
            'x-github-delivery': crypto.randomUUID(),
            'x-hub-signature-256': await new Webhooks({ secret: SECRET }).sign(body),
          },
        });
      };
      for (const payload of [
        gh.pullRequestPayload(REPO, draft.number, 'ready_for_review'),
        gh.pullRequestPayload(REPO, late.number, 'review_requested', { reviewer: 'bob' }),
      ])
        expect((await deliver(payload)).status).toBe(200);
    } finally {
      await server.close();
    }
    expect(await stale(db, 48)).toEqual([`${REPO}#2 "ENG-2 waits" has waited 120 hours without a review`]);
    expect(await stale(db, 1)).toContain(`${REPO}#1 "ENG-1 draft work" has waited 2 hours without a review`);
    expect(await bottlenecks(db, 0.5)).toEqual([`bob was asked to review ${REPO}#2 "ENG-2 waits" 1 hours ago`]);
  });
});
