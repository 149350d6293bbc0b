-- Event bus (issue #25): what em-agent publishes to NATS JetStream goes through this outbox. Triggers write a row in
-- the same transaction as the change itself (an event stored, a signal opened or resolved, an approval's status
-- moving), so a change is never published without being committed, nor committed without being queued. The drain
-- job publishes the rows in id order and deletes each one JetStream acknowledged.
--
-- The triggers write only while `event_bus.publishing` is 'on': the process sets it at start from NATS_URL (no row is
-- 'off'), so with the bus off nothing is written and an outbox nobody drains cannot grow.
CREATE TABLE event_bus (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  publishing text NOT NULL DEFAULT 'off' CHECK (publishing IN ('off', 'on')),
  -- Prefix of every Nats-Msg-Id, so two databases publishing to one NATS never share a message id.
  install_id text NOT NULL DEFAULT md5(random()::text || clock_timestamp()::text),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE event_outbox (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- Without the configured prefix: events.<source>.<kind>, signals.<state>, approvals.<state>.
  subject text NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- A NATS subject token: letters, digits, _ and - (a dot, a space, * or > in a vendor's kind would split or widen it).
CREATE FUNCTION event_bus_token(value text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT regexp_replace(coalesce(nullif(value, ''), '_'), '[^A-Za-z0-9_-]', '_', 'g')
$$;

CREATE FUNCTION event_outbox_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM event_bus WHERE publishing = 'on') THEN
    INSERT INTO event_outbox (subject, payload)
    SELECT 'events.' || event_bus_token(n.source) || '.' || event_bus_token(n.kind),
           jsonb_build_object(
             'type', 'event', 'id', n.id, 'source', n.source, 'kind', n.kind, 'externalId', n.external_id,
             'occurredAt', n.occurred_at, 'actor', n.actor, 'subject', n.subject, 'normalized', n.normalized,
             'ingestedAt', n.ingested_at)
      FROM new_events n ORDER BY n.id;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER events_to_outbox AFTER INSERT ON events REFERENCING NEW TABLE AS new_events
  FOR EACH STATEMENT EXECUTE FUNCTION event_outbox_events();

CREATE FUNCTION event_outbox_signal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM event_bus WHERE publishing = 'on') THEN
    INSERT INTO event_outbox (subject, payload) VALUES (
      'signals.' || CASE NEW.status WHEN 'open' THEN 'opened' ELSE event_bus_token(NEW.status) END,
      jsonb_build_object(
        'type', 'signal', 'id', NEW.id, 'state', CASE NEW.status WHEN 'open' THEN 'opened' ELSE NEW.status END,
        'rule', NEW.rule, 'kind', NEW.kind, 'subject', NEW.subject, 'severity', NEW.severity, 'title', NEW.title,
        'url', NEW.url, 'evidence', NEW.evidence, 'target', NEW.target, 'openedAt', NEW.opened_at,
        'resolvedAt', NEW.resolved_at));
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER signals_opened_to_outbox AFTER INSERT ON signals
  FOR EACH ROW EXECUTE FUNCTION event_outbox_signal();
CREATE TRIGGER signals_state_to_outbox AFTER UPDATE OF status ON signals
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION event_outbox_signal();

CREATE FUNCTION event_outbox_approval() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM event_bus WHERE publishing = 'on') THEN
    INSERT INTO event_outbox (subject, payload) VALUES (
      'approvals.' || event_bus_token(NEW.status),
      jsonb_build_object(
        'type', 'approval', 'id', NEW.id, 'state', NEW.status, 'action', NEW.action, 'summary', NEW.summary,
        'mode', NEW.mode, 'policy', NEW.policy, 'rule', NEW.rule, 'severity', NEW.severity, 'repo', NEW.repo,
        'signalId', NEW.signal_id, 'requestedBy', NEW.requested_by, 'approvers', to_jsonb(NEW.approvers),
        'createdAt', NEW.created_at, 'decidedAt', NEW.decided_at, 'decidedBy', NEW.decided_by,
        'reason', NEW.reason, 'attempts', NEW.attempts, 'executedAt', NEW.executed_at,
        'lastError', NEW.last_error));
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER approvals_created_to_outbox AFTER INSERT ON approvals
  FOR EACH ROW EXECUTE FUNCTION event_outbox_approval();
CREATE TRIGGER approvals_state_to_outbox AFTER UPDATE OF status ON approvals
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION event_outbox_approval();
