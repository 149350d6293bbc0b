-- Notifications (issue #21): one item per person and subject (a pull request, a ticket, an approval, a team signal),
-- holding every reason for it, so a PR that is both "review requested" and "waiting 3 days" is one line.
CREATE TABLE notification_items (
  id bigserial PRIMARY KEY,
  recipient text NOT NULL,                 -- Slack user id
  subject text NOT NULL,                   -- pr:acme/api#12, ticket:jira:ENG-1, team:wip_limit:..., escalated:42
  grp text NOT NULL,                       -- reviews, my_prs, tickets, approvals, incidents, team, escalations, other
  title text NOT NULL,
  url text,
  reasons jsonb NOT NULL DEFAULT '{}'::jsonb, -- reason key -> { rule, kind, text, since }
  state text NOT NULL DEFAULT 'open',      -- open, done (the person said so), resolved (the data says so)
  snoozed_until timestamptz,
  backfill boolean NOT NULL DEFAULT false, -- already true before em-agent first saw the data: never real time
  realtime_at timestamptz,
  escalated_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  changed_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (recipient, subject)
);
CREATE INDEX notification_items_open_idx ON notification_items (recipient) WHERE state = 'open';

-- "Mute this rule for me".
CREATE TABLE notification_mutes (
  recipient text NOT NULL,
  rule text NOT NULL,
  muted_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (recipient, rule)
);

-- Preferences from the Home tab; no row means the defaults (digest at 09:30 in the person's Slack time zone).
CREATE TABLE notification_prefs (
  recipient text PRIMARY KEY,
  digest_time text,
  timezone text,
  realtime_off text[] NOT NULL DEFAULT '{}',
  quiet_start text,
  quiet_end text,
  paused_until timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Every DM the pipeline sent: caps (real-time DMs per local day), one digest per day (claimed here), metrics.
CREATE TABLE notification_sends (
  id bigserial PRIMARY KEY,
  recipient text NOT NULL,
  kind text NOT NULL,
  realtime boolean NOT NULL,
  local_day date NOT NULL,
  subject text,
  sent_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX notification_sends_one_digest_idx ON notification_sends (recipient, local_day) WHERE NOT realtime;
CREATE INDEX notification_sends_day_idx ON notification_sends (recipient, local_day);

-- Install-wide markers, e.g. when the first full sync (the backfill) was seen complete.
CREATE TABLE notification_state (
  key text PRIMARY KEY,
  at timestamptz NOT NULL
);

-- Whether a signal was already true before em-agent first saw the data (the backfill): it never notifies in real
-- time, also when its notification is retried later (a person not linked to Slack yet).
ALTER TABLE signals ADD COLUMN backfill boolean NOT NULL DEFAULT false;
