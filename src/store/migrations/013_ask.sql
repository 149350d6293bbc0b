-- `ask`: documents are chunked for retrieval. Full-text search always; vectors where pgvector exists.
ALTER TABLE docs ADD COLUMN format text NOT NULL DEFAULT 'text';   -- text | markdown
ALTER TABLE docs ADD COLUMN indexed_hash text;                      -- content_hash the chunks were made from
ALTER TABLE docs ADD COLUMN source_version text;                    -- e.g. a git blob sha: unchanged means not fetched

CREATE TABLE doc_chunks (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source text NOT NULL,
  external_id text NOT NULL,
  ordinal integer NOT NULL,
  heading text NOT NULL,                -- "Title > Section > Subsection"
  content text NOT NULL,
  search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', heading), 'A') || setweight(to_tsvector('english', content), 'B')
  ) STORED,
  UNIQUE (source, external_id, ordinal),
  FOREIGN KEY (source, external_id) REFERENCES docs (source, external_id) ON DELETE CASCADE
);
CREATE INDEX doc_chunks_search_idx ON doc_chunks USING gin (search);

-- In how many chunks each word occurs (refreshed after indexing): rare words weigh more when ranking.
CREATE TABLE doc_term_stats (
  word text PRIMARY KEY,
  ndoc integer NOT NULL
);

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector') THEN
    -- One row per chunk and embedding model; the HNSW index is made per dimension count on first use.
    CREATE TABLE doc_embeddings (
      chunk_id bigint NOT NULL REFERENCES doc_chunks (id) ON DELETE CASCADE,
      model text NOT NULL,
      dims integer NOT NULL,
      embedding public.vector NOT NULL,
      PRIMARY KEY (chunk_id, model)
    );
  END IF;
END
$$;

-- Every answer given, and what people thought of it.
CREATE TABLE ask_answers (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  asked_at timestamptz NOT NULL DEFAULT now(),
  asked_by text NOT NULL,
  question text NOT NULL,
  answer text NOT NULL,
  mode text NOT NULL,                   -- extractive | model | not_found
  citations jsonb NOT NULL DEFAULT '[]',
  channel text,
  thread_ts text
);
CREATE INDEX ask_answers_thread_idx ON ask_answers (channel, thread_ts);
CREATE TABLE ask_feedback (
  answer_id bigint NOT NULL REFERENCES ask_answers (id),
  user_id text NOT NULL,
  helpful boolean NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (answer_id, user_id)
);
