-- Every completed workflow run on a repository's default branch: failing_main reads the latest per workflow.
CREATE TABLE ci_runs (
  repo text NOT NULL,
  run_id bigint NOT NULL,
  name text,
  branch text NOT NULL,
  sha text NOT NULL,
  conclusion text,                 -- success | failure | cancelled | skipped | timed_out | ...
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  url text,
  PRIMARY KEY (repo, run_id)
);
CREATE INDEX ci_runs_latest_idx ON ci_runs (repo, branch, name, updated_at DESC);

-- Linear projects (and later other trackers' epics/initiatives); work items point at them.
CREATE TABLE projects (
  source text NOT NULL,
  id text NOT NULL,
  team text,
  name text NOT NULL,
  state text,
  lead text,
  progress numeric,
  target_date date,
  updated_at timestamptz NOT NULL,
  url text,
  PRIMARY KEY (source, id)
);
ALTER TABLE work_items ADD COLUMN project_id text;

-- Incidents from every source: tracker issues matched by the sources.yml incident rules, and the bot's own.
-- caused_by_* links an incident to the deployment that caused it (for change failure rate); a person may confirm it.
CREATE TABLE incidents (
  source text NOT NULL,            -- jira | linear | github | slack
  external_id text NOT NULL,
  scope text,                      -- project, team or repository
  title text NOT NULL,
  severity text,
  status text NOT NULL,            -- open | resolved
  opened_at timestamptz NOT NULL,
  resolved_at timestamptz,
  url text,
  caused_by_source text,
  caused_by_id text,
  link_confirmed_by text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, external_id)
);
CREATE INDEX incidents_opened_idx ON incidents (opened_at DESC);
