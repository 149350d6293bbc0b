-- Tickets from Jira (and later Linear), normalized; upserted on (source, key).
CREATE TABLE work_items (
  source text NOT NULL,
  key text NOT NULL,
  project text NOT NULL,
  title text NOT NULL,
  type text,
  status text NOT NULL,
  status_category text,            -- new | indeterminate | done
  priority text,
  assignee text,
  labels text[] NOT NULL DEFAULT '{}',
  points numeric,
  sprint_ids text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  resolved_at timestamptz,
  url text,
  PRIMARY KEY (source, key)
);
CREATE INDEX work_items_status_idx ON work_items (source, status_category, updated_at DESC);

-- Field changes from the changelog (status transitions, assignee, sprint membership over time).
CREATE TABLE work_item_changes (
  source text NOT NULL,
  key text NOT NULL,
  change_id text NOT NULL,
  field text NOT NULL,
  from_value text,
  to_value text,
  author text,
  changed_at timestamptz NOT NULL,
  PRIMARY KEY (source, key, change_id, field)
);
CREATE INDEX work_item_changes_time_idx ON work_item_changes (source, field, changed_at);

CREATE TABLE sprints (
  source text NOT NULL,
  id text NOT NULL,
  board text,
  name text NOT NULL,
  state text NOT NULL,             -- future | active | closed
  start_at timestamptz,
  end_at timestamptz,
  completed_at timestamptz,
  goal text,
  PRIMARY KEY (source, id)
);
