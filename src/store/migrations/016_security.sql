-- A new signal's action stays pending until it is proposed, so a transient failure is retried on the next ticks.
ALTER TABLE signals ADD COLUMN action_pending boolean NOT NULL DEFAULT false;
CREATE INDEX signals_action_pending_idx ON signals (id) WHERE action_pending;
