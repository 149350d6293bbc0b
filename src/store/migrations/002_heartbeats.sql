-- Last beat of each worker process, written by the heartbeat job.
CREATE TABLE heartbeats (
  worker text PRIMARY KEY,
  beat_at timestamptz NOT NULL,
  beats bigint NOT NULL DEFAULT 0
);
