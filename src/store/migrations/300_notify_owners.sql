-- Notifications (issue #21, the remaining gaps): who merged a pull request (failing main goes to them), and an
-- incident action item's owner and due date (it waits in its owner's digest until done).
ALTER TABLE pull_requests ADD COLUMN merged_by text;
ALTER TABLE incident_timeline ADD COLUMN owner text;
ALTER TABLE incident_timeline ADD COLUMN due_on date;
ALTER TABLE incident_timeline ADD COLUMN done_at timestamptz;
CREATE INDEX incident_timeline_open_actions_idx ON incident_timeline (id)
  WHERE kind = 'action_item' AND deleted_at IS NULL AND done_at IS NULL;
