-- One row per person, linking their identities across sources. E-mail is the join key;
-- manual overrides from sources.yml win over what is discovered.
CREATE TABLE people (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text UNIQUE,
  display_name text,
  slack_user text UNIQUE,
  github_login text UNIQUE,
  jira_account text UNIQUE,
  linear_user text UNIQUE,
  manual boolean NOT NULL DEFAULT false,
  slack_checked_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
