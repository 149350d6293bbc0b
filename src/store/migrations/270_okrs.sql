-- OKRs: objectives per team and quarter, their key results (work-based: mapped to tracker work; metric-based: a
-- target on a figure em-agent computes), and the owners' weekly check-ins.
CREATE TABLE okr_objectives (
  id bigserial PRIMARY KEY,
  team text NOT NULL,
  quarter text NOT NULL,                -- 2026Q4
  title text NOT NULL,
  position integer NOT NULL DEFAULT 0,
  -- The okrs.yml that defines it (read-only in Slack), or null when it was created in Slack.
  managed_by_file text,
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (team, quarter, title)
);

CREATE TABLE okr_key_results (
  id bigserial PRIMARY KEY,
  objective_id bigint NOT NULL REFERENCES okr_objectives (id) ON DELETE CASCADE,
  position integer NOT NULL DEFAULT 0,
  title text NOT NULL,
  owner text NOT NULL,                  -- Slack user id
  kind text NOT NULL,                   -- work | metric
  -- work: { jira: { epics, labels, jql }, linear: { projects, labels }, github: { milestones, labels }, unit }
  -- metric: { metric, baseline, target, window_days }
  spec jsonb NOT NULL,
  UNIQUE (objective_id, title)
);

-- One check-in per key result and week (the Monday it starts on); a second in the same week replaces the first.
CREATE TABLE okr_checkins (
  key_result_id bigint NOT NULL REFERENCES okr_key_results (id) ON DELETE CASCADE,
  week date NOT NULL,
  owner text NOT NULL,
  confidence integer NOT NULL CHECK (confidence BETWEEN 1 AND 10),
  note text,
  progress numeric,                     -- the key result's progress when the owner checked in (0..1)
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (key_result_id, week)
);

-- The weekly check-in request per key result: sent once the notification pipeline lets it through.
CREATE TABLE okr_checkin_requests (
  key_result_id bigint NOT NULL REFERENCES okr_key_results (id) ON DELETE CASCADE,
  week date NOT NULL,
  owner text NOT NULL,
  sent_at timestamptz,
  PRIMARY KEY (key_result_id, week)
);

-- GitHub milestones, for key results mapped to them (issues are work items; pull requests carry their own).
ALTER TABLE work_items ADD COLUMN milestone text;
ALTER TABLE pull_requests ADD COLUMN milestone text;
