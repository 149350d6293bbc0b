import { WebClient } from '@slack/web-api';
import { GitHubStandIn } from '../../dev/github/server.js';
import { JiraStandIn } from '../../dev/jira/server.js';
import { LinearStandIn } from '../../dev/linear/server.js';
import { SlackEmulator } from '../../dev/slack/emulator.js';
import { type ExecutionContext, type ExecutorClients, execute } from '../../src/approvals/executors.js';
import { createGitHubApp } from '../../src/connectors/github/client.js';
import { createJiraClients } from '../../src/connectors/jira/client.js';
import { createLinearClient } from '../../src/connectors/linear/sync.js';
import { recordIdentity } from '../../src/identity/store.js';
import { createLogger } from '../../src/observability/logger.js';
import type { Db } from '../../src/store/db.js';
import { describeEachEngine } from '../support/engines.js';

const logger = createLogger('silent');

describeEachEngine('executors act once per idempotency key, also when a response is lost', ({ freshDb }) => {
  let gh: GitHubStandIn;
  let jira: JiraStandIn;
  let linear: LinearStandIn;
  let slack: SlackEmulator;
  let clients: ExecutorClients;
  let db: Db;
  beforeAll(async () => {
    [gh, jira, linear, slack] = await Promise.all([
      new GitHubStandIn().start(),
      new JiraStandIn().start(),
      new LinearStandIn().start(),
      new SlackEmulator().start(),
    ]);
    gh.addInstallation(5, ['acme/api']);
    const app = createGitHubApp({
      appId: gh.appId,
      privateKey: gh.privateKey,
      baseUrl: gh.url,
      logger,
      retryBaseMs: 5,
    });
    clients = {
      github: () => app.getInstallationOctokit(5),
      jira: async () => createJiraClients({ host: jira.url, email: jira.email, apiToken: jira.apiToken }),
      linear: async () => createLinearClient({ apiKey: linear.apiKey, apiUrl: linear.url }),
      slack: new WebClient(slack.botToken, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } }),
    };
    db = await freshDb();
  });
  afterAll(async () => {
    await Promise.all([gh.stop(), jira.stop(), linear.stop(), slack.stop()]);
  });
  const ctx = (idempotencyKey: string, attempt: number): ExecutionContext => ({ db, clients, idempotencyKey, attempt });

  test('github.label and github.request_reviewers change the pull request', async () => {
    const pull = gh.addPull('acme/api', { title: 'ENG-1 big change', author: 'maya' });
    gh.addCollaborator('acme/api', 'raj'); // GitHub asks only collaborators for reviews
    await execute('github.label', { repo: 'acme/api', number: pull.number, labels: ['large-pr'] }, ctx('l1', 1));
    await execute('github.label', { repo: 'acme/api', number: pull.number, labels: ['large-pr'] }, ctx('l1', 2));
    expect(pull.labels).toEqual(['large-pr']);
    await execute(
      'github.request_reviewers',
      { repo: 'acme/api', number: pull.number, reviewers: ['raj'] },
      ctx('r1', 1),
    );
    expect(pull.requested_reviewers).toEqual(['raj']);
  });

  test('jira.comment and jira.create: a 502 after Jira stored it, then the retry finds it instead of writing again', async () => {
    jira.addIssue({ key: 'ENG-5', summary: 'Blocked for days' });
    jira.failNext(/^POST \/rest\/api\/3\/issue\/ENG-5\/comment$/, 502, { afterEffect: true, times: 10 });
    await expect(execute('jira.comment', { key: 'ENG-5', body: 'Any news?' }, ctx('jc1', 1))).rejects.toMatchObject({
      status: 502,
    });
    jira.clearFaults();
    expect(await execute('jira.comment', { key: 'ENG-5', body: 'Any news?' }, ctx('jc1', 2))).toMatchObject({
      deduplicated: true,
    });
    expect(jira.comments.get('ENG-5')).toHaveLength(1);

    jira.failNext(/^POST \/rest\/api\/3\/issue$/, 502, { afterEffect: true, times: 10 });
    const before = jira.issues.length;
    await expect(
      execute('jira.create', { project: 'ENG', summary: 'Follow up the outage' }, ctx('jcreate', 1)),
    ).rejects.toMatchObject({ status: 502 });
    jira.clearFaults();
    expect(
      await execute('jira.create', { project: 'ENG', summary: 'Follow up the outage' }, ctx('jcreate', 2)),
    ).toMatchObject({ deduplicated: true });
    expect(jira.issues.length).toBe(before + 1);
  });

  test('linear.comment and linear.create reuse a client-chosen id, so a retry never creates a second', async () => {
    linear.addIssue({ identifier: 'APP-3', title: 'Flaky checkout' });
    await execute('linear.comment', { issue: 'APP-3', body: 'Looking into it' }, ctx('lc1', 1));
    expect(await execute('linear.comment', { issue: 'APP-3', body: 'Looking into it' }, ctx('lc1', 2))).toMatchObject({
      deduplicated: true,
    });
    expect([...linear.comments.values()].filter((c) => c.issue === 'APP-3')).toHaveLength(1);
    const first = await execute('linear.create', { team: 'APP', title: 'Postmortem follow-up' }, ctx('lcreate', 1));
    expect(first.issue).toMatch(/^APP-\d+$/);
    await execute('linear.create', { team: 'APP', title: 'Postmortem follow-up' }, ctx('lcreate', 2));
    expect(linear.issues.filter((i) => i.title === 'Postmortem follow-up')).toHaveLength(1);
  });

  test('slack.post retried after the channel moved on by 450 messages still finds its first post (history is paged)', async () => {
    const busy = slack.workspace.addChannel('busy', { members: [slack.workspace.botUserId] }).id;
    const params = { channel: busy, text: 'Deploy freeze starts at 18:00' };
    const first = await execute('slack.post', params, ctx('busy1', 1));
    for (let i = 0; i < 450; i++) slack.workspace.addMessage({ channel: busy, user: 'U0CHATTY', text: `chatter ${i}` });
    expect(await execute('slack.post', params, ctx('busy1', 2))).toMatchObject({ ts: first.ts, deduplicated: true });
    expect(slack.messagesIn(busy).filter((m) => m.text === params.text)).toHaveLength(1);
  });

  test('slack.dm reaches the linked Slack user once; nobody linked is a permanent, readable failure', async () => {
    const raj = slack.workspace.addUser({ name: 'raj', email: 'raj@acme.dev' }).id;
    await recordIdentity(db, { email: 'raj@acme.dev', github: 'raj', slack: raj }, true);
    const params = { to: { source: 'github', id: 'raj' }, text: 'Your review was requested' };
    await execute('slack.dm', params, ctx('dm1', 1));
    expect(await execute('slack.dm', params, ctx('dm1', 2))).toMatchObject({ deduplicated: true });
    expect(slack.messagesIn(slack.workspace.imWith(raj).id)).toHaveLength(1);
    await expect(
      execute('slack.dm', { to: { source: 'github', id: 'ghost' }, text: 'hi' }, ctx('dm2', 1)),
    ).rejects.toThrow('no Slack user is linked to github account ghost');
    await expect(execute('github.label', { repo: 'acme/api', number: 1 }, ctx('bad', 1))).rejects.toThrow(
      /^invalid parameters for github.label/,
    );
  });
});
