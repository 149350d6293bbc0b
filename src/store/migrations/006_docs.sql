-- Documents for `ask` (Confluence pages now; repository docs and postmortems later).
-- body_text is plain text; content_hash tells the indexer whether to re-chunk.
CREATE TABLE docs (
  source text NOT NULL,
  external_id text NOT NULL,
  space text,
  title text NOT NULL,
  url text,
  version integer NOT NULL,
  updated_at timestamptz NOT NULL,
  body_text text NOT NULL,
  content_hash text NOT NULL,
  deleted_at timestamptz,
  PRIMARY KEY (source, external_id)
);
CREATE INDEX docs_space_idx ON docs (source, space) WHERE deleted_at IS NULL;
