-- When a review wait began. A draft waits on nobody: ready_at is when the PR was last marked ready for review (NULL
-- when it never was a draft, or was synced before this was kept: its wait starts at created_at). And each person asked
-- to review waits since they were last asked (GitHub's review_requested, from the issue timeline or the webhook); a
-- reviewer without a row here falls back to the PR's last activity. Rows of reviewers no longer requested are kept
-- and ignored (requested_reviewers says who is asked now).
ALTER TABLE pull_requests ADD COLUMN ready_at timestamptz;
CREATE TABLE pr_review_requests (
  repo text NOT NULL,
  number integer NOT NULL,
  reviewer text NOT NULL,
  requested_at timestamptz NOT NULL,
  PRIMARY KEY (repo, number, reviewer)
);
