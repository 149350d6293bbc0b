// What OKR key results map to, as the connectors store it: a Jira issue's epic (its parent when that is an epic,
// not a sub-task's story) and a GitHub issue's or pull request's milestone.
import { issueWorkItem } from '../../src/connectors/github/issues.js';
import { pullRequestRow } from '../../src/connectors/github/normalize.js';
import { issueSchema, pullRequestSchema } from '../../src/connectors/github/schemas.js';
import { workItemRow } from '../../src/connectors/jira/normalize.js';
import { jiraIssueSchema } from '../../src/connectors/jira/schemas.js';

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
