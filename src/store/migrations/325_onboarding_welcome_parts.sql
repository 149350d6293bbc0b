-- A welcome checklist longer than one Slack message holds (50 blocks) goes on in further messages in the same DM:
-- their timestamps, in order, after welcome_ts.
ALTER TABLE onboarding_plans ADD COLUMN welcome_more text[] NOT NULL DEFAULT '{}';
