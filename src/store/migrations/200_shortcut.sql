-- Shortcut (issue #25): a person's Shortcut member id (a UUID), linked like their Jira and Linear accounts.
ALTER TABLE people ADD COLUMN shortcut_user text UNIQUE;
