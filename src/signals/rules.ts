import { z } from 'zod';
import { calendarSchema } from '../lib/work-calendar.js';
import { intervalString, linearRegexString } from '../yaml-file.js';

export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** What the executors can do; policies decide per kind whether it runs alone, needs approval, or never. */
export const ACTION_KINDS = [
  'slack.dm',
  'slack.post',
  'github.comment',
  'github.request_reviewers',
  'github.label',
  'jira.comment',
  'jira.create',
  'linear.comment',
  'linear.create',
] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];
/** Every action policies decide and executors run: the rules' actions, and onboarding's (a GitHub team, an issue assigned, channel invitations). */
export const ALL_ACTION_KINDS = [...ACTION_KINDS, 'github.team_add', 'github.assign', 'slack.invite'] as const;

export const actionSpecSchema = z
  .object({
    kind: z.enum(ACTION_KINDS),
    /** Who a DM goes to: the PR author, the requested reviewer, or the ticket assignee. */
    to: z.enum(['author', 'reviewer', 'assignee']).optional(),
    channel: z.string().optional(),
    labels: z.array(z.string().min(1)).optional(),
    reviewers: z.array(z.string().min(1)).optional(),
    project: z.string().optional(),
    text: z.string().max(2000).optional(),
  })
  .strict();
export type ActionSpec = z.infer<typeof actionSpecSchema>;

const names = z.array(z.string().min(1));
const common = {
  name: z.string().regex(/^[A-Za-z0-9][\w.-]*$/, { error: 'must be a name such as stale48h' }),
  severity: z.enum(SEVERITIES).default('warning'),
  scope: z
    .object({ repos: names.optional(), teams: names.optional(), projects: names.optional() })
    .strict()
    .default({}),
  schedule: intervalString.default('15 minutes'),
  /** Count only working hours (the file's calendar) for age thresholds. */
  working_hours: z.boolean().default(false),
  action: z.union([z.literal('none'), actionSpecSchema]).optional(),
  enabled: z.boolean().default(true),
};
const positive = z.number().positive();

const ruleKinds = z.discriminatedUnion('kind', [
  z.object({ ...common, kind: z.literal('stale_pr'), older_than_hours: positive.default(48) }).strict(),
  z.object({ ...common, kind: z.literal('review_bottleneck'), idle_hours: positive.default(24) }).strict(),
  z
    .object({
      ...common,
      kind: z.literal('wip_limit_exceeded'),
      max: z.number().int().positive().default(3),
      per: z.enum(['person', 'team']).default('person'),
      count: z.enum(['prs', 'tickets', 'both']).default('both'),
    })
    .strict(),
  z
    .object({ ...common, kind: z.literal('no_ticket_link'), pattern: linearRegexString.default('[A-Z][A-Z0-9]+-\\d+') })
    .strict(),
  z.object({ ...common, kind: z.literal('large_pr'), max_lines: z.number().int().positive().default(400) }).strict(),
  z.object({ ...common, kind: z.literal('failing_main'), red_minutes: positive.default(30) }).strict(),
  z
    .object({
      ...common,
      kind: z.literal('unassigned_urgent'),
      priorities: names.default(['Highest', 'Urgent', 'High']),
      older_than_hours: positive.default(4),
    })
    .strict(),
  z.object({ ...common, kind: z.literal('sprint_scope_creep'), max_percent: positive.default(20) }).strict(),
  z
    .object({
      ...common,
      kind: z.literal('aging_blocked'),
      older_than_days: positive.default(3),
      statuses: names.default(['Blocked']),
      labels: names.default(['blocked']),
    })
    .strict(),
  z.object({ ...common, kind: z.literal('review_requested') }).strict(),
  z
    .object({
      ...common,
      kind: z.literal('metric_threshold'),
      metric: z.enum([
        'lead_time_hours',
        'deployment_frequency_per_week',
        'change_failure_rate',
        'time_to_restore_hours',
        'pr_cycle_time_hours',
      ]),
      above: z.number().optional(),
      below: z.number().optional(),
      window_days: z.number().int().min(1).max(365).default(28),
    })
    .strict()
    .refine((r) => (r.above === undefined) !== (r.below === undefined), {
      error: 'give exactly one of above or below',
    }),
]);

type KindName = z.infer<typeof ruleKinds>['kind'];
/** What a kind's signals are about: a pull request, a ticket, or neither (a repository's CI, a person, a sprint, a metric). */
const PR_KINDS = new Set<KindName>(['stale_pr', 'review_bottleneck', 'review_requested', 'no_ticket_link', 'large_pr']);
const TICKET_KINDS = new Set<KindName>(['unassigned_urgent', 'aging_blocked']);
/** Whom a DM may go to per kind whose DMs go to one person of the signal (team-level kinds go to the team's lead). */
const DM_TO: Partial<Record<KindName, readonly string[]>> = {
  stale_pr: ['author'],
  no_ticket_link: ['author'],
  large_pr: ['author'],
  review_bottleneck: ['author', 'reviewer'],
  review_requested: ['author', 'reviewer'],
};

/**
 * A rule whose action names something its signals never have (a comment on the pull request of a ticket signal, a
 * DM to the reviewer of a stale PR) is refused when the file is read, with its line: it would otherwise skip every
 * signal with a log line nobody reads.
 */
export const ruleSchema = ruleKinds.superRefine((rule, ctx) => {
  const action = rule.action;
  if (!action || action === 'none') return;
  const problem = (field: string, message: string) =>
    ctx.addIssue({ code: 'custom', path: field ? ['action', field] : ['action'], message });
  const about = PR_KINDS.has(rule.kind)
    ? 'pull requests'
    : TICKET_KINDS.has(rule.kind)
      ? 'tickets'
      : `no pull request or ticket (${rule.kind})`;
  if (action.kind.startsWith('github.') && !PR_KINDS.has(rule.kind))
    problem('kind', `${action.kind} acts on a pull request, and this rule's signals are about ${about}`);
  if ((action.kind === 'jira.comment' || action.kind === 'linear.comment') && !TICKET_KINDS.has(rule.kind))
    problem('kind', `${action.kind} comments on a ticket, and this rule's signals are about ${about}`);
  if (action.kind === 'slack.post' && !action.channel)
    problem('channel', 'slack.post needs a channel (#name, a channel id, or team)');
  if ((action.kind === 'jira.create' || action.kind === 'linear.create') && !action.project)
    problem('project', `${action.kind} needs a project (a Jira project key or a Linear team key)`);
  if (action.kind === 'github.request_reviewers' && !action.reviewers?.length)
    problem('reviewers', 'github.request_reviewers needs reviewers (GitHub logins)');
  const allowed = DM_TO[rule.kind];
  if (action.kind === 'slack.dm' && action.to && allowed && !allowed.includes(action.to))
    problem('to', `${rule.kind} signals have no ${action.to}; to may be ${allowed.join(' or ')}`);
});
export type Rule = z.infer<typeof ruleSchema>;
export type RuleKind = Rule['kind'];
export type RuleOf<K extends RuleKind> = Extract<Rule, { kind: K }>;

/** A rules file: a plain list (the seed's inline form), or a calendar plus a list. */
export const rulesFileSchema = z.object({ calendar: calendarSchema.optional(), rules: z.array(ruleSchema) }).strict();
export const ruleListSchema = z.array(ruleSchema);
