-- Reports read successful deployments by repository and time, and merged pull requests by merge time.
CREATE INDEX deployments_success_idx ON deployments (repo, finished_at) WHERE state = 'success';
CREATE INDEX deployments_finished_idx ON deployments (finished_at) WHERE state = 'success';
CREATE INDEX pull_requests_merged_idx ON pull_requests (merged_at) WHERE merged_at IS NOT NULL;
CREATE INDEX incidents_resolved_idx ON incidents (resolved_at);
CREATE INDEX pull_requests_repo_merged_idx ON pull_requests (repo, merged_at) WHERE merged_at IS NOT NULL;
