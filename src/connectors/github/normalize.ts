import type { EventInput } from '../../sync/event.js';
import type { Commit, Deployment, DeploymentStatus, PullRequest, Review } from './schemas.js';

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
  labels: string[];
  ticketKeys: string[];
  firstCommitAt: string | null;
  url: string | null;
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
    labels: pr.labels.map((l) => l.name),
    ticketKeys: ticketKeys(pr),
    firstCommitAt: firstCommitAt(commits),
    url: pr.html_url ?? null,
  };
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

/** A deployment's state is its newest status; it finished when that status is final. */
export function deploymentState(statuses: DeploymentStatus[]): {
  state: DeploymentStatus['state'] | 'pending';
  finishedAt: string | null;
} {
  const latest = [...statuses].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at) || b.id - a.id)[0];
  if (!latest) return { state: 'pending', finishedAt: null };
  const final = ['success', 'failure', 'error', 'inactive'].includes(latest.state);
  return { state: latest.state, finishedAt: final ? latest.created_at : null };
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
