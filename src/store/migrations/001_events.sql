-- pgvector powers semantic search. Servers without the extension still run everything else;
-- hasVector() tells the capabilities that need it. pgvector is not a trusted extension: a database owner who is not
-- a superuser may not create it, and em-agent then runs without it too (a superuser can add it later).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') THEN
    BEGIN
      CREATE EXTENSION IF NOT EXISTS vector SCHEMA public;
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE NOTICE 'pgvector is available but this role may not create it; running without it';
    END;
  END IF;
END
$$;

-- Append-only record of everything the connectors and the bot observed.
-- (source, kind, external_id) is the natural key: ingesting the same event again is a no-op.
CREATE TABLE events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source text NOT NULL,
  kind text NOT NULL,
  external_id text NOT NULL,
  occurred_at timestamptz NOT NULL,
  actor text,
  subject text,
  normalized jsonb NOT NULL DEFAULT '{}'::jsonb,
  raw jsonb,
  ingested_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT events_natural_key UNIQUE (source, kind, external_id)
);
CREATE INDEX events_kind_time_idx ON events (kind, occurred_at DESC);
CREATE INDEX events_subject_idx ON events (subject, occurred_at DESC);

-- Where each incremental sync left off, per source and scope (a repo, a JQL filter, a space...).
CREATE TABLE sync_cursors (
  source text NOT NULL,
  scope text NOT NULL,
  cursor jsonb NOT NULL DEFAULT '{}'::jsonb,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, scope)
);
