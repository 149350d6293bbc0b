import type { Queryable } from '../store/db.js';

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
const NUDGEABLE = new Set(['review_bottleneck', 'stale_pr', 'aging_blocked']);

/** What needs attention now, grouped and ranked, from open incidents, open signals and pending approvals. */
export async function buildTriage(db: Queryable): Promise<TriageGroup[]> {
  const { rows: incidents } = await db.query<{
    title: string;
    url: string | null;
    opened_at: Date;
    severity: string | null;
  }>("SELECT title, url, opened_at, severity FROM incidents WHERE status = 'open' ORDER BY opened_at LIMIT 20");
  const { rows: signals } = await db.query<{
    id: number;
    kind: string;
    title: string;
    url: string | null;
    opened_at: Date;
  }>(
    `SELECT id, kind, title, url, opened_at FROM signals WHERE status = 'open' AND kind = ANY($1::text[])
      ORDER BY opened_at`,
    [GROUPS.flatMap((g) => g.kinds ?? [])],
  );
  const { rows: approvals } = await db.query<{ id: number; action: string; summary: string; created_at: Date }>(
    "SELECT id, action, summary, created_at FROM approvals WHERE status = 'proposed' ORDER BY created_at LIMIT 20",
  );
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
