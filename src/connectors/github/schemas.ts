import { z } from 'zod';

// Only the fields em-agent reads; GitHub sends many more, which are kept in the raw payload.
const user = z.object({ login: z.string() }).nullable();
const timestamp = z.iso.datetime({ offset: true });

export const pullRequestSchema = z.object({
  number: z.number().int().positive(),
  title: z.string(),
  body: z.string().nullable().optional(),
  state: z.enum(['open', 'closed']),
  draft: z.boolean().optional(),
  user,
  created_at: timestamp,
  updated_at: timestamp,
  closed_at: timestamp.nullable(),
  merged_at: timestamp.nullable(),
  html_url: z.string().optional(),
  head: z.object({ ref: z.string(), sha: z.string() }),
  base: z.object({ ref: z.string() }),
  merge_commit_sha: z.string().nullable().optional(),
  /** Present on a single PR and in webhooks, absent from the list endpoint. */
  merged_by: user.optional(),
  requested_reviewers: z.array(z.object({ login: z.string() })).default([]),
  /** Teams asked to review, alongside the people of requested_reviewers. */
  requested_teams: z.array(z.object({ slug: z.string() })).default([]),
  labels: z.array(z.object({ name: z.string() })).default([]),
  milestone: z.object({ title: z.string() }).nullable().optional(),
  additions: z.number().int().optional(),
  deletions: z.number().int().optional(),
  changed_files: z.number().int().optional(),
});
export type PullRequest = z.infer<typeof pullRequestSchema>;

export const reviewSchema = z.object({
  id: z.number().int(),
  user,
  state: z.string(),
  submitted_at: timestamp.nullable().optional(),
});
export type Review = z.infer<typeof reviewSchema>;

export const commitSchema = z.object({
  sha: z.string(),
  commit: z.object({
    author: z.object({ date: timestamp, email: z.string().optional(), name: z.string().optional() }).nullable(),
  }),
  author: user.optional(),
});
export type Commit = z.infer<typeof commitSchema>;

export const deploymentSchema = z.object({
  id: z.number().int(),
  sha: z.string(),
  ref: z.string(),
  environment: z.string(),
  created_at: timestamp,
  creator: user.optional(),
});
export type Deployment = z.infer<typeof deploymentSchema>;

export const deploymentStatusSchema = z.object({
  id: z.number().int(),
  state: z.enum(['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success']),
  created_at: timestamp,
  // Actions environments point these at the run (…/actions/runs/123/job/456): the deployment's pipeline.
  log_url: z.string().nullable().optional(),
  target_url: z.string().nullable().optional(),
});
export type DeploymentStatus = z.infer<typeof deploymentStatusSchema>;

export const workflowRunSchema = z.object({
  id: z.number().int(),
  name: z.string().nullable(),
  head_sha: z.string(),
  head_branch: z.string().nullable(),
  status: z.string().nullable(),
  conclusion: z.string().nullable(),
  created_at: timestamp,
  updated_at: timestamp,
  run_started_at: timestamp.optional(),
  run_attempt: z.number().int().optional(),
  html_url: z.string().optional(),
});
export type WorkflowRun = z.infer<typeof workflowRunSchema>;

export const releaseSchema = z.object({
  id: z.number().int(),
  name: z.string().nullable(),
  tag_name: z.string(),
  target_commitish: z.string(),
  draft: z.boolean(),
  prerelease: z.boolean(),
  created_at: timestamp,
  published_at: timestamp.nullable(),
});
export type Release = z.infer<typeof releaseSchema>;

export const issueSchema = z.object({
  number: z.number().int().positive(),
  title: z.string(),
  state: z.enum(['open', 'closed']),
  html_url: z.string(),
  user: user.optional(),
  assignee: user.optional(),
  labels: z.array(z.union([z.string(), z.object({ name: z.string() })])).default([]),
  created_at: timestamp,
  updated_at: timestamp,
  closed_at: timestamp.nullable().optional(),
  milestone: z.object({ title: z.string() }).nullable().optional(),
  pull_request: z.unknown().optional(),
});
export type Issue = z.infer<typeof issueSchema>;

/**
 * One item of an issue's (or PR's) timeline. Only the events that date a review wait are read: `ready_for_review`,
 * `convert_to_draft`, `review_requested` and `review_request_removed` (a person in requested_reviewer, or a team in
 * requested_team). Other items (`committed` has no created_at) are skipped.
 */
export const timelineEventSchema = z.object({
  event: z.string(),
  created_at: timestamp,
  requested_reviewer: user.optional(),
});
export type TimelineEvent = z.infer<typeof timelineEventSchema>;
