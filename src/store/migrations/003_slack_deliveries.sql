-- Each Slack delivery (event_id or trigger_id) is claimed once, so a redelivered envelope has one effect.
-- The immediate reply is kept so that a redelivery after a lost ack shows the user the same answer.
CREATE TABLE slack_deliveries (
  key text PRIMARY KEY,
  received_at timestamptz NOT NULL DEFAULT now(),
  ack_payload jsonb
);
CREATE INDEX slack_deliveries_received_idx ON slack_deliveries (received_at);
