-- Teams: the unit an engineering manager works in. One row per team; a person may be in several.
-- Members and managers are Slack users (linked to GitHub/Jira/Linear through people); repositories may be globs.
CREATE TABLE teams (
  key text PRIMARY KEY,
  name text NOT NULL,
  members text[] NOT NULL DEFAULT '{}',
  managers text[] NOT NULL DEFAULT '{}',
  channel text,
  repos text[] NOT NULL DEFAULT '{}',
  jira_projects text[] NOT NULL DEFAULT '{}',
  jira_boards text[] NOT NULL DEFAULT '{}',
  linear_teams text[] NOT NULL DEFAULT '{}',
  oncall_group text,
  timezone text NOT NULL DEFAULT 'UTC',
  work_days int[] NOT NULL DEFAULT '{1,2,3,4,5}',
  -- The teams.yml that defines the team (read-only in Slack), or null when it is managed in Slack.
  managed_by_file text,
  archived_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX teams_members_idx ON teams USING gin (members);

-- The team each person last picked on the Home tab ('' = the org).
CREATE TABLE team_choices (
  slack_user text PRIMARY KEY,
  team_key text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
