-- Normalized rows built from the raw events; upserted on natural keys, so polling and webhooks
-- delivering the same thing store it once.
CREATE TABLE pull_requests (
  repo text NOT NULL,
  number integer NOT NULL,
  title text NOT NULL,
  author text,
  state text NOT NULL,              -- open | closed | merged
  draft boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  merged_at timestamptz,
  closed_at timestamptz,
  head_ref text,
  base_ref text,
  additions integer,
  deletions integer,
  changed_files integer,
  requested_reviewers text[] NOT NULL DEFAULT '{}',
  labels text[] NOT NULL DEFAULT '{}',
  ticket_keys text[] NOT NULL DEFAULT '{}',
  first_commit_at timestamptz,
  url text,
  PRIMARY KEY (repo, number)
);
CREATE INDEX pull_requests_open_idx ON pull_requests (state, updated_at DESC);

CREATE TABLE pr_reviews (
  repo text NOT NULL,
  number integer NOT NULL,
  review_id bigint NOT NULL,
  reviewer text,
  state text NOT NULL,
  submitted_at timestamptz,
  PRIMARY KEY (repo, review_id)
);
CREATE INDEX pr_reviews_pr_idx ON pr_reviews (repo, number);

CREATE TABLE deployments (
  source text NOT NULL,
  external_id text NOT NULL,
  repo text NOT NULL,
  environment text NOT NULL,
  sha text,
  ref text,
  created_at timestamptz NOT NULL,
  finished_at timestamptz,
  state text NOT NULL,              -- pending | in_progress | success | failure | error | inactive
  PRIMARY KEY (source, external_id)
);
CREATE INDEX deployments_repo_time_idx ON deployments (repo, environment, finished_at DESC);

-- Health of each source scope, shown by /em sources and in /ready.
CREATE TABLE sync_status (
  source text NOT NULL,
  scope text NOT NULL,
  last_run_at timestamptz,
  last_success_at timestamptz,
  last_error text,
  consecutive_failures integer NOT NULL DEFAULT 0,
  rate_limit_remaining integer,
  rate_limit_reset_at timestamptz,
  records_rejected bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (source, scope)
);
