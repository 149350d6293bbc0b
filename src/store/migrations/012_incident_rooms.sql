-- The bot's own incidents (incidents.source = 'slack'): the channel, roles and co-pilot state of each.
CREATE SEQUENCE incident_numbers;
CREATE TABLE incident_rooms (
  incident_id text PRIMARY KEY,         -- incidents.external_id, "42" for INC-42
  source text NOT NULL DEFAULT 'slack' CHECK (source = 'slack'),
  number integer NOT NULL UNIQUE,
  request_key text NOT NULL UNIQUE,     -- one incident per declare (a redelivered or double submission finds it)
  declared_by text NOT NULL,
  service text,
  description text,
  phase text NOT NULL DEFAULT 'investigating',
  commander text,
  comms_lead text,
  scribe text,
  responders text[] NOT NULL DEFAULT '{}',
  channel_id text UNIQUE,
  channel_name text,
  card_ts text,
  card_refreshed_at timestamptz,
  announce_channel text,
  announce_ts text,
  origin_channel text,
  origin_ts text,
  last_update_at timestamptz,
  update_reminded_at timestamptz,
  severity_nudges integer NOT NULL DEFAULT 0,
  severity_nudged_at timestamptz,
  commander_nudges integer NOT NULL DEFAULT 0,
  commander_nudged_at timestamptz,
  closure_checked_at timestamptz,
  summary text,
  postmortem text,
  archived_at timestamptz,
  FOREIGN KEY (source, incident_id) REFERENCES incidents (source, external_id)
);

-- What happened, ordered by when it happened; pinned entries follow their Slack message's edits and deletion.
CREATE TABLE incident_timeline (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  incident_id text NOT NULL REFERENCES incident_rooms (incident_id),
  kind text NOT NULL,
  occurred_at timestamptz NOT NULL,
  author text,
  text text NOT NULL,
  files jsonb NOT NULL DEFAULT '[]',
  source_ts text,
  edited_at timestamptz,
  deleted_at timestamptz,
  ticket text,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX incident_timeline_message_idx ON incident_timeline (incident_id, source_ts) WHERE source_ts IS NOT NULL;
CREATE INDEX incident_timeline_time_idx ON incident_timeline (incident_id, occurred_at);
