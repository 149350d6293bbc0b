import type { Queryable } from '../store/db.js';
import { repoBelongs } from '../teams/model.js';
import { serviceBelongs, type TeamScope, targetInScope } from '../teams/store.js';
import { type OpenIncident, openIncidents, openSignalsOfKinds, proposedApprovals } from './triage-store.js';

export interface TriageItem {
  text: string;
  url: string | null;
  /** Open signal behind the item: its nudge goes through policy. */
  signalId?: number;
  nudge?: boolean;
  /** A PR nobody reviews: someone can be asked to. */
  requestReview?: boolean;
  at: Date;
}

export interface TriageGroup {
  id: string;
  title: string;
  items: TriageItem[];
}

// Ranked: what hurts customers or blocks everyone first, then what blocks a person.
const GROUPS: { id: string; title: string; kinds?: string[] }[] = [
  { id: 'incidents', title: ':rotating_light: Open incidents' },
  { id: 'failing_main', title: ':red_circle: Failing main', kinds: ['failing_main'] },
  { id: 'unassigned_urgent', title: ':fire: Unassigned urgent tickets', kinds: ['unassigned_urgent'] },
  { id: 'approvals', title: ':raised_hand: Waiting for approval' },
  { id: 'reviews', title: ':eyes: Review bottlenecks', kinds: ['review_bottleneck'] },
  { id: 'stale', title: ':hourglass: Stale pull requests', kinds: ['stale_pr'] },
  { id: 'blocked', title: ':construction: Blocked tickets', kinds: ['aging_blocked'] },
];
const SIGNAL_KINDS = GROUPS.flatMap((g) => g.kinds ?? []);
const NUDGEABLE = new Set(['review_bottleneck', 'stale_pr', 'aging_blocked']);

/**
 * What needs attention now, grouped and ranked, from open incidents, open signals and pending approvals. With a
 * team's scope: the incidents of its repositories, projects and services, the signals about its repositories, tickets
 * and people, and the approvals about those. Every group holds all its items (its count is the real one); a message
 * shows the first few of each.
 */
export async function buildTriage(
  db: Queryable,
  scope?: TeamScope | null,
  /** Keeps the incidents the reader may see (a private incident is for its channel's members); public ones only by default. */
  visible: (incidents: OpenIncident[]) => Promise<OpenIncident[]> = async (incidents) =>
    incidents.filter((i) => !i.visibleIn),
): Promise<TriageGroup[]> {
  const allIncidents = await openIncidents(db);
  // An incident is the team's when its scope is one of the team's repositories or projects, or, for one declared in
  // Slack, an affected service naming the team or one of its repositories (`payments`, `api`), as routing reads it.
  // Scope first, so that only the private rooms of the team's incidents are asked about.
  const scoped = scope
    ? allIncidents.filter(
        (i) =>
          i.scope &&
          (repoBelongs(scope.team, i.scope) || scope.projects.includes(i.scope) || serviceBelongs(scope.team, i.scope)),
      )
    : allIncidents;
  const incidents = await visible(scoped);
  const allSignals = await openSignalsOfKinds(db, SIGNAL_KINDS);
  const signals = scope ? allSignals.filter((s) => targetInScope(scope, s.target)) : allSignals;
  const allApprovals = await proposedApprovals(db);
  const approvals = scope
    ? allApprovals.filter(
        (a) => (a.repo && repoBelongs(scope.team, a.repo)) || (a.target ? targetInScope(scope, a.target) : false),
      )
    : allApprovals;
  return GROUPS.map((g) => {
    let items: TriageItem[];
    if (g.id === 'incidents')
      items = incidents.map((i) => ({
        text: `${i.severity ? `[${i.severity}] ` : ''}${i.title}`,
        url: i.url,
        at: i.opened_at,
      }));
    else if (g.id === 'approvals')
      items = approvals.map((a) => ({ text: `#${a.id} ${a.action}: ${a.summary}`, url: null, at: a.created_at }));
    else
      items = signals
        .filter((s) => g.kinds?.includes(s.kind))
        .map((s) => ({
          text: s.title,
          url: s.url,
          signalId: s.id,
          nudge: NUDGEABLE.has(s.kind),
          requestReview: s.kind === 'stale_pr',
          at: s.opened_at,
        }));
    return { id: g.id, title: g.title, items };
  }).filter((g) => g.items.length);
}
