import { readInPages } from '../lib/slices.js';
import type { SignalRow } from '../signals/store.js';
import type { Queryable } from '../store/db.js';

// The reads behind triage, oldest first. Triage filters what it reads (by the reader's private channels, by a team's
// scope) and counts what is left, so each read takes up to READ_LIMIT rows, not only the few a message shows.

/** Open incidents and pending approvals read at most (a group's count stops there). */
export const READ_LIMIT = 500;

export interface OpenIncident {
  title: string;
  url: string | null;
  opened_at: Date;
  severity: string | null;
  scope: string | null;
  /** The private incident channel whose members alone may see it; null when it is public. */
  visibleIn: string | null;
}

export type OpenSignal = Pick<SignalRow, 'id' | 'kind' | 'title' | 'url' | 'opened_at' | 'target'>;

/** An approval waiting for a decision, with the target of the signal it came from (if any). */
export interface ProposedApproval {
  id: number;
  action: string;
  summary: string;
  created_at: Date;
  repo: string | null;
  target: SignalRow['target'] | null;
}

export async function openIncidents(db: Queryable): Promise<OpenIncident[]> {
  const { rows } = await db.query<OpenIncident>(
    `SELECT i.title, i.url, i.opened_at, i.severity, i.scope, r.visible_in AS "visibleIn"
       FROM incidents i LEFT JOIN incident_rooms r ON r.source = i.source AND r.incident_id = i.external_id
      WHERE i.status = 'open' ORDER BY i.opened_at, i.source, i.external_id
      LIMIT $1`,
    [READ_LIMIT],
  );
  return rows;
}

/**
 * Every open signal of these kinds, oldest first. Read in pages by id (a large org has tens of thousands; a
 * timestamp cannot be the key: JavaScript dates drop its microseconds) and put in order here.
 */
export async function openSignalsOfKinds(db: Queryable, kinds: string[]): Promise<OpenSignal[]> {
  const rows = await readInPages<OpenSignal>(async (after, limit) => {
    const page = await db.query<OpenSignal>(
      `SELECT id, kind, title, url, opened_at, target FROM signals
        WHERE status = 'open' AND kind = ANY($1::text[]) AND id > $2 ORDER BY id LIMIT $3`,
      [kinds, after?.id ?? 0, limit],
    );
    return page.rows;
  });
  return rows.sort((a, b) => a.opened_at.getTime() - b.opened_at.getTime() || a.id - b.id);
}

export async function proposedApprovals(db: Queryable): Promise<ProposedApproval[]> {
  const { rows } = await db.query<ProposedApproval>(
    `SELECT a.id, a.action, a.summary, a.created_at, a.repo, s.target FROM approvals a
       LEFT JOIN signals s ON s.id = a.signal_id
      WHERE a.status = 'proposed' ORDER BY a.created_at, a.id LIMIT $1`,
    [READ_LIMIT],
  );
  return rows;
}
