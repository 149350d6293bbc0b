import { flatMapInSlices } from '../../lib/slices.js';
import { ageAtLeast } from '../../lib/work-calendar.js';
import { linearRegExp } from '../../yaml-file.js';
import { type EvalContext, type Finding, hoursAgo, round1 } from '../finding.js';
import type { RuleOf } from '../rules.js';
import { loadOpenPrs, type OpenPr } from './store.js';

const prSubject = (pr: OpenPr) => `pr:${pr.repo}#${pr.number}`;
const author = (pr: OpenPr) => (pr.author ? { author: { source: 'github' as const, id: pr.author } } : {});

export function findStalePrs(prs: OpenPr[], rule: RuleOf<'stale_pr'>, ctx: EvalContext): Finding[] {
  return prs.flatMap((pr) => {
    if (pr.reviewed_by_others) return [];
    // Time as a draft is no review wait: it starts when the PR was (last) marked ready, else when it was opened.
    const age = ageAtLeast(pr.ready_at ?? pr.created_at, ctx.now, ctx.calendar, rule.older_than_hours);
    if (age === null) return [];
    const unit = ctx.calendar ? 'working hours' : 'hours';
    return [
      {
        subject: prSubject(pr),
        title: `${pr.repo}#${pr.number} "${pr.title}" has waited ${round1(age)} ${unit} without a review`,
        url: pr.url,
        evidence: { age_hours: round1(age), threshold_hours: rule.older_than_hours, author: pr.author },
        target: { repo: pr.repo, number: pr.number, ...author(pr) },
      },
    ];
  });
}

export function findReviewBottlenecks(prs: OpenPr[], rule: RuleOf<'review_bottleneck'>, ctx: EvalContext): Finding[] {
  return prs.flatMap((pr) =>
    pr.requested_reviewers.flatMap((reviewer) => {
      // Since the reviewer was (last) asked; unknown (synced before request times were kept), since the last activity.
      const since = pr.requested_at?.[reviewer] ?? pr.last_activity_at;
      const idle = ageAtLeast(since, ctx.now, ctx.calendar, rule.idle_hours);
      if (idle === null) return [];
      return [
        {
          subject: `review:${pr.repo}#${pr.number}:${reviewer}`,
          title: `${reviewer} was asked to review ${pr.repo}#${pr.number} "${pr.title}" ${round1(idle)} ${ctx.calendar ? 'working ' : ''}hours ago`,
          url: pr.url,
          evidence: { idle_hours: round1(idle), threshold_hours: rule.idle_hours, reviewer },
          target: { repo: pr.repo, number: pr.number, reviewer: { source: 'github', id: reviewer }, ...author(pr) },
        },
      ];
    }),
  );
}

/** Every outstanding review request: the reviewer hears about each one once, as soon as it is synced. */
export function findReviewRequests(prs: OpenPr[]): Finding[] {
  return prs.flatMap((pr) =>
    pr.requested_reviewers.map((reviewer) => ({
      subject: `requested:${pr.repo}#${pr.number}:${reviewer}`,
      title: `${pr.author ?? 'Someone'} asked ${reviewer} to review ${pr.repo}#${pr.number} "${pr.title}"`,
      url: pr.url,
      evidence: { reviewer, author: pr.author },
      target: {
        repo: pr.repo,
        number: pr.number,
        reviewer: { source: 'github' as const, id: reviewer },
        ...author(pr),
      },
    })),
  );
}

export function findMissingTicketLinks(prs: OpenPr[], rule: RuleOf<'no_ticket_link'>): Finding[] {
  const pattern = linearRegExp(rule.pattern);
  return prs
    .filter(
      (pr) =>
        !pattern.test(pr.title) &&
        !pattern.test((pr.head_ref ?? '').toUpperCase()) &&
        !pr.ticket_keys.some((key) => pattern.test(key)),
    )
    .map((pr) => ({
      subject: prSubject(pr),
      title: `${pr.repo}#${pr.number} "${pr.title}" links no ticket (title, branch or description)`,
      url: pr.url,
      evidence: { pattern: rule.pattern, branch: pr.head_ref },
      target: { repo: pr.repo, number: pr.number, ...author(pr) },
    }));
}

export function findLargePrs(prs: OpenPr[], rule: RuleOf<'large_pr'>): Finding[] {
  return prs.flatMap((pr) => {
    const lines = (pr.additions ?? 0) + (pr.deletions ?? 0);
    if (lines <= rule.max_lines) return [];
    return [
      {
        subject: prSubject(pr),
        title: `${pr.repo}#${pr.number} "${pr.title}" changes ${lines} lines (limit ${rule.max_lines})`,
        url: pr.url,
        evidence: { changed_lines: lines, max_lines: rule.max_lines },
        target: { repo: pr.repo, number: pr.number, ...author(pr) },
      },
    ];
  });
}

export const stalePr = async (rule: RuleOf<'stale_pr'>, ctx: EvalContext) =>
  flatMapInSlices(await loadOpenPrs(ctx, rule.scope.repos, hoursAgo(ctx.now, rule.older_than_hours)), (prs) =>
    findStalePrs(prs, rule, ctx),
  );
export const reviewBottleneck = async (rule: RuleOf<'review_bottleneck'>, ctx: EvalContext) =>
  flatMapInSlices(await loadOpenPrs(ctx, rule.scope.repos, hoursAgo(ctx.now, rule.idle_hours)), (prs) =>
    findReviewBottlenecks(prs, rule, ctx),
  );
export const reviewRequested = async (rule: RuleOf<'review_requested'>, ctx: EvalContext) =>
  flatMapInSlices(await loadOpenPrs(ctx, rule.scope.repos), findReviewRequests);
export const noTicketLink = async (rule: RuleOf<'no_ticket_link'>, ctx: EvalContext) =>
  flatMapInSlices(await loadOpenPrs(ctx, rule.scope.repos), (prs) => findMissingTicketLinks(prs, rule));
export const largePr = async (rule: RuleOf<'large_pr'>, ctx: EvalContext) =>
  flatMapInSlices(await loadOpenPrs(ctx, rule.scope.repos), (prs) => findLargePrs(prs, rule));
