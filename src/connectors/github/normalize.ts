import type { EventInput } from '../../sync/event.js';
import type { Commit, Deployment, DeploymentStatus, PullRequest, Review, TimelineEvent } from './schemas.js';

const TICKET_KEY = /\b[A-Z][A-Z0-9]{1,9}-\d{1,7}\b/g;
// Branch names are lower case by habit (eng-123-fix-login), but their usual words are not projects.
const BRANCH_WORDS = new Set([
  'FEATURE',
  'FEAT',
  'FIX',
  'BUGFIX',
  'HOTFIX',
  'RELEASE',
  'CHORE',
  'REVERT',
  'RENOVATE',
  'DEPENDABOT',
  'PATCH',
  'TEST',
  'V',
]);

/** Ticket keys (ENG-123) mentioned in a PR's title, branch or description, in order of first mention. */
export function ticketKeys(pr: Pick<PullRequest, 'title' | 'body' | 'head'>): string[] {
  const fromBranch = (pr.head.ref.replace(/[_/]/g, ' ').toUpperCase().match(TICKET_KEY) ?? []).filter(
    (key) => !BRANCH_WORDS.has(key.split('-')[0] as string),
  );
  const fromText = [pr.title, pr.body ?? ''].join('\n').match(TICKET_KEY) ?? [];
  return [...new Set([...(pr.title.match(TICKET_KEY) ?? []), ...fromBranch, ...fromText])];
}

export interface PullRequestRow {
  repo: string;
  number: number;
  title: string;
  author: string | null;
  state: 'open' | 'closed' | 'merged';
  draft: boolean;
  createdAt: string;
  updatedAt: string;
  mergedAt: string | null;
  closedAt: string | null;
  headRef: string;
  baseRef: string;
  additions: number | null;
  deletions: number | null;
  changedFiles: number | null;
  requestedReviewers: string[];
  /** Slugs of the teams asked to review: who waits on them is the team, nobody in particular. */
  requestedTeams?: string[];
  labels: string[];
  ticketKeys: string[];
  firstCommitAt: string | null;
  url: string | null;
  /** The commit the merge put on the base branch: what a deployment must contain to have shipped the PR. */
  mergeCommitSha?: string | null;
  /** The GitHub milestone's title (OKR key results may map to it). */
  milestone?: string | null;
  mergedBy?: string | null;
}

/** The earliest authored commit: lead time starts there, so squash merges do not reset it. */
export function firstCommitAt(commits: Commit[]): string | null {
  const dates = commits.map((c) => c.commit.author?.date).filter((d): d is string => Boolean(d));
  return dates.length ? dates.reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b)) : null;
}

export function pullRequestRow(repo: string, pr: PullRequest, commits: Commit[]): PullRequestRow {
  return {
    repo,
    number: pr.number,
    title: pr.title,
    author: pr.user?.login ?? null,
    state: pr.merged_at ? 'merged' : pr.state,
    draft: pr.draft ?? false,
    createdAt: pr.created_at,
    updatedAt: pr.updated_at,
    mergedAt: pr.merged_at,
    closedAt: pr.closed_at,
    headRef: pr.head.ref,
    baseRef: pr.base.ref,
    additions: pr.additions ?? null,
    deletions: pr.deletions ?? null,
    changedFiles: pr.changed_files ?? null,
    requestedReviewers: pr.requested_reviewers.map((r) => r.login),
    requestedTeams: pr.requested_teams.map((t) => t.slug),
    labels: pr.labels.map((l) => l.name),
    ticketKeys: ticketKeys(pr),
    firstCommitAt: firstCommitAt(commits),
    url: pr.html_url ?? null,
    mergeCommitSha: pr.merged_at ? (pr.merge_commit_sha ?? null) : null,
    milestone: pr.milestone?.title ?? null,
    mergedBy: pr.merged_at ? (pr.merged_by?.login ?? null) : null,
  };
}

/** When a review wait began, as a PR's timeline dates it. */
export interface ReviewWaits {
  /** When it was last marked ready for review; undefined when it never was a draft. */
  readyAt?: string;
  /** When each person still asked to review was last asked, by login. */
  requested: Map<string, string>;
}

/** A PR's review waits from its timeline (oldest first, as GitHub serves it): the last ready, each last request. */
export function reviewWaits(events: TimelineEvent[]): ReviewWaits {
  const waits: ReviewWaits = { requested: new Map() };
  const ordered = [...events].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at));
  for (const e of ordered) {
    if (e.event === 'ready_for_review') waits.readyAt = e.created_at;
    const login = e.requested_reviewer?.login;
    if (!login) continue;
    if (e.event === 'review_requested') waits.requested.set(login, e.created_at);
    else if (e.event === 'review_request_removed') waits.requested.delete(login);
  }
  return waits;
}

/** Each observed version of a PR is one event (its updated_at is part of the key). */
export function pullRequestEvent(repo: string, pr: PullRequest, raw: unknown): EventInput {
  return {
    source: 'github',
    kind: 'pull_request',
    externalId: `${repo}#${pr.number}@${pr.updated_at}`,
    occurredAt: pr.updated_at,
    actor: pr.user?.login ?? null,
    subject: `${repo}#${pr.number}`,
    normalized: { state: pr.merged_at ? 'merged' : pr.state, title: pr.title, draft: pr.draft ?? false },
    raw,
  };
}

export function reviewEvent(repo: string, number: number, review: Review, raw: unknown): EventInput {
  return {
    source: 'github',
    kind: 'review',
    externalId: `${repo}#${number}/review/${review.id}`,
    occurredAt: review.submitted_at ?? new Date(0).toISOString(),
    actor: review.user?.login ?? null,
    subject: `${repo}#${number}`,
    normalized: { state: review.state },
    raw,
  };
}

const FINAL_STATES = new Set(['success', 'failure', 'error', 'inactive']);
const byStatusOrder = (a: DeploymentStatus, b: DeploymentStatus) =>
  Date.parse(a.created_at) - Date.parse(b.created_at) || a.id - b.id;

/**
 * A deployment's state, derived from every status seen (in any order, duplicates included): successful when any
 * status is `success`, finished at the first one (a later `inactive`, as GitHub adds to superseded deployments,
 * never undoes it); otherwise its newest status, finished when that status is final.
 */
export function deploymentState(statuses: DeploymentStatus[]): {
  state: DeploymentStatus['state'] | 'pending';
  finishedAt: string | null;
} {
  const ordered = [...statuses].sort(byStatusOrder);
  const success = ordered.find((s) => s.state === 'success');
  if (success) return { state: 'success', finishedAt: success.created_at };
  const latest = ordered.at(-1);
  if (!latest) return { state: 'pending', finishedAt: null };
  return { state: latest.state, finishedAt: FINAL_STATES.has(latest.state) ? latest.created_at : null };
}

/** The pipeline behind a deployment: the Actions run its statuses link to, else the deployment itself. */
export function deploymentPipeline(deploymentId: number, statuses: DeploymentStatus[]): string {
  for (const s of statuses) {
    const run = /\/actions\/runs\/(\d+)/.exec(`${s.log_url ?? ''} ${s.target_url ?? ''}`)?.[1];
    if (run) return `run:${run}`;
  }
  return `deployment:${deploymentId}`;
}

export function deploymentEvent(
  repo: string,
  deployment: Deployment,
  statuses: DeploymentStatus[],
  raw: unknown,
): EventInput {
  const { state, finishedAt } = deploymentState(statuses);
  return {
    source: 'github',
    kind: 'deployment',
    externalId: `${repo}/deployments/${deployment.id}@${state}`,
    occurredAt: finishedAt ?? deployment.created_at,
    actor: deployment.creator?.login ?? null,
    subject: repo,
    normalized: { environment: deployment.environment, sha: deployment.sha, state },
    raw,
  };
}
