import { escapeMrkdwn, graphemePrefix, link } from '../../blocks/text.js';
import type { ActionRequest } from '../approvals/service.js';
import type { PersonRef } from './finding.js';
import type { ActionSpec, Rule, RuleKind } from './rules.js';
import type { SignalRow } from './store.js';

/** What each kind proposes when a rule does not say: nudges go to the person who can act, by DM. */
export const DEFAULT_ACTIONS: Record<RuleKind, ActionSpec | 'none'> = {
  stale_pr: { kind: 'slack.dm', to: 'author' },
  review_bottleneck: { kind: 'slack.dm', to: 'reviewer' },
  review_requested: { kind: 'slack.dm', to: 'reviewer' },
  wip_limit_exceeded: { kind: 'slack.dm', to: 'author' },
  no_ticket_link: { kind: 'github.comment' },
  large_pr: { kind: 'github.label', labels: ['large-pr'] },
  failing_main: 'none',
  unassigned_urgent: 'none',
  sprint_scope_creep: 'none',
  aging_blocked: { kind: 'slack.dm', to: 'assignee' },
  metric_threshold: 'none',
};

const EMOJI: Record<RuleKind, string> = {
  stale_pr: ':hourglass:',
  review_bottleneck: ':eyes:',
  review_requested: ':wave:',
  wip_limit_exceeded: ':juggling:',
  no_ticket_link: ':link:',
  large_pr: ':elephant:',
  failing_main: ':red_circle:',
  unassigned_urgent: ':fire:',
  sprint_scope_creep: ':balloon:',
  aging_blocked: ':construction:',
  metric_threshold: ':chart_with_upwards_trend:',
};

const GITHUB_TEXT: Partial<Record<RuleKind, string>> = {
  no_ticket_link:
    'This pull request does not reference a ticket. Please add the ticket key to the title or branch name.',
  large_pr: 'This pull request is large; consider splitting it so it can be reviewed well.',
  stale_pr: 'This pull request is waiting for a review.',
};

/** The Slack text for a signal: its title (data from PRs/tickets, escaped) and a link. */
export function signalText(rule: Rule, signal: SignalRow, prefix?: string): string {
  const open = signal.url ? ` ${link(signal.url, 'Open')}` : '';
  return `${EMOJI[rule.kind]} ${prefix ? `${escapeMrkdwn(prefix)} ` : ''}${escapeMrkdwn(signal.title)}.${open}`;
}

export function recoveryText(rule: Rule, signal: SignalRow): string {
  return `:white_check_mark: Recovered: ${escapeMrkdwn(signal.title)} — no longer true (rule \`${rule.name}\`).`;
}

/** In a rule's `slack.post`, `channel: team` means the channel of the team that owns the subject. */
export const TEAM_CHANNEL = 'team';

export type ActionPlan = { request: Omit<ActionRequest, 'subjectOwner'>; owner?: PersonRef } | { skipped: string };

/**
 * Every action a new signal proposes: one, except that a post to "the team's channel" goes to the channel of each
 * team owning the repository or ticket (two teams sharing a repository both hear of its red main).
 */
export function planActions(rule: Rule, signal: SignalRow, teamChannels: string[] = []): ActionPlan[] {
  const plan = planAction(rule, signal, teamChannels);
  if (!plan) return [];
  const toTeams =
    !('skipped' in plan) &&
    plan.request.action === 'slack.post' &&
    (rule.action === undefined || (rule.action !== 'none' && rule.action.channel === TEAM_CHANNEL));
  if (!toTeams) return [plan];
  const others = [...new Set(teamChannels.slice(1))].filter((c) => c !== teamChannels[0]);
  return [
    plan,
    ...others.map((channel) => ({
      ...plan,
      request: {
        ...plan.request,
        params: { ...plan.request.params, channel },
        summary: `Post in ${channel}: ${signal.title}`,
        // The first channel keeps the key it always had, so a proposal made before this change is not repeated.
        idempotencyKey: `${plan.request.idempotencyKey}:${channel}`,
      },
    })),
  ];
}

/**
 * The action a new signal proposes (or why there is none). Pure: policy and execution come later. `teamChannels`
 * are the channels of the teams owning the signal's repository or ticket: a rule with no action of its own whose
 * kind proposes nothing by default (failing main, unassigned urgent tickets) posts there, and `channel: team`
 * in a rule's slack.post means them.
 */
export function planAction(rule: Rule, signal: SignalRow, teamChannels: string[] = []): ActionPlan | null {
  const t = signal.target;
  const owned = Boolean(t.repo || t.ticket) && teamChannels.length > 0;
  const byDefault = DEFAULT_ACTIONS[rule.kind];
  let spec: ActionSpec | 'none' =
    rule.action ?? (byDefault === 'none' && owned ? { kind: 'slack.post', channel: TEAM_CHANNEL } : byDefault);
  if (spec === 'none') return null;
  if (spec.kind === 'slack.post' && spec.channel === TEAM_CHANNEL) {
    if (!owned) return { skipped: `no team with a channel owns ${signal.subject}` };
    spec = { ...spec, channel: teamChannels[0] as string };
  }
  const owner = t.author ?? t.assignee;
  const base = {
    action: spec.kind,
    rule: rule.name,
    severity: rule.severity,
    repo: t.repo ?? null,
    signalId: signal.id,
    requestedBy: `rule:${rule.name}`,
    evidence: { ...signal.evidence, ...(signal.url ? { link: signal.url } : {}) },
    idempotencyKey: `signal:${signal.id}:${spec.kind}`,
  };
  const request = (params: Record<string, unknown>, summary: string): ActionPlan => ({
    request: { ...base, params, summary },
    ...(owner ? { owner } : {}),
  });
  const text = spec.text ?? GITHUB_TEXT[rule.kind] ?? signal.title;
  switch (spec.kind) {
    case 'slack.dm': {
      const to = spec.to === 'reviewer' ? t.reviewer : spec.to === 'assignee' ? t.assignee : (t.author ?? t.assignee);
      if (!to) return { skipped: `no ${spec.to ?? 'author'} to DM for ${signal.subject}` };
      return request({ to, text: signalText(rule, signal, spec.text) }, `DM ${to.id}: ${signal.title}`);
    }
    case 'slack.post':
      if (!spec.channel) return { skipped: `rule ${rule.name}: slack.post needs a channel` };
      return request(
        { channel: spec.channel, text: signalText(rule, signal, spec.text) },
        `Post in ${spec.channel}: ${signal.title}`,
      );
    case 'github.comment':
      if (!t.repo || !t.number) return { skipped: `${signal.subject} is not a pull request or issue` };
      return request({ repo: t.repo, number: t.number, body: text }, `Comment on ${t.repo}#${t.number}: ${text}`);
    case 'github.label':
      if (!t.repo || !t.number) return { skipped: `${signal.subject} is not a pull request or issue` };
      return request(
        { repo: t.repo, number: t.number, labels: spec.labels ?? ['needs-attention'] },
        `Label ${t.repo}#${t.number} ${(spec.labels ?? ['needs-attention']).join(', ')}`,
      );
    case 'github.request_reviewers':
      if (!t.repo || !t.number || !spec.reviewers?.length)
        return { skipped: `rule ${rule.name}: github.request_reviewers needs a PR and reviewers` };
      return request(
        { repo: t.repo, number: t.number, reviewers: spec.reviewers },
        `Request ${spec.reviewers.join(', ')} on ${t.repo}#${t.number}`,
      );
    case 'jira.comment':
    case 'linear.comment': {
      const source = spec.kind.split('.')[0];
      const ticket = t.ticket;
      if (!ticket || ticket.source !== source) return { skipped: `${signal.subject} is not a ${source} ticket` };
      return request(
        spec.kind === 'jira.comment' ? { key: ticket.key, body: text } : { issue: ticket.key, body: text },
        `Comment on ${ticket.key}: ${text}`,
      );
    }
    case 'jira.create':
    case 'linear.create':
      if (!spec.project) return { skipped: `rule ${rule.name}: ${spec.kind} needs a project` };
      return request(
        spec.kind === 'jira.create'
          ? { project: spec.project, summary: graphemePrefix(signal.title, 250), description: signal.url ?? undefined }
          : { team: spec.project, title: graphemePrefix(signal.title, 250), description: signal.url ?? undefined },
        `Create a ticket in ${spec.project}: ${signal.title}`,
      );
  }
}
