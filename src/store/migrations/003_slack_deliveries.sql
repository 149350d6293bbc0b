-- Each Slack delivery (event_id or trigger_id) is claimed once before it has effects,
-- so a redelivered envelope (after a lost ack or a dropped socket) acts once.
CREATE TABLE slack_deliveries (
  key text PRIMARY KEY,
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX slack_deliveries_received_idx ON slack_deliveries (received_at);
