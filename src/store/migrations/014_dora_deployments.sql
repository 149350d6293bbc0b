-- Every status a deployment has been seen with (polling and webhooks, in any order), so its state is derived
-- from all of them: a deployment that ever reached `success` stays successful when GitHub later marks it `inactive`.
CREATE TABLE deployment_statuses (
  source text NOT NULL,
  external_id text NOT NULL,
  status_id bigint NOT NULL,
  state text NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (source, external_id, status_id)
);

-- The pipeline a deployment belongs to (an Actions run, else the deployment itself): several deployments of one
-- pipeline count once. `renormalize` marks rows written by the old normalizer (newest status only): the next sync
-- re-reads their statuses from GitHub and re-derives them.
ALTER TABLE deployments ADD COLUMN pipeline text;
ALTER TABLE deployments ADD COLUMN renormalize boolean NOT NULL DEFAULT false;
UPDATE deployments SET renormalize = true WHERE source = 'github';
UPDATE deployments SET pipeline = 'run:' || external_id WHERE source = 'github-actions';
UPDATE deployments SET pipeline = 'release:' || external_id WHERE source = 'github-releases';

-- What a deployment shipped: the commits of GitHub's compare between two deployed shas. It never changes, so it
-- is cached per (base, head). status: ahead | behind | identical | diverged | missing (compare answered 404).
CREATE TABLE commit_ranges (
  repo text NOT NULL,
  base text NOT NULL,
  head text NOT NULL,
  status text NOT NULL,
  shas text[] NOT NULL,
  PRIMARY KEY (repo, base, head)
);

-- A merged PR ships with the first deployment whose range holds its merge commit. Earlier rows get the sha
-- from the raw payloads kept in events.
ALTER TABLE pull_requests ADD COLUMN merge_commit_sha text;
UPDATE pull_requests p SET merge_commit_sha = e.sha
  FROM (
    SELECT DISTINCT ON (subject) subject, raw->>'merge_commit_sha' AS sha
      FROM events
     WHERE source = 'github' AND kind = 'pull_request' AND raw->>'merge_commit_sha' IS NOT NULL
     ORDER BY subject, occurred_at DESC
  ) e
 WHERE e.subject = p.repo || '#' || p.number AND p.merged_at IS NOT NULL;
CREATE INDEX pull_requests_merge_sha_idx ON pull_requests (repo, merge_commit_sha) WHERE merge_commit_sha IS NOT NULL;

-- When the PR shipped (the first successful deployment whose range holds its merge commit), kept up to date by the
-- sync, so lead time reads the PRs of its window instead of walking every deployment in history.
ALTER TABLE pull_requests ADD COLUMN deployed_at timestamptz;
CREATE INDEX pull_requests_deployed_idx ON pull_requests (deployed_at) WHERE deployed_at IS NOT NULL;
CREATE INDEX pull_requests_repo_deployed_idx ON pull_requests (repo, deployed_at) WHERE deployed_at IS NOT NULL;
