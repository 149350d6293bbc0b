-- `ask`: the page title as a search field of its own, read by its parts like code names ("git-bisect" as "git bisect",
-- "worker_threads" as "worker threads"), kept with the document so ranking does not parse it for every passage.
ALTER TABLE docs ADD COLUMN title_search tsvector GENERATED ALWAYS AS (
  to_tsvector('english', coalesce(nullif(ask_code_words(title), ''), title))
) STORED;
