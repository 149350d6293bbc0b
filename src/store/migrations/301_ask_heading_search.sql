-- `ask`: the chunks whose heading holds a word, found from an index of their own. On a large index a common word's
-- chunks are too many to rank them all; those whose heading holds it (which BM25F weighs most) still are candidates.
CREATE INDEX doc_chunks_heading_search_idx ON doc_chunks USING gin (ts_filter(search, '{a}'));
