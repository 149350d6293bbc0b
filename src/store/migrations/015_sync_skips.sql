-- The last record a scope skipped as malformed and why (record id and field), for /em sources and /ready.
-- A skipped record stays missing until its source changes it again, so this is kept until the next skip.
ALTER TABLE sync_status ADD COLUMN last_skip text;
