// A local GitHub REST API for the endpoints em-agent uses, answering as GitHub does: App JWT → installation
// tokens, pagination with Link headers, ETag / If-None-Match → 304 (free), x-ratelimit-* headers,
// secondary limits (403/429 + retry-after) and 5xx on demand. Users, headers and the repository come from
// @octokit/fixtures (real recorded GitHub responses). The awkward parts are modelled too: timestamps with
// one-second resolution (several objects can share one), `/pulls` defaulting to open PRs, `auto_inactive` on
// deployments, a default branch with real history for the compare endpoint, re-runs that keep the run id,
// releases whose target_commitish is the branch they were cut from (their tag names the commit), and 422 for
// reviewers who are the author or not collaborators.
import { createHash, generateKeyPairSync, randomUUID, verify } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { hmacHex, postWebhook, StandIn } from '../stand-in.js';

type Json = Record<string, unknown>;

const require = createRequire(import.meta.url);
const recorded = require('@octokit/fixtures/scenarios/api.github.com/paginate-issues/normalized-fixture.json') as {
  headers: Record<string, string>;
  response: { user: Json }[];
}[];
const REAL_USER = recorded[0]?.response[0]?.user as Json;
const REAL_HEADERS = recorded[0]?.headers ?? {};
const REAL_REPO = (
  require('@octokit/fixtures/scenarios/api.github.com/get-repository/normalized-fixture.json') as { response: Json }[]
)[0]?.response as Json;

/** GitHub's timestamp format: whole seconds. */
const githubTime = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString();
  return text ? JSON.parse(text) : {};
}

export interface StandInPull {
  number: number;
  title: string;
  body?: string | null;
  author: string;
  state: 'open' | 'closed';
  draft?: boolean;
  created_at: string;
  updated_at: string;
  merged_at?: string | null;
  closed_at?: string | null;
  head_ref?: string;
  requested_reviewers?: string[];
  /** Slugs of the organisation's teams asked to review (served as GitHub's team objects in requested_teams). */
  requested_teams?: string[];
  labels?: string[];
  additions?: number;
  deletions?: number;
  commits?: { sha: string; date: string }[];
  reviews?: { id: number; user: string; state: string; submitted_at: string }[];
  /** The commit the merge put on the default branch (set by the stand-in when the PR is merged). */
  merge_commit_sha?: string | null;
  /** The title of the repository milestone it belongs to (served as GitHub's milestone object). */
  milestone?: string | null;
  /**
   * What its issue timeline holds besides its commits: drafts marked ready or converted, review requests added and
   * removed (a person or a team), each when it happened. Kept by addPull, updatePull and requesting reviewers.
   */
  timeline?: StandInTimelineEvent[];
}

export interface StandInTimelineEvent {
  event: 'ready_for_review' | 'convert_to_draft' | 'review_requested' | 'review_request_removed';
  at: string;
  actor: string;
  reviewer?: string;
  team?: string;
}

export interface StandInDeploymentStatus {
  id: number;
  state: string;
  created_at: string;
  /** Actions environments link each status to the job of the run that deployed. */
  log_url?: string;
}

export interface StandInDeployment {
  id: number;
  sha: string;
  ref: string;
  environment: string;
  created_at: string;
  /** GitHub's production_environment flag (default: true for an environment named "production"). */
  production_environment: boolean;
  /** The Actions run that created it (Actions environments), if any. */
  run_id?: number;
  /** Oldest first (the API lists them newest first). */
  statuses: StandInDeploymentStatus[];
}

export interface StandInRun {
  id: number;
  name: string;
  branch: string;
  conclusion: 'success' | 'failure' | 'cancelled' | 'timed_out';
  created_at: string;
  updated_at: string;
  head_sha: string;
  run_attempt: number;
}

export interface StandInIssue {
  number: number;
  title: string;
  body?: string | null;
  author: string;
  state: 'open' | 'closed';
  labels: string[];
  assignee?: string | null;
  created_at: string;
  updated_at: string;
  closed_at?: string | null;
  /** The title of the repository milestone it belongs to (served as GitHub's milestone object). */
  milestone?: string | null;
}

export interface StandInRelease {
  id: number;
  name: string;
  tag_name: string;
  /** What the tag was created from: the default branch's name, as GitHub's UI and most release tools leave it. */
  target_commitish: string;
  draft: boolean;
  prerelease: boolean;
  created_at: string;
  published_at: string | null;
}

interface Repo {
  issues: StandInIssue[];
  runs: StandInRun[];
  releases: StandInRelease[];
  pulls: StandInPull[];
  /** Items served verbatim in the pulls list (to test malformed payloads). */
  rawPulls: Json[];
  deployments: StandInDeployment[];
  /** Files on the default branch, by path. */
  files: Map<string, string>;
  defaultBranch: string;
  /** The default branch's history, oldest first (linear, as squash and rebase merges leave it). */
  history: { sha: string; at: string }[];
  /** Tags by name: the commit each points at (a published release creates its tag). */
  tags: Map<string, string>;
  /** Who may be asked for a review (PR authors, reviewers and addCollaborator). */
  collaborators: Set<string>;
  /** Issues no longer here, by number: deleted, or transferred to another repository's issue. */
  gone: Map<number, { movedTo?: { repo: string; number: number } }>;
}

export interface RecordedGitHubCall {
  method: string;
  path: string;
  status: number;
  conditional: boolean;
}

export class GitHubStandIn extends StandIn {
  readonly appId = '424242';
  readonly privateKey: string;
  private readonly publicKey: string;
  readonly calls: RecordedGitHubCall[] = [];
  readonly repos = new Map<string, Repo>();
  readonly installations = new Map<number, string[]>();
  readonly rateLimit = { limit: 5000, remaining: 5000, reset: Math.floor(Date.now() / 1000) + 3600 };
  private readonly tokens = new Map<string, number>();
  /** Organisation teams by "org/slug": their members' logins (addTeam; PUT .../memberships/{username}). */
  readonly teams = new Map<string, Set<string>>();
  /** Issue and PR comments by "owner/repo#number". */
  readonly comments = new Map<string, Json[]>();
  private clock = Date.parse('2026-11-01T09:00:00Z');
  private nextId = 1000;

  constructor() {
    super();
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    this.publicKey = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  // ------------------------------------------------------------ data

  addInstallation(id: number, repos: string[]): void {
    this.installations.set(id, repos);
    for (const repo of repos)
      if (!this.repos.has(repo))
        this.repos.set(repo, {
          pulls: [],
          rawPulls: [],
          deployments: [],
          runs: [],
          releases: [],
          issues: [],
          files: new Map(),
          defaultBranch: 'main',
          history: [{ sha: this.sha(`${repo}@root`), at: githubTime(this.clock) }],
          tags: new Map(),
          collaborators: new Set(),
          gone: new Map(),
        });
  }

  addTeam(org: string, slug: string, members: string[] = []): void {
    this.teams.set(`${org}/${slug}`, new Set(members));
  }

  addCollaborator(repo: string, login: string): void {
    this.repo(repo).collaborators.add(login);
  }

  /** Renames the default branch, as a repository admin can (runs then report the new name). */
  renameDefaultBranch(repo: string, name: string): void {
    const r = this.repo(repo);
    for (const run of r.runs) if (run.branch === r.defaultBranch) run.branch = name;
    r.defaultBranch = name;
  }

  /** The default branch's newest commit. */
  head(repo: string): string {
    return this.repo(repo).history.at(-1)?.sha as string;
  }

  /** Pushes a commit straight to the default branch (a merge, a revert) and returns its sha. */
  pushCommit(repo: string, label = 'commit'): string {
    const r = this.repo(repo);
    const sha = this.sha(`${repo}@${r.history.length}@${label}`);
    r.history.push({ sha, at: githubTime(this.clock) });
    return sha;
  }

  private sha(seed: string): string {
    return createHash('sha1').update(seed).digest('hex');
  }

  /** Writes (or with null, deletes) a file on the repository's default branch. */
  setFile(repo: string, path: string, text: string | null): void {
    const files = this.repo(repo).files;
    if (text === null) files.delete(path);
    else files.set(path, text);
  }

  /** Sets the stand-in's clock (e.g. to two weeks ago, to seed history that ends now). */
  setClock(at: Date): void {
    this.clock = at.getTime();
  }

  /** Advances the stand-in's clock and returns the new time in GitHub's format (whole seconds; 0 repeats it). */
  tick(minutes = 1): string {
    this.clock += minutes * 60_000;
    return githubTime(this.clock);
  }

  /** Advances the clock by seconds: tickSeconds(0) gives the same second again, as GitHub's clock often does. */
  tickSeconds(seconds: number): string {
    this.clock += seconds * 1000;
    return githubTime(this.clock);
  }

  addPull(repo: string, pull: Partial<StandInPull> & { title: string; author: string }): StandInPull {
    const list = this.repo(repo).pulls;
    const at = this.tick();
    const full: StandInPull = {
      number: list.length + 1,
      state: 'open',
      created_at: at,
      updated_at: at,
      commits: [{ sha: randomUUID().replaceAll('-', ''), date: at }],
      reviews: [],
      ...pull,
    };
    list.push(full);
    // Reviewers asked when it was opened are review requests of its timeline, dated when it was opened.
    full.timeline = [
      ...(full.timeline ?? []),
      ...this.requestChanges({ ...full, requested_reviewers: [], requested_teams: [] }, full, full.created_at),
    ];
    this.knowCollaborators(repo, full);
    if (full.merged_at && !full.merge_commit_sha) full.merge_commit_sha = this.pushCommit(repo, `#${full.number}`);
    return full;
  }

  /**
   * Changes a PR as of `at`. Its timeline notes the changes GitHub's does: `draft` false marks it ready for review,
   * true converts it to a draft, and reviewers (people or teams) added to or dropped from the requested ones are
   * review requests added or removed.
   */
  updatePull(repo: string, number: number, patch: Partial<StandInPull>, at = this.tick()): StandInPull {
    const pull = this.repo(repo).pulls.find((p) => p.number === number);
    if (!pull) throw new Error(`no PR ${repo}#${number}`);
    const before = { ...pull };
    Object.assign(pull, patch, { updated_at: at });
    const events: StandInTimelineEvent[] = [];
    if (Boolean(before.draft) !== Boolean(pull.draft))
      events.push({ event: pull.draft ? 'convert_to_draft' : 'ready_for_review', at, actor: pull.author });
    pull.timeline = [...(before.timeline ?? []), ...events, ...this.requestChanges(before, pull, at)];
    this.knowCollaborators(repo, pull);
    // Merging puts a commit on the default branch (a squash merge's single commit).
    if (pull.merged_at && !pull.merge_commit_sha) pull.merge_commit_sha = this.pushCommit(repo, `#${number}`);
    return pull;
  }

  /** Merges a PR now: closed, merged, and its merge commit on top of the default branch. */
  mergePull(repo: string, number: number): StandInPull {
    const at = this.tick(0);
    return this.updatePull(repo, number, { state: 'closed', merged_at: at, closed_at: at }, at);
  }

  /** The review requests added and removed from one version of a PR to the next, as timeline events. */
  private requestChanges(before: StandInPull, after: StandInPull, at: string): StandInTimelineEvent[] {
    const diff = (was: string[] = [], now: string[] = [], key: 'reviewer' | 'team') => [
      ...now
        .filter((x) => !was.includes(x))
        .map((x) => ({ event: 'review_requested' as const, at, actor: after.author, [key]: x })),
      ...was
        .filter((x) => !now.includes(x))
        .map((x) => ({ event: 'review_request_removed' as const, at, actor: after.author, [key]: x })),
    ];
    return [
      ...diff(before.requested_reviewers, after.requested_reviewers, 'reviewer'),
      ...diff(before.requested_teams, after.requested_teams, 'team'),
    ];
  }

  /**
   * The body GitHub posts for a `pull_request` webhook (opened, edited, closed, ready_for_review, converted_to_draft,
   * review_requested, review_request_removed, ...). A review request names whom it asked: `requested_reviewer` (a
   * person) or `requested_team`. The PR is as it is now (its updated_at is when the change happened).
   */
  pullRequestPayload(repo: string, number: number, action: string, asked?: { reviewer?: string; team?: string }): Json {
    const pull = this.repo(repo).pulls.find((p) => p.number === number);
    if (!pull) throw new Error(`no PR ${repo}#${number}`);
    const org = repo.split('/')[0] as string;
    return {
      action,
      number,
      pull_request: this.pullJson(repo, pull, true),
      ...(asked?.reviewer ? { requested_reviewer: this.user(asked.reviewer) } : {}),
      ...(asked?.team ? { requested_team: this.teamJson(org, asked.team) } : {}),
      repository: this.repositoryJson(repo),
      sender: this.user(pull.author),
    };
  }

  private knowCollaborators(repo: string, pull: StandInPull): void {
    const people = this.repo(repo).collaborators;
    people.add(pull.author);
    for (const login of pull.requested_reviewers ?? []) people.add(login);
    for (const review of pull.reviews ?? []) people.add(review.user);
  }

  /**
   * Issues share GitHub's number space with pull requests; the stand-in numbers them from 5001. A number is never
   * given again, also after its issue was deleted or transferred away.
   */
  addIssue(repo: string, issue: Partial<StandInIssue> & { title: string; author: string }): StandInIssue {
    const { issues: list, gone } = this.repo(repo);
    const at = this.tick();
    const full: StandInIssue = {
      number: 5001 + list.length + gone.size,
      state: 'open',
      labels: [],
      created_at: at,
      updated_at: at,
      ...issue,
    };
    list.push(full);
    return full;
  }

  updateIssue(repo: string, number: number, patch: Partial<StandInIssue>): StandInIssue {
    const issue = this.repo(repo).issues.find((i) => i.number === number);
    if (!issue) throw new Error(`no issue ${repo}#${number}`);
    Object.assign(issue, patch, { updated_at: this.tick() });
    return issue;
  }

  addRawPull(repo: string, raw: Json): void {
    this.repo(repo).rawPulls.push(raw);
  }

  /**
   * A deployment of `sha` (default: the default branch's head), its statuses added a minute apart. A `success`
   * marks earlier successful deployments of the environment `inactive` as GitHub's auto_inactive does: always
   * for deployments made by an Actions environment (`runId`), else only those not flagged production.
   */
  addDeployment(
    repo: string,
    environment: string,
    states: string[],
    options: { sha?: string; runId?: number; productionEnvironment?: boolean } = {},
  ): StandInDeployment {
    const created = this.tick();
    const r = this.repo(repo);
    const deployment: StandInDeployment = {
      id: this.newId(),
      sha: options.sha ?? this.head(repo),
      ref: r.defaultBranch,
      environment,
      created_at: created,
      production_environment: options.productionEnvironment ?? environment === 'production',
      run_id: options.runId,
      statuses: [],
    };
    r.deployments.push(deployment);
    for (const state of states) this.addDeploymentStatus(repo, deployment.id, state);
    return deployment;
  }

  /** Adds a status (a minute later), with auto_inactive on success; returns every status it created. */
  addDeploymentStatus(repo: string, deploymentId: number, state: string): StandInDeploymentStatus[] {
    const r = this.repo(repo);
    const deployment = r.deployments.find((d) => d.id === deploymentId);
    if (!deployment) throw new Error(`no deployment ${deploymentId}`);
    const at = this.tick();
    const logUrl = deployment.run_id
      ? `https://github.com/${repo}/actions/runs/${deployment.run_id}/job/${this.nextId + 1}`
      : undefined;
    const status = { id: this.newId(), state, created_at: at, ...(logUrl ? { log_url: logUrl } : {}) };
    deployment.statuses.push(status);
    const created = [status];
    if (state !== 'success') return created;
    for (const older of r.deployments) {
      if (older.id === deployment.id || older.environment !== deployment.environment) continue;
      if (older.id > deployment.id) continue;
      const last = older.statuses.at(-1)?.state;
      if (last !== 'success' || (!deployment.run_id && older.production_environment)) continue;
      const inactive = { id: this.newId(), state: 'inactive', created_at: at };
      older.statuses.push(inactive);
      created.push(inactive);
    }
    return created;
  }

  /** The body GitHub posts for a deployment_status webhook of that status. */
  deploymentStatusPayload(repo: string, deploymentId: number, statusId: number): Json {
    const deployment = this.repo(repo).deployments.find((d) => d.id === deploymentId);
    const status = deployment?.statuses.find((s) => s.id === statusId);
    if (!deployment || !status) throw new Error(`no status ${statusId} of deployment ${deploymentId}`);
    return {
      action: 'created',
      deployment_status: this.statusJson(deployment, status),
      deployment: this.deploymentJson(repo, deployment),
      repository: this.repositoryJson(repo),
      sender: this.user('deploy-bot'),
    };
  }

  /** The body GitHub posts for an `issues` webhook (opened, edited, closed, labeled, assigned, deleted, ...). */
  issuesPayload(repo: string, number: number, action: string): Json {
    const issue = this.repo(repo).issues.find((i) => i.number === number);
    if (!issue) throw new Error(`no issue ${repo}#${number}`);
    return {
      action,
      issue: this.issueJson(repo, issue),
      repository: this.repositoryJson(repo),
      sender: this.user(issue.author),
    };
  }

  /** Deletes an issue (lists no longer hold it) and answers the body of its `issues` `deleted` webhook. */
  deleteIssue(repo: string, number: number): Json {
    const payload = this.issuesPayload(repo, number, 'deleted');
    const { issues: list, gone } = this.repo(repo);
    list.splice(
      list.findIndex((i) => i.number === number),
      1,
    );
    gone.set(number, {});
    return payload;
  }

  /**
   * Transfers an issue to another repository: it leaves the old one's lists and is a new issue, with a new number,
   * in the new one. Answers the old repository's `issues` `transferred` webhook, whose `changes` carry the new issue
   * and repository (GitHub also sends the new repository an `opened`, in no guaranteed order).
   */
  transferIssue(from: string, number: number, to: string): Json {
    const list = this.repo(from).issues;
    const index = list.findIndex((i) => i.number === number);
    const old = list[index];
    if (!old) throw new Error(`no issue ${from}#${number}`);
    list.splice(index, 1);
    const { number: _number, updated_at: _updated, ...kept } = old;
    const moved = this.addIssue(to, kept);
    this.repo(from).gone.set(number, { movedTo: { repo: to, number: moved.number } });
    return {
      action: 'transferred',
      issue: this.issueJson(from, { ...old, updated_at: moved.updated_at }),
      changes: { new_issue: this.issueJson(to, moved), new_repository: this.repositoryJson(to) },
      repository: this.repositoryJson(from),
      sender: this.user(old.author),
    };
  }

  /** The body GitHub posts for a `workflow_run` webhook (`completed` once the run has a conclusion). */
  workflowRunPayload(
    repo: string,
    runId: number,
    action: 'requested' | 'in_progress' | 'completed' = 'completed',
  ): Json {
    const run = this.repo(repo).runs.find((r) => r.id === runId);
    if (!run) throw new Error(`no run ${runId}`);
    const json = this.runJson(repo, run);
    return {
      action,
      workflow_run: action === 'completed' ? json : { ...json, status: action, conclusion: null },
      workflow: { id: 161335, name: run.name, path: '.github/workflows/ci.yml', state: 'active' },
      repository: this.repositoryJson(repo),
      sender: this.user('sam'),
    };
  }

  /**
   * Sends a delivery to a webhook with this secret as GitHub does: `X-Hub-Signature-256: sha256=<hex HMAC>` (and
   * the legacy SHA-1 one), `X-GitHub-Event`, a fresh `X-GitHub-Delivery` id (a redelivery gets another).
   */
  async deliverWebhook(
    url: string,
    secret: string,
    event: string,
    payload: Json,
  ): Promise<{ status: number; text: string }> {
    const body = JSON.stringify(payload);
    return postWebhook(url, body, {
      'x-github-event': event,
      'x-github-delivery': randomUUID(),
      'x-github-hook-id': '424242',
      'x-hub-signature': `sha1=${hmacHex(secret, body, 'sha1')}`,
      'x-hub-signature-256': `sha256=${hmacHex(secret, body)}`,
      'user-agent': 'GitHub-Hookshot/044aadd',
    });
  }

  private repositoryJson(repo: string): Json {
    return { ...REAL_REPO, full_name: repo, name: repo.split('/')[1], default_branch: this.repo(repo).defaultBranch };
  }

  private runJson(repoName: string, r: StandInRun): Json {
    return {
      id: r.id,
      name: r.name,
      head_branch: r.branch,
      head_sha: r.head_sha,
      status: 'completed',
      conclusion: r.conclusion,
      event: 'push',
      run_attempt: r.run_attempt,
      created_at: r.created_at,
      updated_at: r.updated_at,
      run_started_at: r.created_at,
      html_url: `https://github.com/${repoName}/actions/runs/${r.id}`,
    };
  }

  private newId(): number {
    this.nextId += 1;
    return this.nextId;
  }

  addRun(
    repo: string,
    name: string,
    conclusion: StandInRun['conclusion'],
    branch = this.repo(repo).defaultBranch,
    sha = this.head(repo),
  ): StandInRun {
    const created = this.tick();
    const run: StandInRun = {
      id: this.newId(),
      name,
      branch,
      conclusion,
      created_at: created,
      updated_at: this.tick(5),
      head_sha: sha,
      run_attempt: 1,
    };
    this.repo(repo).runs.push(run);
    return run;
  }

  /** Re-runs a workflow run: GitHub keeps the id and creation time, and bumps run_attempt and updated_at. */
  rerun(repo: string, runId: number, conclusion: StandInRun['conclusion']): StandInRun {
    const run = this.repo(repo).runs.find((r) => r.id === runId);
    if (!run) throw new Error(`no run ${runId}`);
    Object.assign(run, { conclusion, run_attempt: run.run_attempt + 1, updated_at: this.tick(5) });
    return run;
  }

  /**
   * A release cut from the default branch: publishing it tags the branch's head (or `sha`); a draft has no tag yet.
   * Its target_commitish stays the branch name, as GitHub reports it.
   */
  addRelease(
    repo: string,
    tag: string,
    options: { draft?: boolean; prerelease?: boolean; sha?: string } = {},
  ): StandInRelease {
    const r = this.repo(repo);
    const created = this.tick();
    const release = {
      id: this.newId(),
      name: tag,
      tag_name: tag,
      target_commitish: r.defaultBranch,
      draft: options.draft ?? false,
      prerelease: options.prerelease ?? false,
      created_at: created,
      published_at: options.draft ? null : this.tick(),
    };
    r.releases.push(release);
    if (!options.draft) r.tags.set(tag, options.sha ?? this.head(repo));
    return release;
  }

  /** Calls that cost rate limit (everything but 304s). */
  get billableCalls(): number {
    return this.calls.filter((c) => c.status !== 304 && !c.path.startsWith('/app/')).length;
  }

  private repo(name: string): Repo {
    const repo = this.repos.get(name);
    if (!repo) throw new Error(`unknown repo ${name}`);
    return repo;
  }

  // ------------------------------------------------------------ HTTP

  protected async route(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', this.url);
    const path = url.pathname;
    const conditional = Boolean(req.headers['if-none-match']);
    let lostResponse: number | undefined;
    const reply = (answered: number, answer: unknown, headers: Record<string, string> = {}) => {
      const status = lostResponse ?? answered;
      const body = lostResponse ? { message: 'Server Error' } : answer;
      this.calls.push({ method: req.method ?? 'GET', path: `${path}${url.search}`, status, conditional });
      if (status !== 304 && !path.startsWith('/app/'))
        this.rateLimit.remaining = Math.max(0, this.rateLimit.remaining - 1);
      const base = {
        'content-type': 'application/json; charset=utf-8',
        'x-github-media-type': REAL_HEADERS['x-github-media-type'] ?? 'github.v3; format=json',
        'x-ratelimit-limit': String(this.rateLimit.limit),
        'x-ratelimit-remaining': String(this.rateLimit.remaining),
        'x-ratelimit-used': String(this.rateLimit.limit - this.rateLimit.remaining),
        'x-ratelimit-reset': String(this.rateLimit.reset),
        'x-ratelimit-resource': 'core',
        'x-github-request-id': randomUUID(),
      };
      res.writeHead(status, { ...base, ...headers });
      // A string is a body in a custom media type (the sha of a commit), sent as it is.
      res.end(status === 304 ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
    };

    const fault = this.takeFault(`${path}${url.search}`, req.method);
    if (fault?.afterEffect) lostResponse = fault.status;
    else if (fault) {
      const message =
        fault.message ??
        (fault.status === 403 || fault.status === 429
          ? 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.'
          : 'Server Error');
      return reply(
        fault.status,
        { message, documentation_url: 'https://docs.github.com/rest' },
        fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {},
      );
    }

    const tokenMatch = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path);
    if (tokenMatch && req.method === 'POST') {
      if (!this.validJwt(req.headers.authorization))
        return reply(401, { message: 'A JSON web token could not be decoded' });
      const id = Number(tokenMatch[1]);
      if (!this.installations.has(id)) return reply(404, { message: 'Not Found' });
      const token = `ghs_${randomUUID().replaceAll('-', '')}`;
      this.tokens.set(token, id);
      return reply(201, {
        token,
        expires_at: new Date(Date.now() + 3_600_000).toISOString(),
        permissions: { pull_requests: 'read', deployments: 'read', contents: 'read' },
        repository_selection: 'selected',
      });
    }

    const auth = /^(?:token|bearer)\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const installation = auth ? this.tokens.get(auth[1] as string) : undefined;
    if (installation === undefined)
      return reply(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });

    // Team membership (Add or update team membership for a user): an installation of the org may manage its teams.
    // GitHub answers 200 with the membership (state "active" for an org member, "pending" for an invitation).
    const membershipMatch = /^\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/.exec(path);
    if (membershipMatch) {
      const [, org, slug, username] = membershipMatch as unknown as [string, string, string, string];
      const team = this.teams.get(`${org}/${slug}`);
      const ownsOrg = this.installations.get(installation)?.some((r) => r.startsWith(`${org}/`));
      if (!team || !ownsOrg) return reply(404, { message: 'Not Found' });
      if (req.method === 'PUT') {
        team.add(username);
        return reply(200, { url: `${this.url}${path}`, role: 'member', state: 'active' });
      }
      if (req.method === 'GET')
        return team.has(username)
          ? reply(200, { url: `${this.url}${path}`, role: 'member', state: 'active' })
          : reply(404, { message: 'Not Found' });
      return reply(404, { message: 'Not Found' });
    }

    const repoMatch = /^\/repos\/([^/]+\/[^/]+)(\/.*)?$/.exec(path);
    const repoName = repoMatch?.[1] ?? '';
    if (!repoMatch || !this.installations.get(installation)?.includes(repoName))
      return reply(404, { message: 'Not Found' });
    const repo = this.repo(repoName);
    const rest = repoMatch[2] ?? '';
    const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30));
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1));

    const list = (items: unknown[]) => {
      const body = items.slice((page - 1) * perPage, page * perPage);
      const etag = `W/"${createHash('sha1').update(JSON.stringify(body)).digest('hex')}"`;
      if (req.headers['if-none-match'] === etag) return reply(304, null, { etag });
      const last = Math.max(1, Math.ceil(items.length / perPage));
      const link = (p: number, rel: string) => {
        const u = new URL(url.toString());
        u.searchParams.set('page', String(p));
        return `<${u.toString()}>; rel="${rel}"`;
      };
      const links = [
        page < last ? link(page + 1, 'next') : '',
        page < last ? link(last, 'last') : '',
        page > 1 ? link(1, 'first') : '',
        page > 1 ? link(page - 1, 'prev') : '',
      ].filter(Boolean);
      return reply(200, body, { etag, ...(links.length ? { link: links.join(', ') } : {}) });
    };

    const pullMatch = /^\/pulls\/(\d+)(?:\/(commits|reviews))?$/.exec(rest);
    const deploymentMatch = /^\/deployments\/(\d+)(\/statuses)?$/.exec(rest);
    if (rest === '') {
      const body = {
        ...REAL_REPO,
        id: 1,
        full_name: repoName,
        name: repoName.split('/')[1],
        default_branch: repo.defaultBranch,
        private: true,
      };
      const etag = `W/"${createHash('sha1').update(JSON.stringify(body)).digest('hex')}"`;
      if (req.headers['if-none-match'] === etag) return reply(304, null, { etag });
      return reply(200, body, { etag });
    }
    const compareMatch = /^\/compare\/([^.]+)\.\.\.(.+)$/.exec(rest);
    if (compareMatch) {
      // Commits reachable from head and not from base, oldest first, paginated like any list (GitHub also
      // caps an unpaginated compare at 250 commits). History is linear, so a base after head is "behind".
      const index = (ref: string) => repo.history.findIndex((c) => c.sha === ref);
      const base = index(compareMatch[1] as string);
      const head = index(compareMatch[2] as string);
      if (base < 0 || head < 0) return reply(404, { message: 'Not Found' });
      const commits = repo.history.slice(base + 1, Math.max(base + 1, head + 1)).map((c) => ({
        sha: c.sha,
        commit: { author: { name: 'dev', email: 'dev@acme.dev', date: c.at }, message: 'change' },
        author: this.user('dev'),
      }));
      const status = head > base ? 'ahead' : head < base ? 'behind' : 'identical';
      const last = Math.max(1, Math.ceil(commits.length / perPage));
      const links: Record<string, string> =
        page < last ? { link: `<${this.url}${path}?per_page=${perPage}&page=${page + 1}>; rel="next"` } : {};
      return reply(
        200,
        {
          url: `${this.url}${path}`,
          status,
          ahead_by: Math.max(0, head - base),
          behind_by: Math.max(0, base - head),
          total_commits: commits.length,
          base_commit: { sha: compareMatch[1] },
          commits: commits.slice((page - 1) * perPage, page * perPage),
          files: [],
        },
        links,
      );
    }
    // Get a commit: ref is a sha, a branch or a tag (`heads/…`, `tags/…`, or a bare name, a tag first as git
    // resolves it). With Accept: application/vnd.github.sha the body is the commit's sha alone.
    const commitMatch = /^\/commits\/(.+)$/.exec(rest);
    if (commitMatch && req.method === 'GET') {
      const ref = decodeURIComponent(commitMatch[1] as string);
      const sha = this.resolveRef(repo, ref);
      const commit = repo.history.find((c) => c.sha === sha);
      if (!commit)
        return reply(422, {
          message: `No commit found for SHA: ${ref}`,
          documentation_url: 'https://docs.github.com/rest/commits/commits#get-a-commit',
        });
      if (/application\/vnd\.github(\.v3)?\.sha/.test(String(req.headers.accept)))
        return reply(200, commit.sha, { 'content-type': 'application/vnd.github.sha; charset=utf-8' });
      const parent = repo.history[repo.history.indexOf(commit) - 1];
      return reply(200, {
        sha: commit.sha,
        url: `${this.url}/repos/${repoName}/commits/${commit.sha}`,
        commit: {
          author: { name: 'dev', email: 'dev@acme.dev', date: commit.at },
          committer: { name: 'GitHub', email: 'noreply@github.com', date: commit.at },
          message: 'change',
        },
        author: this.user('dev'),
        parents: parent ? [{ sha: parent.sha, url: `${this.url}/repos/${repoName}/commits/${parent.sha}` }] : [],
        files: [],
      });
    }
    // Git data: the default branch's tree (recursive) and blobs by their git sha, as GitHub serves them.
    const blobSha = (text: string) =>
      createHash('sha1')
        .update(`blob ${Buffer.byteLength(text)}\0${text}`)
        .digest('hex');
    if (rest === '/git/trees/HEAD' || rest === '/git/trees/main') {
      const tree = [...repo.files.entries()].map(([filePath, text]) => ({
        path: filePath,
        mode: '100644',
        type: 'blob',
        sha: blobSha(text),
        size: Buffer.byteLength(text),
        url: `${this.url}/repos/${repoName}/git/blobs/${blobSha(text)}`,
      }));
      const body = {
        sha: createHash('sha1').update(JSON.stringify(tree)).digest('hex'),
        url: `${this.url}${path}`,
        tree,
        truncated: false,
      };
      const etag = `W/"${body.sha}"`;
      if (req.headers['if-none-match'] === etag) return reply(304, null, { etag });
      return reply(200, body, { etag });
    }
    const blobMatch = /^\/git\/blobs\/([0-9a-f]{40})$/.exec(rest);
    if (blobMatch) {
      const text = [...repo.files.values()].find((t) => blobSha(t) === blobMatch[1]);
      if (text === undefined) return reply(404, { message: 'Not Found' });
      return reply(200, {
        sha: blobMatch[1],
        node_id: 'B_stand_in',
        size: Buffer.byteLength(text),
        url: `${this.url}${path}`,
        content: `${Buffer.from(text)
          .toString('base64')
          .replace(/(.{60})/g, '$1\n')}\n`,
        encoding: 'base64',
      });
    }
    if (rest === '/actions/runs') {
      const branch = url.searchParams.get('branch');
      const status = url.searchParams.get('status');
      const runs = [...repo.runs]
        .filter((r) => (!branch || r.branch === branch) && (!status || status === 'completed'))
        .sort((a, b) => b.id - a.id)
        .map((r) => this.runJson(repoName, r));
      const body = { total_count: runs.length, workflow_runs: runs.slice((page - 1) * perPage, page * perPage) };
      const etag = `W/"${createHash('sha1').update(JSON.stringify(body)).digest('hex')}"`;
      if (req.headers['if-none-match'] === etag) return reply(304, null, { etag });
      const last = Math.max(1, Math.ceil(runs.length / perPage));
      const next = new URL(url.toString());
      next.searchParams.set('page', String(page + 1));
      return reply(200, body, { etag, ...(page < last ? { link: `<${next.toString()}>; rel="next"` } : {}) });
    }
    if (rest === '/issues') {
      // Like GitHub's, this list holds pull requests too (marked by a pull_request key).
      const since = url.searchParams.get('since');
      const state = url.searchParams.get('state') ?? 'open';
      const issues: Json[] = [
        ...repo.issues.map((i) => this.issueJson(repoName, i)),
        ...repo.pulls.map(
          (p): Json => ({
            ...this.pullJson(repoName, p, false),
            pull_request: { url: `${this.url}/repos/${repoName}/pulls/${p.number}` },
          }),
        ),
      ]
        .filter((i) => (state === 'all' || i.state === state) && (!since || String(i.updated_at) >= since))
        .sort((a, b) => Date.parse(String(b.updated_at)) - Date.parse(String(a.updated_at)));
      return list(issues);
    }
    // One issue: a deleted one is 410 Gone; a transferred one is 301 to the new issue, or 404 when this
    // installation cannot read the repository it went to (GitHub's documented answers).
    const issueMatch = /^\/issues\/(\d+)$/.exec(rest);
    if (issueMatch && req.method === 'GET') {
      const number = Number(issueMatch[1]);
      const issue = repo.issues.find((i) => i.number === number);
      if (issue) return reply(200, this.issueJson(repoName, issue));
      const pull = repo.pulls.find((p) => p.number === number);
      if (pull)
        return reply(200, {
          ...this.pullJson(repoName, pull, false),
          pull_request: { url: `${this.url}/repos/${repoName}/pulls/${number}` },
        });
      const gone = repo.gone.get(number);
      const movedTo = gone?.movedTo;
      if (movedTo && this.installations.get(installation)?.includes(movedTo.repo))
        return reply(
          301,
          { message: 'Moved Permanently', url: `${this.url}/repos/${movedTo.repo}/issues/${movedTo.number}` },
          { location: `${this.url}/repos/${movedTo.repo}/issues/${movedTo.number}` },
        );
      if (gone && !movedTo)
        return reply(410, {
          message: 'This issue was deleted',
          documentation_url: 'https://docs.github.com/v3/issues/#get-an-issue',
        });
      return reply(404, { message: 'Not Found' });
    }
    // Add assignees: GitHub silently ignores logins that may not be assigned; one assignee per issue here.
    const assigneesMatch = /^\/issues\/(\d+)\/assignees$/.exec(rest);
    if (assigneesMatch && req.method === 'POST') {
      const issue = repo.issues.find((i) => i.number === Number(assigneesMatch[1]));
      if (!issue) return reply(404, { message: 'Not Found' });
      const body = (await readJson(req)) as { assignees?: string[] };
      const first = body.assignees?.[0];
      if (first) {
        issue.assignee = first;
        issue.updated_at = this.tick(0);
      }
      return reply(201, this.issueJson(repoName, issue));
    }
    // An issue's timeline, oldest first and paginated: for a PR, its commits (`committed`, dated by their author, with
    // no created_at) and its timeline events; an issue's events are not modelled (an empty list).
    const timelineMatch = /^\/issues\/(\d+)\/timeline$/.exec(rest);
    if (timelineMatch && req.method === 'GET') {
      const number = Number(timelineMatch[1]);
      const pull = repo.pulls.find((p) => p.number === number);
      if (!pull && !repo.issues.some((i) => i.number === number)) return reply(404, { message: 'Not Found' });
      return list(pull ? this.timelineJson(repoName, pull) : []);
    }
    const commentsMatch = /^\/issues\/(\d+)\/(comments|labels)$/.exec(rest);
    if (commentsMatch) {
      const number = Number(commentsMatch[1]);
      const target = repo.pulls.find((p) => p.number === number) ?? repo.issues.find((i) => i.number === number);
      if (!target) return reply(404, { message: 'Not Found' });
      const body = req.method === 'POST' ? ((await readJson(req)) as Json) : {};
      if (commentsMatch[2] === 'labels') {
        if (req.method !== 'POST') return reply(404, { message: 'Not Found' });
        const labels = (body.labels as string[] | undefined) ?? [];
        target.labels = [...new Set([...(target.labels ?? []), ...labels])];
        return reply(
          200,
          target.labels.map((name, i) => ({ id: i + 1, name, color: 'ededed', default: false })),
        );
      }
      const comments = (this.comments.get(`${repoName}#${number}`) ?? []) as Json[];
      this.comments.set(`${repoName}#${number}`, comments);
      if (req.method === 'POST') {
        if (typeof body.body !== 'string' || !body.body) return reply(422, { message: 'Validation Failed' });
        const id = this.newId();
        const comment = {
          id,
          body: body.body,
          user: this.user('em-agent[bot]'),
          html_url: `https://github.com/${repoName}/issues/${number}#issuecomment-${id}`,
          created_at: this.tick(0),
          updated_at: this.tick(0),
        };
        comments.push(comment);
        return reply(201, comment);
      }
      return list(comments);
    }
    const reviewersMatch = /^\/pulls\/(\d+)\/requested_reviewers$/.exec(rest);
    if (reviewersMatch && req.method === 'POST') {
      const pull = repo.pulls.find((p) => p.number === Number(reviewersMatch[1]));
      if (!pull) return reply(404, { message: 'Not Found' });
      const body = (await readJson(req)) as { reviewers?: string[]; team_reviewers?: string[] };
      const asked = body.reviewers ?? [];
      const teamsAsked = body.team_reviewers ?? [];
      const org = repoName.split('/')[0];
      if (asked.includes(pull.author))
        return reply(422, {
          message: 'Review cannot be requested from pull request author.',
          documentation_url: 'https://docs.github.com/rest/pulls/review-requests#request-reviewers-for-a-pull-request',
        });
      if (
        asked.some((login) => !repo.collaborators.has(login)) ||
        teamsAsked.some((slug) => !this.teams.has(`${org}/${slug}`))
      )
        return reply(422, {
          message: `Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the ${repoName} repository.`,
          documentation_url: 'https://docs.github.com/rest/pulls/review-requests#request-reviewers-for-a-pull-request',
        });
      // A request is a change of the PR (updated_at) and an event of its timeline.
      this.updatePull(
        repoName,
        pull.number,
        {
          requested_reviewers: [...new Set([...(pull.requested_reviewers ?? []), ...asked])],
          requested_teams: [...new Set([...(pull.requested_teams ?? []), ...teamsAsked])],
        },
        this.tick(0),
      );
      return reply(201, this.pullJson(repoName, pull, true));
    }
    if (rest === '/releases') {
      return list(
        [...repo.releases].sort((a, b) => b.id - a.id).map((r) => ({ ...r, author: this.user('release-bot') })),
      );
    }
    if (rest === '/pulls') {
      // GitHub's defaults: open PRs only, newest created first.
      const state = url.searchParams.get('state') ?? 'open';
      const sort = url.searchParams.get('sort') ?? 'created';
      const direction = url.searchParams.get('direction') ?? (sort === 'long-running' ? 'asc' : 'desc');
      const key = (p: StandInPull) => Date.parse(sort === 'updated' ? p.updated_at : p.created_at);
      const pulls = repo.pulls
        .filter((p) => state === 'all' || p.state === state)
        // Equal timestamps (one-second resolution) keep GitHub's tie order: higher numbers first.
        .sort((a, b) => (key(b) - key(a) || b.number - a.number) * (direction === 'asc' ? -1 : 1))
        .map((p) => this.pullJson(repoName, p, false));
      return list([...repo.rawPulls, ...pulls]);
    }
    if (pullMatch) {
      const pull = repo.pulls.find((p) => p.number === Number(pullMatch[1]));
      if (!pull) return reply(404, { message: 'Not Found' });
      if (!pullMatch[2]) return reply(200, this.pullJson(repoName, pull, true));
      if (pullMatch[2] === 'commits') {
        return list(
          (pull.commits ?? []).map((c) => ({
            sha: c.sha,
            commit: {
              author: { name: pull.author, email: `${pull.author}@acme.dev`, date: c.date },
              message: 'change',
            },
            author: this.user(pull.author),
          })),
        );
      }
      return list(
        (pull.reviews ?? []).map((r) => ({
          id: r.id,
          user: this.user(r.user),
          state: r.state,
          submitted_at: r.submitted_at,
          body: '',
        })),
      );
    }
    if (rest === '/deployments') {
      const environment = url.searchParams.get('environment');
      const items = repo.deployments
        .filter((d) => !environment || d.environment === environment)
        .sort((a, b) => b.id - a.id)
        .map((d) => this.deploymentJson(repoName, d));
      return list(items);
    }
    if (deploymentMatch) {
      const deployment = repo.deployments.find((d) => d.id === Number(deploymentMatch[1]));
      if (!deployment) return reply(404, { message: 'Not Found' });
      if (!deploymentMatch[2]) return reply(200, this.deploymentJson(repoName, deployment));
      return list([...deployment.statuses].reverse().map((s) => this.statusJson(deployment, s)));
    }
    return reply(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
  }

  /** The commit a ref names on this repository's default branch history, if any. */
  private resolveRef(repo: Repo, ref: string): string | undefined {
    const named = /^(heads|tags)\/(.+)$/.exec(ref);
    const branch = (name: string) => (name === repo.defaultBranch ? repo.history.at(-1)?.sha : undefined);
    if (named?.[1] === 'tags') return repo.tags.get(named[2] as string);
    if (named?.[1] === 'heads') return branch(named[2] as string);
    if (repo.history.some((c) => c.sha === ref)) return ref;
    return repo.tags.get(ref) ?? branch(ref);
  }

  private validJwt(header: string | undefined): boolean {
    const token = /^bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
    const [head, payload, signature] = token?.split('.') ?? [];
    if (!head || !payload || !signature) return false;
    const ok = verify(
      'RSA-SHA256',
      Buffer.from(`${head}.${payload}`),
      this.publicKey,
      Buffer.from(signature, 'base64url'),
    );
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { iss?: unknown; exp?: number };
    return ok && String(claims.iss) === this.appId && (claims.exp ?? 0) * 1000 > Date.now();
  }

  private user(login: string): Json {
    return {
      ...REAL_USER,
      login,
      id: createHash('sha1').update(login).digest().readUInt32BE(0),
      html_url: `https://github.com/${login}`,
    };
  }

  private pullJson(repo: string, p: StandInPull, detail: boolean): Json {
    return {
      url: `${this.url}/repos/${repo}/pulls/${p.number}`,
      id: createHash('sha1').update(`${repo}#${p.number}`).digest().readUInt32BE(0),
      html_url: `https://github.com/${repo}/pull/${p.number}`,
      number: p.number,
      state: p.state,
      locked: false,
      title: p.title,
      user: this.user(p.author),
      body: p.body ?? null,
      labels: (p.labels ?? []).map((name, i) => ({ id: i + 1, name, color: 'ededed', default: false })),
      created_at: p.created_at,
      updated_at: p.updated_at,
      closed_at: p.closed_at ?? null,
      merged_at: p.merged_at ?? null,
      merge_commit_sha: p.merge_commit_sha ?? null,
      requested_reviewers: (p.requested_reviewers ?? []).map((login) => this.user(login)),
      requested_teams: (p.requested_teams ?? []).map((slug) => this.teamJson(repo.split('/')[0] as string, slug)),
      head: {
        label: `acme:${p.head_ref ?? `feature-${p.number}`}`,
        ref: p.head_ref ?? `feature-${p.number}`,
        sha: p.commits?.at(-1)?.sha ?? '0'.repeat(40),
      },
      base: { label: 'acme:main', ref: 'main', sha: 'f'.repeat(40) },
      draft: p.draft ?? false,
      author_association: 'MEMBER',
      milestone: this.milestoneJson(repo, p.milestone),
      ...(detail
        ? {
            merged: Boolean(p.merged_at),
            additions: p.additions ?? 10,
            deletions: p.deletions ?? 2,
            changed_files: 3,
            commits: p.commits?.length ?? 1,
          }
        : {}),
    };
  }

  /** A PR's issue timeline as GitHub serves it: its commits and events, oldest first. */
  private timelineJson(repo: string, p: StandInPull): Json[] {
    const org = repo.split('/')[0] as string;
    const items: { at: string; json: Json }[] = [
      ...(p.commits ?? []).map((c) => ({
        at: c.date,
        json: {
          sha: c.sha,
          node_id: Buffer.from(`Commit:${c.sha}`).toString('base64'),
          url: `${this.url}/repos/${repo}/git/commits/${c.sha}`,
          html_url: `https://github.com/${repo}/commit/${c.sha}`,
          author: { name: p.author, email: `${p.author}@acme.dev`, date: c.date },
          committer: { name: p.author, email: `${p.author}@acme.dev`, date: c.date },
          message: 'change',
          parents: [],
          event: 'committed',
        } as Json,
      })),
      ...(p.timeline ?? []).map((e) => {
        const id = createHash('sha1')
          .update(`${repo}#${p.number}/${e.event}/${e.at}/${e.reviewer ?? e.team}`)
          .digest();
        return {
          at: e.at,
          json: {
            id: id.readUInt32BE(0),
            node_id: Buffer.from(`Event:${id.toString('hex')}`).toString('base64'),
            url: `${this.url}/repos/${repo}/issues/events/${id.readUInt32BE(0)}`,
            actor: this.user(e.actor),
            event: e.event,
            commit_id: null,
            commit_url: null,
            created_at: e.at,
            ...(e.event === 'review_requested' || e.event === 'review_request_removed'
              ? {
                  review_requester: this.user(e.actor),
                  ...(e.reviewer ? { requested_reviewer: this.user(e.reviewer) } : {}),
                  ...(e.team ? { requested_team: this.teamJson(org, e.team) } : {}),
                }
              : {}),
            performed_via_github_app: null,
          } as Json,
        };
      }),
    ];
    return items.sort((a, b) => Date.parse(a.at) - Date.parse(b.at)).map((i) => i.json);
  }

  /** A team as GitHub nests it in a pull request's requested_teams. */
  private teamJson(org: string, slug: string): Json {
    const id = createHash('sha1').update(`${org}/team/${slug}`).digest().readUInt32BE(0);
    return {
      id,
      node_id: Buffer.from(`Team:${id}`).toString('base64'),
      url: `${this.url}/organizations/1/team/${id}`,
      html_url: `https://github.com/orgs/${org}/teams/${slug}`,
      name: slug.charAt(0).toUpperCase() + slug.slice(1),
      slug,
      description: null,
      privacy: 'closed',
      notification_setting: 'notifications_enabled',
      permission: 'pull',
      members_url: `${this.url}/organizations/1/team/${id}/members{/member}`,
      repositories_url: `${this.url}/organizations/1/team/${id}/repos`,
      parent: null,
    };
  }

  private issueJson(repo: string, i: StandInIssue): Json {
    return {
      url: `${this.url}/repos/${repo}/issues/${i.number}`,
      repository_url: `${this.url}/repos/${repo}`,
      html_url: `https://github.com/${repo}/issues/${i.number}`,
      id: createHash('sha1').update(`${repo}#${i.number}`).digest().readUInt32BE(0),
      number: i.number,
      title: i.title,
      body: i.body ?? null,
      user: this.user(i.author),
      state: i.state,
      state_reason: i.state === 'closed' ? 'completed' : null,
      labels: i.labels.map((name, n) => ({ id: n + 1, name, color: 'ededed', default: false })),
      assignee: i.assignee ? this.user(i.assignee) : null,
      assignees: i.assignee ? [this.user(i.assignee)] : [],
      comments: 0,
      created_at: i.created_at,
      updated_at: i.updated_at,
      closed_at: i.closed_at ?? null,
      author_association: 'MEMBER',
      milestone: this.milestoneJson(repo, i.milestone),
    };
  }

  /** Milestones are numbered per repository in the order the stand-in first sees their titles. */
  private readonly milestoneNumbers = new Map<string, Map<string, number>>();

  /** A milestone as GitHub serves it inside an issue or pull request (null when there is none). */
  private milestoneJson(repo: string, title: string | null | undefined): Json | null {
    if (!title) return null;
    const numbers = this.milestoneNumbers.get(repo) ?? new Map<string, number>();
    this.milestoneNumbers.set(repo, numbers);
    const number = numbers.get(title) ?? numbers.size + 1;
    numbers.set(title, number);
    const { issues, pulls } = this.repo(repo);
    const items = [...issues, ...pulls].filter((x) => x.milestone === title);
    return {
      url: `${this.url}/repos/${repo}/milestones/${number}`,
      html_url: `https://github.com/${repo}/milestone/${number}`,
      labels_url: `${this.url}/repos/${repo}/milestones/${number}/labels`,
      id: createHash('sha1').update(`${repo}/milestone/${title}`).digest().readUInt32BE(0),
      node_id: Buffer.from(`Milestone:${repo}/${number}`).toString('base64'),
      number,
      state: 'open',
      title,
      description: null,
      creator: this.user('maya'),
      open_issues: items.filter((x) => x.state === 'open').length,
      closed_issues: items.filter((x) => x.state === 'closed').length,
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
      closed_at: null,
      due_on: null,
    };
  }

  private statusJson(deployment: StandInDeployment, s: StandInDeploymentStatus): Json {
    return {
      id: s.id,
      state: s.state,
      description: '',
      environment: deployment.environment,
      target_url: s.log_url ?? '',
      log_url: s.log_url ?? '',
      environment_url: '',
      created_at: s.created_at,
      updated_at: s.created_at,
      creator: this.user(deployment.run_id ? 'github-actions[bot]' : 'deploy-bot'),
    };
  }

  private deploymentJson(repo: string, d: StandInDeployment): Json {
    return {
      url: `${this.url}/repos/${repo}/deployments/${d.id}`,
      id: d.id,
      sha: d.sha,
      ref: d.ref,
      task: 'deploy',
      environment: d.environment,
      creator: this.user('deploy-bot'),
      created_at: d.created_at,
      updated_at: d.statuses.at(-1)?.created_at ?? d.created_at,
      production_environment: d.production_environment,
      transient_environment: false,
    };
  }
}
