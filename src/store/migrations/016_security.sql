-- A new signal's action stays pending until it is proposed, so a transient failure is retried on the next ticks.
ALTER TABLE signals ADD COLUMN action_pending boolean NOT NULL DEFAULT false;
CREATE INDEX signals_action_pending_idx ON signals (id) WHERE action_pending;

-- Who may see what the bot keeps: NULL is everyone in the workspace; a Slack channel id is that channel's members
-- (private incident rooms, standups posted to private channels). Documents carry it into `ask`; chunks inherit it
-- through their document.
ALTER TABLE incident_rooms ADD COLUMN visible_in text;
ALTER TABLE standup_entries ADD COLUMN visible_in text;
ALTER TABLE docs ADD COLUMN visible_in text;
CREATE INDEX docs_visible_in_idx ON docs (visible_in) WHERE visible_in IS NOT NULL;

-- An answer is as private as the documents it cited: the one private channel among them, or never indexed when it
-- cited documents of more than one private channel.
ALTER TABLE ask_answers ADD COLUMN visible_in text;
ALTER TABLE ask_answers ADD COLUMN indexable boolean NOT NULL DEFAULT true;
