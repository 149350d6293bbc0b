import type { Queryable } from '../store/db.js';

export interface SyncStatus {
  source: string;
  scope: string;
  lastRunAt: Date | null;
  lastSuccessAt: Date | null;
  lastError: string | null;
  consecutiveFailures: number;
  rateLimitRemaining: number | null;
  recordsRejected: number;
  /** The last skipped record and the field at fault. */
  lastSkip: string | null;
}

export async function recordSyncSuccess(
  db: Queryable,
  source: string,
  scope: string,
  extra: { rateLimitRemaining?: number | null; rejected?: number; lastSkip?: string | null } = {},
): Promise<void> {
  await db.query(
    `INSERT INTO sync_status (source, scope, last_run_at, last_success_at, last_error, consecutive_failures, rate_limit_remaining, records_rejected, last_skip)
     VALUES ($1, $2, now(), now(), NULL, 0, $3, $4, $5)
     ON CONFLICT (source, scope) DO UPDATE SET last_run_at = now(), last_success_at = now(), last_error = NULL,
       consecutive_failures = 0, rate_limit_remaining = COALESCE(EXCLUDED.rate_limit_remaining, sync_status.rate_limit_remaining),
       records_rejected = sync_status.records_rejected + EXCLUDED.records_rejected,
       last_skip = COALESCE(EXCLUDED.last_skip, sync_status.last_skip)`,
    [source, scope, extra.rateLimitRemaining ?? null, extra.rejected ?? 0, extra.lastSkip?.slice(0, 300) ?? null],
  );
}

export async function recordSyncFailure(db: Queryable, source: string, scope: string, error: string): Promise<number> {
  const result = await db.query<{ consecutive_failures: number }>(
    `INSERT INTO sync_status (source, scope, last_run_at, last_error, consecutive_failures) VALUES ($1, $2, now(), $3, 1)
     ON CONFLICT (source, scope) DO UPDATE SET last_run_at = now(), last_error = EXCLUDED.last_error,
       consecutive_failures = sync_status.consecutive_failures + 1
     RETURNING consecutive_failures`,
    [source, scope, error.slice(0, 500)],
  );
  return result.rows[0]?.consecutive_failures ?? 1;
}

export async function listSyncStatus(db: Queryable): Promise<SyncStatus[]> {
  const result = await db.query<{
    source: string;
    scope: string;
    last_run_at: Date | null;
    last_success_at: Date | null;
    last_error: string | null;
    consecutive_failures: number;
    rate_limit_remaining: number | null;
    records_rejected: number;
    last_skip: string | null;
  }>('SELECT * FROM sync_status ORDER BY source, scope');
  return result.rows.map((r) => ({
    source: r.source,
    scope: r.scope,
    lastRunAt: r.last_run_at,
    lastSuccessAt: r.last_success_at,
    lastError: r.last_error,
    consecutiveFailures: r.consecutive_failures,
    rateLimitRemaining: r.rate_limit_remaining,
    recordsRejected: Number(r.records_rejected),
    lastSkip: r.last_skip,
  }));
}

/** One scope's health in a line for /ready: a scope that skipped records says so, and why. */
export function scopeHealth(status: Pick<SyncStatus, 'lastError' | 'recordsRejected' | 'lastSkip'>): string {
  if (status.lastError) return `failing: ${status.lastError}`;
  if (!status.recordsRejected) return 'ok';
  return `ok, ${status.recordsRejected} malformed records skipped${status.lastSkip ? ` (last: ${status.lastSkip})` : ''}`;
}

/** After n failures in a row, wait interval × 2^(n-1), at most an hour, before trying again. */
export function backoffUntil(
  status: Pick<SyncStatus, 'lastRunAt' | 'consecutiveFailures'>,
  intervalMs: number,
): Date | null {
  if (!status.lastRunAt || status.consecutiveFailures === 0) return null;
  const wait = Math.min(intervalMs * 2 ** (status.consecutiveFailures - 1), 3_600_000);
  return new Date(status.lastRunAt.getTime() + wait);
}
