import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { myWorkLine } from '../../blocks/home.js';
import { standupMessage } from '../../blocks/reports/standup.js';
import { GitHubStandIn } from '../../dev/github/server.js';
import { createGitHubApp } from '../../src/connectors/github/client.js';
import { syncGitHubRepo } from '../../src/connectors/github/sync.js';
import { createLogger } from '../../src/observability/logger.js';
import { personSummary } from '../../src/reports/jobs.js';
import { buildStandup } from '../../src/reports/standup.js';
import { myOpenWork } from '../../src/reports/store.js';
import { SignalEngine } from '../../src/signals/engine.js';
import { RuleBook } from '../../src/signals/rulebook.js';
import type { Db } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { insertEvents } from '../../src/sync/store.js';
import { describeEachEngine } from '../support/engines.js';
import { visibleText } from '../support/slack/harness.js';

const REPO = 'acme/api';
const INSTALLATION = 12;
const logger = createLogger('silent');
const NOW = new Date('2026-11-01T12:00:00Z'); // the stand-in's clock starts at 09:00 that day

async function openSignals(db: Db): Promise<string[]> {
  const { rows } = await db.query<{ subject: string }>(
    "SELECT subject FROM signals WHERE status = 'open' ORDER BY subject",
  );
  return rows.map((r) => r.subject);
}

describeEachEngine("pull requests waiting on a team's review (GitHub's requested_teams)", ({ freshDb }) => {
  let gh: GitHubStandIn;
  let rulesDir: string;
  beforeEach(async () => {
    gh = await new GitHubStandIn().start();
    gh.addInstallation(INSTALLATION, [REPO]);
    gh.addTeam('acme', 'backend', ['lee', 'raj']);
    rulesDir = mkdtempSync(path.join(tmpdir(), 'em-rules-'));
  });
  afterEach(async () => {
    rmSync(rulesDir, { recursive: true, force: true });
    await gh.stop();
  });

  test('the standup and Home say the PR waits on the team; the review signals DM nobody for it', async () => {
    gh.addPull(REPO, { title: 'ENG-12 cache', author: 'maya', requested_teams: ['backend'] });
    gh.addPull(REPO, { title: 'ENG-13 retries', author: 'maya', requested_reviewers: ['lee'] });
    const db = await freshDb();
    const app = createGitHubApp({ appId: gh.appId, privateKey: gh.privateKey, baseUrl: gh.url, logger });
    await syncGitHubRepo({
      db,
      logger,
      octokit: await app.getInstallationOctokit(INSTALLATION),
      repo: REPO,
      environment: 'production',
      backfillSince: new Date('2026-01-01T00:00:00Z'),
    });

    const standup = await buildStandup(db, { hours: 24, now: NOW });
    const maya = standup.people.find((p) => p.who === 'maya');
    expect(maya?.waitingOn).toEqual([
      { ref: `${REPO}#1`, reviewers: [], teams: ['backend'], url: `https://github.com/${REPO}/pull/1` },
      { ref: `${REPO}#2`, reviewers: ['lee'], teams: [], url: `https://github.com/${REPO}/pull/2` },
    ]);
    expect(visibleText(standupMessage(standup))).toContain(
      `:hourglass: waiting on the backend team for <https://github.com/${REPO}/pull/1|${REPO}#1>, lee for <https://github.com/${REPO}/pull/2|${REPO}#2>`,
    );
    expect(personSummary(maya as NonNullable<typeof maya>)).toContain(
      `waiting on the backend team for ${REPO}#1; lee for ${REPO}#2`,
    );
    // Home, "Your pull requests and reviews", for the author.
    expect((await myOpenWork(db, 'maya')).map(myWorkLine).join('\n')).toContain(
      'ENG-12 cache — waiting on the backend team',
    );

    // A team is not a person: the review signals (each a DM to the reviewer) name people only.
    writeFileSync(path.join(rulesDir, 'rules.yml'), '- { name: asked, kind: review_requested }');
    await new SignalEngine({ db, logger, rules: new RuleBook(rulesDir) }).evaluate({ all: true, now: NOW });
    expect(await openSignals(db)).toEqual([`requested:${REPO}#2:lee`]);
  });
});

describeEachEngine('upgrading: open PRs stored before teams were kept', ({ freshDb }) => {
  test('take their requested teams from the newest payload kept in events, and the standup shows them', async () => {
    const db = await freshDb();
    // The database as the previous version left it: no requested_teams column, migration 310 not applied.
    await db.query('ALTER TABLE pull_requests DROP COLUMN requested_teams');
    await db.query('DELETE FROM schema_migrations WHERE version = 310');
    await db.query(
      `INSERT INTO pull_requests (repo, number, title, author, state, created_at, updated_at, url)
       VALUES ($1, 1, 'ENG-12 cache', 'maya', 'open', '2026-11-01T09:00:00Z', '2026-11-01T10:00:00Z', $2)`,
      [REPO, `https://github.com/${REPO}/pull/1`],
    );
    const version = (at: string, teams: string[]) => ({
      source: 'github',
      kind: 'pull_request',
      externalId: `${REPO}#1@${at}`,
      occurredAt: at,
      subject: `${REPO}#1`,
      normalized: { state: 'open' },
      raw: { number: 1, requested_reviewers: [], requested_teams: teams.map((slug) => ({ slug, name: slug })) },
    });
    await insertEvents(db, [
      version('2026-11-01T09:00:00Z', ['backend', 'web']),
      version('2026-11-01T10:00:00Z', ['backend']), // the web team's request was withdrawn
    ]);
    expect(await migrate(db)).toEqual([310]);
    const standup = await buildStandup(db, { hours: 24, now: NOW });
    expect(standup.people.find((p) => p.who === 'maya')?.waitingOn).toEqual([
      { ref: `${REPO}#1`, reviewers: [], teams: ['backend'], url: `https://github.com/${REPO}/pull/1` },
    ]);
  });
});
