-- What the rules found. One open signal per (rule, subject): it is notified once and resolves itself
-- when the condition clears.
CREATE TABLE signals (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  rule text NOT NULL,
  kind text NOT NULL,
  subject text NOT NULL,
  severity text NOT NULL,
  title text NOT NULL,
  url text,
  evidence jsonb NOT NULL DEFAULT '{}',
  target jsonb NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'open',   -- open | resolved
  opened_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz
);
CREATE UNIQUE INDEX signals_open_subject ON signals (rule, subject) WHERE status = 'open';
CREATE INDEX signals_status_idx ON signals (status, severity, opened_at DESC);

-- Actions proposed by rules or people, and their way through policy:
-- proposed → approved | rejected | expired → executed | failed (auto actions start at approved).
CREATE TABLE approvals (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  action text NOT NULL,
  params jsonb NOT NULL,
  summary text NOT NULL,
  evidence jsonb NOT NULL DEFAULT '{}',
  rule text,
  severity text,
  repo text,
  signal_id bigint REFERENCES signals (id),
  mode text NOT NULL,                    -- auto | approve
  policy text NOT NULL,
  status text NOT NULL,
  requested_by text NOT NULL,            -- a Slack user id, or rule:<name>
  subject_owner text,                    -- the Slack user the action is about (cannot approve it by default)
  approvers text[] NOT NULL DEFAULT '{}',
  min_approvals integer NOT NULL DEFAULT 1,
  allow_self_approval boolean NOT NULL DEFAULT false,
  expires_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  decided_at timestamptz,
  decided_by text,
  reason text,
  attempts integer NOT NULL DEFAULT 0,
  claimed_until timestamptz,
  next_attempt_at timestamptz,
  last_error text,
  executed_at timestamptz,
  result jsonb
);
CREATE INDEX approvals_status_idx ON approvals (status, next_attempt_at);

CREATE TABLE approval_votes (
  approval_id bigint NOT NULL REFERENCES approvals (id),
  user_id text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (approval_id, user_id)
);

-- Every Slack message that shows a proposal, so all of them show the outcome.
CREATE TABLE approval_messages (
  approval_id bigint NOT NULL REFERENCES approvals (id),
  channel text NOT NULL,
  ts text NOT NULL,
  PRIMARY KEY (approval_id, channel)
);

-- Append-only: proposals, decisions, refusals and executions, with who, when and what.
CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  event text NOT NULL,
  approval_id bigint,
  action text,
  detail jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);

-- When each rule last ran (rules run on their own schedules inside one evaluator job).
CREATE TABLE rule_runs (
  rule text PRIMARY KEY,
  last_run_at timestamptz NOT NULL,
  last_error text,
  findings integer NOT NULL DEFAULT 0
);
