import { createHash } from 'node:crypto';
import type { LinearClient } from '@linear/sdk';
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { GitHubOctokit } from '../connectors/github/client.js';
import type { JiraClients } from '../connectors/jira/client.js';
import { personBy } from '../identity/store.js';
import type { Queryable } from '../store/db.js';

/** Lazily created clients for the systems actions touch; a missing one makes its actions fail with a reason. */
export interface ExecutorClients {
  slack?: WebClient;
  github?: (repo: string) => Promise<GitHubOctokit>;
  jira?: () => Promise<JiraClients>;
  linear?: () => Promise<LinearClient>;
  /**
   * The notification pipeline's say on a DM to a person (pauses, quiet hours, the daily cap): false holds it.
   * Without it every DM is sent.
   */
  dmGate?: (recipient: string, kind: string) => Promise<boolean>;
}

export interface ExecutionContext {
  db: Queryable;
  clients: ExecutorClients;
  /** The same key on every attempt of one action: lets a retry see that an earlier attempt already acted. */
  idempotencyKey: string;
  attempt: number;
}

/** A failure that retrying cannot fix (bad parameters, nobody to DM, a system not configured). */
export class PermanentActionError extends Error {
  override name = 'PermanentActionError';
}

const personRef = z.object({ source: z.enum(['github', 'jira', 'linear']), id: z.string() });
const slackUser = z.object({ slack: z.string().regex(/^[UW][A-Z0-9]+$/) });
const recipient = z.union([slackUser, personRef]);
const repoNumber = { repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/), number: z.number().int().positive() };

export const ACTION_PARAMS = {
  'slack.dm': z.object({ to: recipient, text: z.string().min(1).max(3000) }),
  'slack.post': z.object({ channel: z.string().min(1), text: z.string().min(1).max(3000) }),
  'github.comment': z.object({ ...repoNumber, body: z.string().min(1).max(60_000) }),
  'github.request_reviewers': z.object({ ...repoNumber, reviewers: z.array(z.string().min(1)).min(1) }),
  'github.label': z.object({ ...repoNumber, labels: z.array(z.string().min(1)).min(1) }),
  'jira.comment': z.object({ key: z.string().regex(/^[A-Z][A-Z0-9]+-\d+$/), body: z.string().min(1).max(30_000) }),
  'jira.create': z.object({
    project: z.string().regex(/^[A-Z][A-Z0-9]+$/),
    summary: z.string().min(1).max(255),
    description: z.string().max(30_000).optional(),
    issueType: z.string().default('Task'),
  }),
  'linear.comment': z.object({ issue: z.string().min(1), body: z.string().min(1).max(30_000) }),
  'linear.create': z.object({
    team: z.string().min(1),
    title: z.string().min(1).max(255),
    description: z.string().optional(),
  }),
  // Onboarding: a new hire into a GitHub team (the repository picks the App installation), a first issue assigned,
  // and invitations to channels.
  'github.team_add': z.object({
    repo: repoNumber.repo,
    org: z.string().regex(/^[\w.-]+$/),
    team: z.string().regex(/^[\w.-]+$/),
    username: z.string().regex(/^[\w-]+$/),
  }),
  'github.assign': z.object({ ...repoNumber, assignees: z.array(z.string().min(1)).min(1) }),
  'slack.invite': z.object({
    channel: z.string().regex(/^[CG][A-Z0-9]+$/),
    users: z.array(slackUser.shape.slack).min(1),
  }),
} as const;
export type ActionParams<K extends keyof typeof ACTION_PARAMS> = z.infer<(typeof ACTION_PARAMS)[K]>;

type Executor = (params: unknown, ctx: ExecutionContext) => Promise<Record<string, unknown>>;

const need = <T>(client: T | undefined, what: string): T => {
  if (!client) throw new PermanentActionError(`${what} is not configured`);
  return client;
};

// A marker the bot can find again in what it wrote, so a retry after a lost response does not write twice.
const marker = (key: string) => `em-agent:${key}`;
const hiddenMarker = (key: string) => `<!-- ${marker(key)} -->`;

async function slackUserFor(db: Queryable, to: z.infer<typeof recipient>): Promise<string> {
  if ('slack' in to) return to.slack;
  const person = await personBy(db, to.source, to.id);
  if (!person?.slack)
    throw new PermanentActionError(
      `no Slack user is linked to ${to.source} account ${to.id} (add them under people: in sources.yml)`,
    );
  return person.slack;
}

/** How far back a retry looks for its earlier post (pages of 200): a busy channel moves on between attempts. */
const HISTORY_PAGES = 10;

/** The ts of the message an earlier attempt posted with this key, newest pages first; undefined when none. */
async function earlierPost(slack: WebClient, channel: string, key: string): Promise<string | undefined> {
  let cursor: string | undefined;
  for (let page = 0; page < HISTORY_PAGES; page++) {
    const history = await slack.conversations.history({ channel, limit: 200, include_all_metadata: true, cursor });
    const earlier = history.messages?.find(
      (m) => (m as { metadata?: { event_payload?: { key?: string } } }).metadata?.event_payload?.key === key,
    );
    if (earlier?.ts) return earlier.ts;
    cursor = history.response_metadata?.next_cursor;
    if (!history.has_more || !cursor) return undefined;
  }
  return undefined;
}

async function postOnce(ctx: ExecutionContext, channel: string, text: string) {
  const slack = need(ctx.clients.slack, 'Slack');
  if (ctx.attempt > 1) {
    const earlier = await earlierPost(slack, channel, ctx.idempotencyKey);
    if (earlier) return { channel, ts: earlier, deduplicated: true };
  }
  const posted = await slack.chat.postMessage({
    channel,
    text,
    unfurl_links: false,
    metadata: { event_type: 'em_agent_action', event_payload: { key: ctx.idempotencyKey } },
  });
  return { channel: posted.channel, ts: posted.ts };
}

async function githubCommentOnce(ctx: ExecutionContext, p: ActionParams<'github.comment'>) {
  const octokit = await need(ctx.clients.github, 'GitHub')(p.repo);
  const [owner, repo] = p.repo.split('/') as [string, string];
  if (ctx.attempt > 1) {
    const existing = await octokit.request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner,
      repo,
      issue_number: p.number,
      per_page: 100,
    });
    const earlier = (existing.data as { id: number; body?: string; html_url?: string }[]).find((c) =>
      c.body?.includes(hiddenMarker(ctx.idempotencyKey)),
    );
    if (earlier) return { comment: earlier.id, url: earlier.html_url, deduplicated: true };
  }
  const created = await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
    owner,
    repo,
    issue_number: p.number,
    body: `${p.body}\n\n${hiddenMarker(ctx.idempotencyKey)}`,
    // A 5xx may come after GitHub stored the comment; the next attempt checks for the marker instead of re-posting.
    request: { retries: 0 },
  });
  return { comment: created.data.id, url: created.data.html_url };
}

const EXECUTORS: Record<keyof typeof ACTION_PARAMS, Executor> = {
  // Team membership is a PUT: adding someone already in the team changes nothing on GitHub's side.
  'github.team_add': async (params, ctx) => {
    const p = params as ActionParams<'github.team_add'>;
    const octokit = await need(ctx.clients.github, 'GitHub')(p.repo);
    try {
      const added = await octokit.request('PUT /orgs/{org}/teams/{team_slug}/memberships/{username}', {
        org: p.org,
        team_slug: p.team,
        username: p.username,
        role: 'member',
      });
      return { team: `${p.org}/${p.team}`, username: p.username, state: (added.data as { state?: string }).state };
    } catch (err) {
      const e = err as { status?: number };
      if (e.status === 404 || e.status === 422)
        throw new PermanentActionError(`GitHub has no team ${p.org}/${p.team} or no user ${p.username}`);
      throw err;
    }
  },
  'github.assign': async (params, ctx) => {
    const p = params as ActionParams<'github.assign'>;
    const octokit = await need(ctx.clients.github, 'GitHub')(p.repo);
    const [owner, repo] = p.repo.split('/') as [string, string];
    await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/assignees', {
      owner,
      repo,
      issue_number: p.number,
      assignees: p.assignees,
    });
    return { assignees: p.assignees };
  },
  'slack.invite': async (params, ctx) => {
    const p = params as ActionParams<'slack.invite'>;
    const slack = need(ctx.clients.slack, 'Slack');
    try {
      await slack.conversations.invite({ channel: p.channel, users: p.users.join(',') });
    } catch (err) {
      const code = (err as { data?: { error?: string } }).data?.error;
      // Already there: what was asked for is true.
      if (code === 'already_in_channel') return { channel: p.channel, already: true };
      if (code === 'not_in_channel' || code === 'channel_not_found' || code === 'is_archived')
        throw new PermanentActionError(`Slack refused the invitation to ${p.channel}: ${code}`);
      throw err;
    }
    return { channel: p.channel, invited: p.users };
  },
  'slack.dm': async (params, ctx) => {
    const p = params as ActionParams<'slack.dm'>;
    const user = await slackUserFor(ctx.db, p.to);
    const slack = need(ctx.clients.slack, 'Slack');
    // A retry after a lost response must find its earlier post, so only a first attempt asks the gate.
    if (ctx.attempt === 1 && ctx.clients.dmGate && !(await ctx.clients.dmGate(user, 'nudge')))
      return { held: 'the person paused notifications, is in quiet hours, or had enough DMs today' };
    const dm = await slack.conversations.open({ users: user });
    return postOnce(ctx, dm.channel?.id as string, p.text);
  },
  'slack.post': async (params, ctx) => {
    const p = params as ActionParams<'slack.post'>;
    return postOnce(ctx, p.channel, p.text);
  },
  'github.comment': (params, ctx) => githubCommentOnce(ctx, params as ActionParams<'github.comment'>),
  // Adding labels and requesting reviewers are idempotent on GitHub's side.
  'github.label': async (params, ctx) => {
    const p = params as ActionParams<'github.label'>;
    const octokit = await need(ctx.clients.github, 'GitHub')(p.repo);
    const [owner, repo] = p.repo.split('/') as [string, string];
    await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/labels', {
      owner,
      repo,
      issue_number: p.number,
      labels: p.labels,
    });
    return { labels: p.labels };
  },
  'github.request_reviewers': async (params, ctx) => {
    const p = params as ActionParams<'github.request_reviewers'>;
    const octokit = await need(ctx.clients.github, 'GitHub')(p.repo);
    const [owner, repo] = p.repo.split('/') as [string, string];
    try {
      await octokit.request('POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers', {
        owner,
        repo,
        pull_number: p.number,
        reviewers: p.reviewers,
      });
    } catch (err) {
      // 422: the reviewer is the PR's author or not a collaborator. Retrying cannot help; GitHub's reason can.
      const e = err as { status?: number; response?: { data?: { message?: unknown } } };
      if (e.status === 422)
        throw new PermanentActionError(`GitHub refused: ${String(e.response?.data?.message ?? 'validation failed')}`);
      throw err;
    }
    return { reviewers: p.reviewers };
  },
  'jira.comment': async (params, ctx) => {
    const p = params as ActionParams<'jira.comment'>;
    const jira = await need(ctx.clients.jira, 'Jira')();
    const tag = `[${marker(ctx.idempotencyKey)}]`;
    if (ctx.attempt > 1) {
      const existing = await jira.issues.issueComments.getComments({ issueIdOrKey: p.key, maxResults: 100 });
      const earlier = existing.comments?.find((c) => JSON.stringify(c.body ?? '').includes(tag));
      if (earlier) return { comment: earlier.id, deduplicated: true };
    }
    const comment = await jira.issues.issueComments.addComment({
      issueIdOrKey: p.key,
      comment: {
        type: 'doc',
        version: 1,
        content: [
          { type: 'paragraph', content: [{ type: 'text', text: p.body }] },
          {
            type: 'paragraph',
            content: [{ type: 'text', text: tag, marks: [{ type: 'subsup', attrs: { type: 'sub' } }] }],
          },
        ],
      },
    });
    return { comment: comment.id };
  },
  'jira.create': async (params, ctx) => {
    const p = params as ActionParams<'jira.create'>;
    const jira = await need(ctx.clients.jira, 'Jira')();
    const label = `em-agent-${ctx.idempotencyKey.replace(/[^\w-]/g, '').slice(-40)}`;
    if (ctx.attempt > 1) {
      const found = await jira.issues.issueSearch.searchForIssuesUsingJqlEnhancedSearch({
        jql: `project in (${p.project}) AND labels = "${label}"`,
        fields: ['key'],
        maxResults: 1,
      });
      const earlier = found.issues?.[0];
      if (earlier) return { key: earlier.key, deduplicated: true };
    }
    const created = await jira.issues.issues.createIssue({
      fields: {
        project: { key: p.project },
        summary: p.summary,
        issuetype: { name: p.issueType },
        labels: [label],
        ...(p.description
          ? {
              description: {
                type: 'doc',
                version: 1,
                content: [{ type: 'paragraph', content: [{ type: 'text', text: p.description }] }],
              },
            }
          : {}),
      },
    });
    return { key: created.key };
  },
  'linear.comment': async (params, ctx) => {
    const p = params as ActionParams<'linear.comment'>;
    const linear = await need(ctx.clients.linear, 'Linear')();
    // Linear lets the client choose ids: every attempt uses the same one, and a retry first looks it up.
    const id = uuidFromKey(ctx.idempotencyKey);
    if (ctx.attempt > 1 && (await linearExists(linear, 'comment', id))) return { comment: id, deduplicated: true };
    await linear.client.rawRequest(
      'mutation EmAgentComment($input: CommentCreateInput!) { commentCreate(input: $input) { success } }',
      { input: { id, issueId: p.issue, body: p.body } },
    );
    return { comment: id };
  },
  'linear.create': async (params, ctx) => {
    const p = params as ActionParams<'linear.create'>;
    const linear = await need(ctx.clients.linear, 'Linear')();
    const id = uuidFromKey(ctx.idempotencyKey);
    if (ctx.attempt > 1 && (await linearExists(linear, 'issue', id))) return { issue: id, deduplicated: true };
    const teams = await linear.client.rawRequest<{ teams: { nodes: { id: string }[] } }, Record<string, unknown>>(
      'query EmAgentTeam($key: String!) { teams(filter: { key: { eq: $key } }) { nodes { id } } }',
      { key: p.team },
    );
    const teamId = teams.data?.teams.nodes[0]?.id;
    if (!teamId) throw new PermanentActionError(`Linear has no team with key ${p.team}`);
    const created = await linear.client.rawRequest<
      { issueCreate: { issue?: { identifier: string } } },
      Record<string, unknown>
    >(
      'mutation EmAgentIssue($input: IssueCreateInput!) { issueCreate(input: $input) { success issue { identifier } } }',
      {
        input: { id, teamId, title: p.title, description: p.description },
      },
    );
    return { issue: created.data?.issueCreate.issue?.identifier ?? id };
  },
};

/** Whether Linear already has the entity with this client-chosen id (it answers "Entity not found" otherwise). */
async function linearExists(linear: LinearClient, entity: 'comment' | 'issue', id: string): Promise<boolean> {
  try {
    await linear.client.rawRequest(`query EmAgentExists($id: String!) { ${entity}(id: $id) { id } }`, { id });
    return true;
  } catch (err) {
    if (/not found/i.test(String((err as Error).message))) return false;
    throw err;
  }
}

/** A UUID derived from the idempotency key (Linear lets a client choose ids; a duplicate id is refused). */
function uuidFromKey(key: string): string {
  const hex = createHash('sha256').update(key).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Validates the parameters and runs the action once. */
export async function execute(
  action: string,
  params: unknown,
  ctx: ExecutionContext,
): Promise<Record<string, unknown>> {
  const schema = ACTION_PARAMS[action as keyof typeof ACTION_PARAMS];
  const executor = EXECUTORS[action as keyof typeof EXECUTORS];
  if (!schema || !executor) throw new PermanentActionError(`unknown action ${action}`);
  const parsed = schema.safeParse(params);
  if (!parsed.success)
    throw new PermanentActionError(`invalid parameters for ${action}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  try {
    return await executor(parsed.data, ctx);
  } catch (err) {
    const code = slackAuthError(err);
    if (code)
      throw new PermanentActionError(
        `Slack no longer accepts the bot token (${code}): reinstall the app or set a new SLACK_BOT_TOKEN`,
      );
    const refused = refusal(action, err);
    if (refused) throw new PermanentActionError(refused);
    throw err;
  }
}

const VENDOR: Record<string, string> = { slack: 'Slack', github: 'GitHub', jira: 'Jira', linear: 'Linear' };

/** HTTP answers that say the request itself is wrong or its target gone: the same request again gets the same answer. */
const REFUSED_STATUS: Record<number, string> = {
  400: 'the request was refused as malformed',
  401: 'the credentials em-agent uses are not accepted',
  404: 'what it acts on is not there, or em-agent cannot see it',
  410: 'what it acts on is gone',
  422: 'the request was refused as invalid',
};

/** Slack errors that retrying cannot change (the channel or person is gone or out of reach, the message is refused). */
const SLACK_REFUSALS: Record<string, string> = {
  channel_not_found: 'the channel does not exist, or the bot cannot see it',
  is_archived: 'the channel is archived',
  not_in_channel: 'the bot is not in the channel (invite it, then ask again)',
  user_not_found: 'the person is not in this Slack workspace',
  user_disabled: 'the person is deactivated',
  cannot_dm_bot: 'the recipient is a bot',
  msg_too_long: 'the message is too long',
  restricted_action: 'a workspace setting forbids it',
};

/**
 * Why a vendor refused an action for good (a 4xx other than 403, 408, 409 and 429; a Slack error such as an archived
 * channel), in words; undefined for failures a later attempt may get past (5xx, 429, the network). Retrying a 404
 * five times over eight minutes only delayed the same failure, shown as "the API answered 404".
 */
function refusal(action: string, err: unknown): string | undefined {
  const vendor = VENDOR[action.split('.')[0] ?? ''] ?? 'The vendor';
  const slack = (err as { data?: { error?: unknown } })?.data?.error;
  if (typeof slack === 'string' && SLACK_REFUSALS[slack])
    return `Slack refused it (${slack}): ${SLACK_REFUSALS[slack]}`;
  const e = err as { status?: unknown; response?: { status?: unknown } };
  const status = typeof e?.status === 'number' ? e.status : e?.response?.status;
  if (typeof status !== 'number' || !REFUSED_STATUS[status]) return undefined;
  return `${vendor} answered ${status}: ${REFUSED_STATUS[status]}`;
}

/** Slack errors that mean the bot token itself is dead: retrying the action cannot help. */
const SLACK_TOKEN_ERRORS = new Set([
  'invalid_auth',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'not_authed',
]);

function slackAuthError(err: unknown): string | undefined {
  const e = err as { code?: string; data?: { error?: string } };
  return e?.code === 'slack_webapi_platform_error' && e.data?.error && SLACK_TOKEN_ERRORS.has(e.data.error)
    ? e.data.error
    : undefined;
}
