import { flatMapInSlices } from '../../lib/slices.js';
import { ageAtLeast } from '../../lib/work-calendar.js';
import { type EvalContext, type Finding, hoursAgo, type PersonRef, round1, scopeParam } from '../finding.js';
import type { RuleOf } from '../rules.js';
import {
  loadOpenTickets,
  loadSprintScope,
  loadWip,
  type OpenTicket,
  type SprintScope,
  type WipCount,
} from './store.js';

const projectsOf = (rule: { scope: { projects?: string[]; teams?: string[] } }) =>
  scopeParam([...(rule.scope.projects ?? []), ...(rule.scope.teams ?? [])]);

const assigneeRef = (t: OpenTicket): { assignee?: PersonRef } =>
  t.assignee && (t.source === 'jira' || t.source === 'linear' || t.source === 'shortcut' || t.source === 'github')
    ? { assignee: { source: t.source, id: t.assignee } }
    : {};

export function findUnassignedUrgent(
  tickets: OpenTicket[],
  rule: RuleOf<'unassigned_urgent'>,
  ctx: EvalContext,
): Finding[] {
  const priorities = new Set(rule.priorities.map((p) => p.toLowerCase()));
  return tickets.flatMap((t) => {
    if (t.assignee || !priorities.has((t.priority ?? '').toLowerCase())) return [];
    const age = ageAtLeast(t.created_at, ctx.now, ctx.calendar, rule.older_than_hours);
    if (age === null) return [];
    return [
      {
        subject: `ticket:${t.source}:${t.key}`,
        title: `${t.key} "${t.title}" (${t.priority}) has had no assignee for ${round1(age)} ${ctx.calendar ? 'working ' : ''}hours`,
        url: t.url,
        evidence: { priority: t.priority, age_hours: round1(age), threshold_hours: rule.older_than_hours },
        target: { ticket: { source: t.source, key: t.key } },
      },
    ];
  });
}

export function findAgingBlocked(tickets: OpenTicket[], rule: RuleOf<'aging_blocked'>, ctx: EvalContext): Finding[] {
  const statuses = new Set(rule.statuses.map((s) => s.toLowerCase()));
  const labels = new Set(rule.labels.map((l) => l.toLowerCase()));
  return tickets.flatMap((t) => {
    const byStatus = statuses.has(t.status.toLowerCase());
    if (!byStatus && !t.labels.some((l) => labels.has(l.toLowerCase()))) return [];
    // Blocked since it entered the status; for a label, since the last update is the best the data tells.
    const since = (byStatus ? t.status_since : null) ?? t.updated_at;
    const hours = ageAtLeast(since, ctx.now, ctx.calendar, rule.older_than_days * 24);
    if (hours === null) return [];
    const days = hours / 24;
    return [
      {
        subject: `ticket:${t.source}:${t.key}`,
        title: `${t.key} "${t.title}" has been blocked for ${round1(days)} ${ctx.calendar ? 'working ' : ''}days`,
        url: t.url,
        evidence: { status: t.status, blocked_days: round1(days), threshold_days: rule.older_than_days },
        target: { ticket: { source: t.source, key: t.key }, ...assigneeRef(t) },
      },
    ];
  });
}

export const unassignedUrgent = async (rule: RuleOf<'unassigned_urgent'>, ctx: EvalContext) =>
  flatMapInSlices(
    await loadOpenTickets(ctx, projectsOf(rule), { unassignedBefore: hoursAgo(ctx.now, rule.older_than_hours) }),
    (tickets) => findUnassignedUrgent(tickets, rule, ctx),
  );

export const agingBlocked = async (rule: RuleOf<'aging_blocked'>, ctx: EvalContext) =>
  flatMapInSlices(
    await loadOpenTickets(ctx, projectsOf(rule), { blocked: { statuses: rule.statuses, labels: rule.labels } }),
    (tickets) => findAgingBlocked(tickets, rule, ctx),
  );

export function findScopeCreep(sprints: SprintScope[], rule: RuleOf<'sprint_scope_creep'>): Finding[] {
  return sprints.flatMap((s) => {
    const percent = s.committed ? (s.added / s.committed) * 100 : s.added ? 100 : 0;
    if (percent <= rule.max_percent) return [];
    return [
      {
        subject: `sprint:${s.source}:${s.id}`,
        title: `${s.name}: ${s.added} item(s) added after the start, ${Math.round(percent)}% of the ${s.committed} committed (limit ${rule.max_percent}%)`,
        evidence: {
          committed: s.committed,
          added: s.added,
          percent: Math.round(percent),
          added_items: s.added_keys.slice(0, 20).join(', '),
        },
        target: {},
      },
    ];
  });
}

export const sprintScopeCreep = async (rule: RuleOf<'sprint_scope_creep'>, ctx: EvalContext) =>
  findScopeCreep(await loadSprintScope(ctx, projectsOf(rule)), rule);

export function findWipOverLimit(counts: WipCount[], rule: RuleOf<'wip_limit_exceeded'>): Finding[] {
  return counts.flatMap((c) => {
    const n = rule.count === 'prs' ? c.prs : rule.count === 'tickets' ? c.tickets : c.prs + c.tickets;
    if (n <= rule.max) return [];
    const owner: { author?: PersonRef } =
      rule.per === 'person'
        ? c.github
          ? { author: { source: 'github', id: c.github } }
          : c.ticket_ref
            ? { author: c.ticket_ref as PersonRef }
            : {}
        : {};
    const name = c.github ?? c.ticket_ref?.id ?? c.who;
    return [
      {
        subject: `wip:${rule.per}:${c.who}`,
        title: `${rule.per === 'person' ? name : c.who} has ${n} items in progress (${c.prs} open PRs, ${c.tickets} tickets; limit ${rule.max})`,
        evidence: { open_prs: c.prs, in_progress_tickets: c.tickets, limit: rule.max },
        target: owner,
      },
    ];
  });
}

export const wipLimitExceeded = async (rule: RuleOf<'wip_limit_exceeded'>, ctx: EvalContext) =>
  findWipOverLimit(
    await loadWip(ctx, {
      perPerson: rule.per === 'person',
      repos: scopeParam(rule.scope.repos),
      projects: projectsOf(rule),
    }),
    rule,
  );
