-- Onboarding autopilot (issue #24): a plan per new hire from a template in onboarding/*.yml, and its tasks.
CREATE TABLE onboarding_plans (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person text NOT NULL,                    -- the new hire's Slack user id
  team_key text,
  template text NOT NULL,                  -- the template's name (its file's base name)
  buddy text,
  manager text,
  started_by text NOT NULL,
  started_at timestamptz NOT NULL,
  end_at timestamptz NOT NULL,             -- open tasks count as skipped after this
  welcome_channel text,                    -- the welcome DM, redrawn as tasks change
  welcome_ts text,
  finished_at timestamptz,
  summary jsonb
);
-- One running plan per person.
CREATE UNIQUE INDEX onboarding_plans_running_idx ON onboarding_plans (person) WHERE finished_at IS NULL;

CREATE TABLE onboarding_tasks (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  plan_id bigint NOT NULL REFERENCES onboarding_plans (id) ON DELETE CASCADE,
  position integer NOT NULL,
  kind text NOT NULL,                      -- access, read, meet, first_issue, text
  title text NOT NULL,
  owner_role text NOT NULL,                -- new_hire, buddy, manager
  owner text NOT NULL,                     -- Slack user id
  due_at timestamptz,
  status text NOT NULL DEFAULT 'open',     -- open, done, skipped
  done_at timestamptz,
  detail jsonb NOT NULL DEFAULT '{}'::jsonb, -- links, people, issues, the access action
  approval_id bigint,
  UNIQUE (plan_id, position)
);
CREATE INDEX onboarding_tasks_open_idx ON onboarding_tasks (plan_id) WHERE status = 'open';
