-- `ask`: code names are searchable by their parts too. "crypto.randomUUID", "access_rules.conf", "fooBar" keep their
-- whole form (as the parser reads it) and add "crypto random uuid randomuuid", "access rules conf", "foo bar".
CREATE FUNCTION ask_code_words(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(regexp_replace(parts, '([a-z0-9])([A-Z])', '\1 \2', 'g') || ' ' || parts, '')
    FROM (SELECT regexp_replace(string_agg(m[1], ' '), '[._:/-]+', ' ', 'g') AS parts
            FROM regexp_matches(t, '([A-Za-z0-9]+(?:[._:/-][A-Za-z0-9]+)+|[a-z]+[A-Z][A-Za-z0-9]*)', 'g') AS m) p
$$;

DROP INDEX doc_chunks_search_idx;
ALTER TABLE doc_chunks DROP COLUMN search;
ALTER TABLE doc_chunks ADD COLUMN search tsvector GENERATED ALWAYS AS (
  setweight(to_tsvector('english', heading || ' ' || ask_code_words(heading)), 'A')
  || setweight(to_tsvector('english', content || ' ' || ask_code_words(content)), 'B')
) STORED;
CREATE INDEX doc_chunks_search_idx ON doc_chunks USING gin (search);
