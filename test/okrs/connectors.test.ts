// What OKR key results map to, as the connectors store it: a Jira issue's epic (its parent when that is an epic,
// not a sub-task's story) and a GitHub issue's or pull request's milestone.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GitHubStandIn } from '../../dev/github/server.js';
import { JiraStandIn, type StandInIssue as JiraStandInIssue } from '../../dev/jira/server.js';
import { runTool } from '../../src/capabilities/tool.js';
import { createGitHubApp } from '../../src/connectors/github/client.js';
import { issueWorkItem } from '../../src/connectors/github/issues.js';
import { pullRequestRow } from '../../src/connectors/github/normalize.js';
import { issueSchema, pullRequestSchema } from '../../src/connectors/github/schemas.js';
import { syncGitHubRepo } from '../../src/connectors/github/sync.js';
import { createJiraClients } from '../../src/connectors/jira/client.js';
import { workItemRow } from '../../src/connectors/jira/normalize.js';
import { jiraIssueSchema } from '../../src/connectors/jira/schemas.js';
import { syncJira } from '../../src/connectors/jira/sync.js';
import { createLogger } from '../../src/observability/logger.js';
import { applyOkrsFile, loadOkrsFile } from '../../src/okrs/file.js';
import { okrsShowTool } from '../../src/okrs/tools.js';
import { teamInput } from '../../src/teams/model.js';
import { saveTeam } from '../../src/teams/store.js';
import { describeEachEngine } from '../support/engines.js';
import { NOW } from '../support/fixtures.js';

const jiraIssue = (key: string, parent?: unknown) =>
  jiraIssueSchema.parse({
    id: '1',
    key,
    fields: {
      summary: 'x',
      status: { name: 'Done', statusCategory: { key: 'done' } },
      issuetype: { name: 'Story' },
      labels: [],
      created: '2026-10-02T10:00:00.000+0000',
      updated: '2026-10-03T10:00:00.000+0000',
      project: { key: 'PAY' },
      ...(parent ? { parent } : {}),
    },
  });

test("a Jira issue's epic is its parent epic; a sub-task's parent story is not an epic", () => {
  const host = 'https://acme.atlassian.net';
  const epicParent = { key: 'PAY-1', fields: { issuetype: { name: 'Epic', hierarchyLevel: 1 } } };
  const storyParent = { key: 'PAY-5', fields: { issuetype: { name: 'Story', hierarchyLevel: 0 } } };
  expect(workItemRow(host, jiraIssue('PAY-10', epicParent), {}).projectId).toBe('PAY-1');
  expect(workItemRow(host, jiraIssue('PAY-11', storyParent), {}).projectId).toBeNull();
  expect(workItemRow(host, jiraIssue('PAY-12'), {}).projectId).toBeNull();
});

test("a GitHub issue's and pull request's milestone title is kept", () => {
  const issue = issueSchema.parse({
    number: 7,
    title: 'drop v1',
    state: 'closed',
    html_url: 'https://github.com/acme/pay/issues/7',
    labels: [],
    created_at: '2026-10-02T10:00:00Z',
    updated_at: '2026-10-03T10:00:00Z',
    closed_at: '2026-10-03T10:00:00Z',
    milestone: { title: 'v2' },
  });
  expect(issueWorkItem('acme/pay', issue).milestone).toBe('v2');
  const pr = pullRequestSchema.parse({
    number: 5,
    title: 'drop v1 endpoints',
    state: 'closed',
    user: { login: 'maya' },
    created_at: '2026-10-02T10:00:00Z',
    updated_at: '2026-10-03T10:00:00Z',
    closed_at: '2026-10-03T10:00:00Z',
    merged_at: '2026-10-03T10:00:00Z',
    head: { ref: 'drop-v1', sha: 'abc' },
    base: { ref: 'main' },
    milestone: { title: 'v2' },
  });
  expect(pullRequestRow('acme/pay', pr, []).milestone).toBe('v2');
});

// Through the stand-ins: the GitHub stand-in serves `milestone` on issues and pull requests and the Jira stand-in
// `fields.parent`, as the vendors document them; the real connectors sync them and the OKR report maps them.
describeEachEngine('OKR progress from what the connectors sync from the stand-ins', ({ freshDb }) => {
  let gh: GitHubStandIn;
  let jira: JiraStandIn;
  beforeAll(async () => {
    gh = await new GitHubStandIn().start();
    jira = await new JiraStandIn().start();
  });
  afterAll(async () => {
    await gh?.stop();
    await jira?.stop();
  });

  test("a Jira epic's points and a GitHub milestone's items, and the merged PRs that map to neither", async () => {
    const db = await freshDb();
    const logger = createLogger('silent');
    const day = (d: number) => `2026-11-${String(d).padStart(2, '0')}T10:00:00.000Z`;
    await saveTeam(
      db,
      teamInput.parse({
        key: 'payments',
        name: 'Payments',
        members: ['U0MAYA'],
        managers: ['U0MANAGER'],
        repos: ['acme/pay'],
        jira_projects: ['PAY'],
      }),
      { actor: 'test' },
    );

    // Jira: epic PAY-1 with two stories, a sub-task of one of them (its parent is a story, not the epic), and a
    // story of another epic.
    const issue = (key: string, fields: Partial<JiraStandInIssue>) =>
      jira.addIssue({ key, summary: key, created: day(2), updated: day(10), ...fields });
    issue('PAY-1', { type: 'Epic' });
    issue('PAY-2', { type: 'Epic' });
    issue('PAY-10', { parent: 'PAY-1', points: 5, status: 'Done', statusCategory: 'done' });
    issue('PAY-11', { parent: 'PAY-1', points: 3, status: 'In Progress', statusCategory: 'indeterminate' });
    issue('PAY-12', { parent: 'PAY-11', type: 'Sub-task', points: 2, status: 'Done', statusCategory: 'done' });
    issue('PAY-14', { parent: 'PAY-2', points: 13, status: 'Done', statusCategory: 'done' });
    const jiraResult = await syncJira({
      db,
      logger,
      clients: createJiraClients({ host: jira.url, email: jira.email, apiToken: jira.apiToken }),
      projects: ['PAY'],
      boards: [],
      backfillSince: new Date('2026-10-01T00:00:00Z'),
      fields: { points: 'customfield_10016', sprint: 'customfield_10020' },
    });
    expect(jiraResult.rejected).toBe(0);

    // GitHub: two issues in milestone v2 (one closed), one in v1; merged PRs in v2, in none, and one naming PAY-10.
    gh.addInstallation(7, ['acme/pay']);
    gh.setClock(new Date(day(3)));
    const closed = { state: 'closed' as const, closed_at: day(12), updated_at: day(12) };
    gh.addIssue('acme/pay', { title: 'drop v1 clients', author: 'maya', milestone: 'v2', ...closed });
    gh.addIssue('acme/pay', { title: 'announce v2', author: 'maya', milestone: 'v2', updated_at: day(12) });
    gh.addIssue('acme/pay', { title: 'v1 hotfix', author: 'maya', milestone: 'v1', ...closed });
    const merged = (title: string, milestone?: string) =>
      gh.addPull('acme/pay', {
        title,
        author: 'maya',
        milestone: milestone ?? null,
        state: 'closed',
        created_at: day(10),
        updated_at: day(12),
        merged_at: day(12),
        closed_at: day(12),
      });
    merged('drop v1 endpoints', 'v2');
    merged('PAY-10: new checkout flow');
    merged('chore: bump deps');
    const app = createGitHubApp({
      appId: gh.appId,
      privateKey: gh.privateKey,
      baseUrl: gh.url,
      logger,
      retryBaseMs: 5,
    });
    const ghResult = await syncGitHubRepo({
      db,
      logger,
      octokit: await app.getInstallationOctokit(7),
      repo: 'acme/pay',
      environment: 'production',
      backfillSince: new Date('2026-10-01T00:00:00Z'),
    });
    expect(ghResult.rejected).toBe(0);

    const dir = mkdtempSync(path.join(tmpdir(), 'em-okrs-stand-ins-'));
    try {
      const file = path.join(dir, 'okrs.yml');
      writeFileSync(
        file,
        [
          'okrs:',
          '  - team: payments',
          '    quarter: 2026Q4',
          '    objectives:',
          '      - title: Checkout v2',
          '        key_results:',
          '          - { title: Ship the new flow, owner: U0MAYA, work: { unit: points, jira: { epics: [PAY-1] } } }',
          '          - { title: Retire v1, owner: U0MAYA, work: { github: { milestones: [v2] } } }',
        ].join('\n'),
      );
      await applyOkrsFile(db, file, loadOkrsFile(file) ?? [], logger);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const report = await runTool(
      okrsShowTool(() => NOW),
      { person: { slackId: 'U0MAYA' }, db, logger },
      { team: 'payments', quarter: '2026Q4' },
    );
    const [flow, retire] = report.objectives[0]?.keyResults ?? [];
    // Epic PAY-1: PAY-10 (5, done) and PAY-11 (3, open); PAY-12's parent is a story, PAY-14's another epic.
    // Done 5 of 5 + 3 = 8 points.
    expect(flow?.work).toEqual({ unit: 'points', done: 5, total: 8, items: 2 });
    expect(flow?.progress).toBeCloseTo(5 / 8, 6);
    // Milestone v2: "drop v1 clients" (closed) and "announce v2" (open); "v1 hotfix" is in v1. 1 of 2 items.
    expect(retire?.work).toEqual({ unit: 'items', done: 1, total: 2, items: 2 });
    expect(retire?.progress).toBe(0.5);
    // Merged this quarter: "drop v1 endpoints" (milestone v2), "PAY-10: …" (epic PAY-1) map; "chore" does not: 1 of 3.
    expect(report.unmapped).toMatchObject({ merged: 3, unmapped: 1 });
    expect(report.unmapped.share).toBeCloseTo(1 / 3, 6);
  }, 120_000);
});
