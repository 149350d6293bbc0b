-- The teams asked to review a pull request (GitHub's requested_teams, by slug). A team is not a person: kept apart
-- from requested_reviewers, which the review signals DM. Open PRs take them from the newest raw payload in events
-- (the pulls list and the pull_request webhook both carry requested_teams).
ALTER TABLE pull_requests ADD COLUMN requested_teams text[] NOT NULL DEFAULT '{}';
UPDATE pull_requests p SET requested_teams = e.teams
  FROM (
    SELECT DISTINCT ON (subject) subject,
           ARRAY(SELECT t->>'slug' FROM jsonb_array_elements(raw->'requested_teams') AS t WHERE t->>'slug' IS NOT NULL)
             AS teams
      FROM events
     WHERE source = 'github' AND kind = 'pull_request' AND jsonb_typeof(raw->'requested_teams') = 'array'
     ORDER BY subject, occurred_at DESC
  ) e
 WHERE e.subject = p.repo || '#' || p.number AND p.state = 'open';
