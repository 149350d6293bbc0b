// Pure: which notifications a signal makes, for whom, under which subject. One subject per pull request or ticket,
// so every rule about the same PR lands on one line of the same person's digest.
import type { PersonRef } from '../signals/finding.js';
import type { SignalRow } from '../signals/store.js';
import { TEAM_KINDS } from './audience.js';
import type { Group } from './model.js';

export interface SignalNotice {
  /** A person in a source, or the team's audience (see audience.ts). */
  to: PersonRef | 'team';
  group: Group;
  subject: string;
  title: string;
  reason: string;
  /** The kind that decides real time (review_requested, main_failed) or digest (everything else). */
  kind: string;
}

/** The subject a signal is about: its pull request or ticket when it has one, else the signal's own subject. */
export function subjectOf(signal: Pick<SignalRow, 'subject' | 'target'>): string {
  const t = signal.target;
  if (t.repo && t.number) return `pr:${t.repo}#${t.number}`;
  if (t.ticket) return `ticket:${t.ticket.source}:${t.ticket.key}`;
  return signal.subject;
}

/** "acme/api#12 Fix login" from a title such as `bob was asked to review acme/api#12 "Fix login" 30 hours ago`. */
export function itemTitle(signal: Pick<SignalRow, 'title' | 'target'>): string {
  const t = signal.target;
  const ref = t.repo && t.number ? `${t.repo}#${t.number}` : t.ticket?.key;
  if (!ref) return signal.title;
  const at = signal.title.indexOf(`${ref} "`);
  const end = signal.title.lastIndexOf('"');
  if (at >= 0 && end > at + ref.length + 1) return `${ref} ${signal.title.slice(at + ref.length + 2, end)}`;
  return ref;
}

const PERSONAL: Record<string, { to: 'reviewer' | 'author' | 'assignee'; group: Group; reason: string }> = {
  review_requested: { to: 'reviewer', group: 'reviews', reason: 'review requested of you' },
  review_bottleneck: { to: 'reviewer', group: 'reviews', reason: 'your review has waited past the limit' },
  stale_pr: { to: 'author', group: 'my_prs', reason: 'no review yet' },
  aging_blocked: { to: 'assignee', group: 'tickets', reason: 'blocked too long' },
};

/**
 * What a signal tells whom. Personal kinds go to the person who can act; team-level kinds (WIP, scope creep, aging
 * blocked work, red main, urgent tickets nobody holds) go to the team's audience, never to the engineer as a reproach.
 * Aging blocked tickets are both: on the assignee's own list, and on the team's.
 */
export function signalNotices(kind: string, signal: SignalRow): SignalNotice[] {
  const notices: SignalNotice[] = [];
  const subject = subjectOf(signal);
  const title = itemTitle(signal);
  const personal = PERSONAL[kind];
  if (personal) {
    const to = signal.target[personal.to] ?? (personal.to === 'author' ? signal.target.assignee : undefined);
    if (to) notices.push({ to, group: personal.group, subject, title, reason: personal.reason, kind });
  }
  if (TEAM_KINDS.has(kind))
    notices.push({
      to: 'team',
      group: 'team',
      subject,
      title,
      reason: title === signal.title ? kind.replaceAll('_', ' ') : signal.title,
      kind,
    });
  return notices;
}
