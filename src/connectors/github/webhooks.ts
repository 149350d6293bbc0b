import type { IncomingMessage, ServerResponse } from 'node:http';
import { Webhooks } from '@octokit/webhooks';
import type { RouteHandler } from '../../observability/http.js';
import type { Logger } from '../../observability/logger.js';
import type { Db, Queryable } from '../../store/db.js';
import type { IncidentMatch } from '../../sync/sources.js';
import { insertEvents } from '../../sync/store.js';
import { deletedSince, hmacSha256Hex, readBody, recordDeletion, signatureMatches } from '../../sync/webhooks.js';
import { deriveTrackerIncidents } from '../../sync/work-items-store.js';
import { storeWorkflowRun } from './deploy-signals.js';
import { storeGitHubIssue } from './issues.js';
import { pullRequestEvent, pullRequestRow, reviewEvent } from './normalize.js';
import {
  deploymentSchema,
  deploymentStatusSchema,
  type Issue,
  issueSchema,
  pullRequestSchema,
  reviewSchema,
  workflowRunSchema,
} from './schemas.js';
import { ciRunUpdatedAt, saveDeployment, saveReviewWaits, upsertPullRequest, upsertReview } from './store.js';

/**
 * The optional push path, for installations with a public URL: GitHub webhooks, signature-checked, stored
 * through the same normalization as polling, so a change seen both ways is stored once.
 */
/** The events this route stores: each is about one repository. */
const HANDLED_EVENTS = new Set(['pull_request', 'pull_request_review', 'deployment_status', 'issues', 'workflow_run']);

export function githubWebhookRoute(options: {
  secret: string;
  db: Db;
  logger: Logger;
  environment: string;
  /** The repositories sources.yml names; events of any other are acknowledged and ignored. */
  repos: string[];
  /** Whether issues are synced as work items (sources.yml `github.issues`), and which are incidents. */
  issues?: boolean;
  incidents?: IncidentMatch;
  /** `deployments.workflow`: completed default-branch runs whose name matches are deployments too. */
  workflow?: string;
}): RouteHandler {
  const known = new Set(options.repos.map((r) => r.toLowerCase()));
  const { db, logger } = options;
  const webhooks = new Webhooks({ secret: options.secret });

  webhooks.on('pull_request', async ({ payload }) => {
    const repo = payload.repository.full_name;
    const pr = pullRequestSchema.safeParse(payload.pull_request);
    if (!pr.success)
      return void logger.warn({ repo, problem: pr.error.issues[0]?.message }, 'malformed pull_request webhook skipped');
    // When a review wait began: the change's time is the PR's updated_at in the payload.
    const at = pr.data.updated_at;
    const requested = new Map<string, string>();
    if (payload.action === 'review_requested' && 'requested_reviewer' in payload && payload.requested_reviewer?.login)
      requested.set(payload.requested_reviewer.login, at);
    await db.transaction(async (tx) => {
      await insertEvents(tx, [pullRequestEvent(repo, pr.data, payload.pull_request)]);
      await upsertPullRequest(tx, pullRequestRow(repo, pr.data, []));
      await saveReviewWaits(tx, repo, pr.data.number, {
        readyAt: payload.action === 'ready_for_review' ? at : undefined,
        requested,
      });
    });
  });

  webhooks.on('pull_request_review', async ({ payload }) => {
    const repo = payload.repository.full_name;
    const review = reviewSchema.safeParse(payload.review);
    if (!review.success) return;
    await db.transaction(async (tx) => {
      await insertEvents(tx, [reviewEvent(repo, payload.pull_request.number, review.data, payload.review)]);
      await upsertReview(tx, repo, payload.pull_request.number, review.data);
    });
  });

  webhooks.on('deployment_status', async ({ payload }) => {
    const repo = payload.repository.full_name;
    const deployment = deploymentSchema.safeParse(payload.deployment);
    const status = deploymentStatusSchema.safeParse(payload.deployment_status);
    if (!deployment.success || !status.success || deployment.data.environment !== options.environment) return;
    await saveDeployment(db, repo, deployment.data, [status.data], payload.deployment);
  });

  /** One observed version of an issue, unless it was deleted (or transferred away) since. */
  const storeIssue = async (tx: Queryable, repo: string, issue: Issue, raw: unknown) => {
    if (await deletedSince(tx, 'github', `${repo}#${issue.number}`, issue.updated_at)) return;
    await storeGitHubIssue(tx, repo, issue, raw);
    if (options.incidents) await deriveTrackerIncidents(tx, 'github', options.incidents);
  };

  // Issues, as the poller stores them (work items "owner/repo#N"); a deleted issue is removed and stays so, and so
  // is a transferred one from its old repository: it is a new issue, with a new number, in the new one.
  webhooks.on('issues', async ({ payload }) => {
    if (options.issues === false) return;
    const repo = payload.repository.full_name;
    const issue = issueSchema.safeParse(payload.issue);
    if (!issue.success)
      return void logger.warn({ repo, problem: issue.error.issues[0]?.message }, 'malformed issues webhook skipped');
    const key = `${repo}#${issue.data.number}`;
    await db.transaction(async (tx) => {
      // Dated by the issue's last update, not our clock: a redelivery is the same deletion, and a clock behind
      // GitHub's cannot make it miss the stored issue (a deleted GitHub issue never comes back).
      if (payload.action === 'deleted') return recordDeletion(tx, 'github', key, issue.data.updated_at, payload);
      if (payload.action === 'transferred') {
        await recordDeletion(tx, 'github', key, issue.data.updated_at, payload);
        const to = payload.changes.new_repository.full_name;
        if (!known.has(to.toLowerCase())) return;
        const moved = issueSchema.safeParse(payload.changes.new_issue);
        if (!moved.success)
          return void logger.warn(
            { repo: to, problem: moved.error.issues[0]?.message },
            'malformed transferred issue skipped',
          );
        return storeIssue(tx, to, moved.data, payload.changes.new_issue);
      }
      await storeIssue(tx, repo, issue.data, payload.issue);
    });
  });

  // Completed runs on the default branch, as the poller lists them (branch = default, status = completed).
  const workflow = options.workflow ? new RegExp(options.workflow, 'i') : undefined;
  webhooks.on('workflow_run.completed', async ({ payload }) => {
    const repo = payload.repository.full_name;
    const defaultBranch = payload.repository.default_branch;
    const run = workflowRunSchema.safeParse(payload.workflow_run);
    if (!run.success)
      return void logger.warn(
        { repo, problem: run.error.issues[0]?.message },
        'malformed workflow_run webhook skipped',
      );
    if (run.data.head_branch !== defaultBranch) return;
    await db.transaction(async (tx) => {
      const known = await ciRunUpdatedAt(tx, repo, run.data.id);
      // A late delivery of an earlier attempt (a re-run keeps the run id) changes nothing.
      if (known !== undefined && known > Date.parse(run.data.updated_at)) return;
      await storeWorkflowRun(
        tx,
        { repo, defaultBranch, pattern: workflow, environment: options.environment },
        run.data,
        payload.workflow_run,
      );
    });
  });

  return async (req: IncomingMessage, res: ServerResponse) => {
    const reply = (status: number, text: string) => {
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(text);
    };
    const body = await readBody(req);
    if (body === undefined) return reply(413, 'payload too large');
    const id = String(req.headers['x-github-delivery'] ?? '');
    const name = String(req.headers['x-github-event'] ?? '');
    // Over the bytes GitHub signed (Webhooks.verify takes text, and decoding is not byte-faithful).
    const [method, signature] = String(req.headers['x-hub-signature-256'] ?? '').split('=', 2);
    if (method !== 'sha256' || !signature || !signatureMatches(signature, hmacSha256Hex(options.secret, body)))
      return reply(401, 'signature does not match');
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      logger.warn({ event: name, delivery: id }, 'github webhook with a body that is not JSON refused');
      return reply(400, 'body is not JSON');
    }
    // Every event GitHub sends is an object, and every one we handle names its repository: anything else is
    // malformed, and redelivering it would fail the same way (400, not 500).
    if (!payload || typeof payload !== 'object' || Array.isArray(payload)) {
      logger.warn({ event: name, delivery: id }, 'github webhook whose body is not an object refused');
      return reply(400, 'body is not a JSON object');
    }
    const repo = (payload as { repository?: { full_name?: string } }).repository?.full_name;
    if (!repo && HANDLED_EVENTS.has(name)) {
      logger.warn({ event: name, delivery: id }, 'github webhook without a repository refused');
      return reply(400, 'the payload names no repository');
    }
    if (repo && !known.has(repo.toLowerCase())) {
      logger.info({ event: name, delivery: id, repo }, 'webhook for a repository sources.yml does not name: ignored');
      return reply(202, 'ignored: repository not in sources.yml');
    }
    try {
      await webhooks.receive({ id, name: name as never, payload: payload as never });
      reply(200, 'ok');
    } catch (err) {
      logger.error({ err, event: name, delivery: id }, 'github webhook failed');
      reply(500, 'failed; GitHub shows the delivery as failed and it can be redelivered');
    }
  };
}
