-- Each scheduled report run is claimed once (across replicas) by its key, e.g. standup:payments:2026-11-25:09:30.
CREATE TABLE report_runs (
  key text PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now()
);

-- Posted standups, per person, searchable: /em standup history @person.
CREATE TABLE standup_entries (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  posted_at timestamptz NOT NULL DEFAULT now(),
  team text NOT NULL,
  person text NOT NULL,
  person_slack text,
  summary text NOT NULL,
  search tsvector GENERATED ALWAYS AS (to_tsvector('simple', summary)) STORED
);
CREATE INDEX standup_entries_person_idx ON standup_entries (person_slack, posted_at DESC);
CREATE INDEX standup_entries_search_idx ON standup_entries USING gin (search);
