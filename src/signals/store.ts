import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Queryable } from '../store/db.js';
import type { Finding } from './finding.js';
import type { Rule, Severity } from './rules.js';

export interface SignalRow {
  id: number;
  rule: string;
  kind: string;
  subject: string;
  severity: Severity;
  title: string;
  url: string | null;
  evidence: Finding['evidence'];
  target: Finding['target'];
  status: 'open' | 'resolved';
  opened_at: Date;
  resolved_at: Date | null;
  /** Already true before em-agent first saw the data (see notifications): never notified in real time. */
  backfill?: boolean;
}

/** Findings written per statement. */
const UPSERT_BATCH = 1000;

/**
 * Stores a rule's findings as signals: new subjects open a signal (returned as `opened`, to be acted on once),
 * known ones are refreshed, and open signals the rule no longer finds are resolved.
 */
export async function reconcileSignals(
  db: Queryable,
  rule: Rule,
  findings: Finding[],
): Promise<{ opened: SignalRow[]; resolved: SignalRow[] }> {
  const unique = [...new Map(findings.map((f) => [f.subject, f])).values()];
  const opened: SignalRow[] = [];
  // In batches, with a loop turn between them: one statement for thousands of findings holds the event loop while
  // its parameters are encoded. Only new signals come back; refreshed ones are not read at all.
  for (let i = 0; i < unique.length; i += UPSERT_BATCH) {
    if (i > 0) await nextTurn();
    const batch = unique.slice(i, i + UPSERT_BATCH);
    const { rows } = await db.query<SignalRow>(
      `WITH upserted AS (
         INSERT INTO signals (rule, kind, subject, severity, title, url, evidence, target)
         SELECT $1, $2, x.subject, $3, x.title, x.url, x.evidence, x.target
           FROM unnest($4::text[], $5::text[], $6::text[], $7::jsonb[], $8::jsonb[]) AS x(subject, title, url, evidence, target)
         ON CONFLICT (rule, subject) WHERE status = 'open' DO UPDATE SET title = EXCLUDED.title, url = EXCLUDED.url,
           evidence = EXCLUDED.evidence, target = EXCLUDED.target, severity = EXCLUDED.severity, last_seen_at = now()
         RETURNING *, (xmax = 0) AS inserted)
       SELECT * FROM upserted WHERE inserted`,
      [
        rule.name,
        rule.kind,
        rule.severity,
        batch.map((f) => f.subject),
        batch.map((f) => f.title),
        batch.map((f) => f.url ?? null),
        batch.map((f) => JSON.stringify(f.evidence)),
        batch.map((f) => JSON.stringify(f.target)),
      ],
    );
    for (const row of rows) opened.push(row);
  }
  const resolved = await db.query<SignalRow>(
    `UPDATE signals SET status = 'resolved', resolved_at = now()
      WHERE rule = $1 AND status = 'open' AND NOT (subject = ANY($2::text[])) RETURNING *`,
    [rule.name, unique.map((f) => f.subject)],
  );
  return { opened, resolved: resolved.rows };
}

/** Signals of rules that no longer exist (or were disabled) are resolved; their ids are returned. */
export async function resolveSignalsOfRemovedRules(db: Queryable, ruleNames: string[]): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>(
    `UPDATE signals SET status = 'resolved', resolved_at = now() WHERE status = 'open' AND NOT (rule = ANY($1::text[]))
     RETURNING id`,
    [ruleNames],
  );
  return rows.map((r) => Number(r.id));
}

export async function listOpenSignals(db: Queryable, limit = 500): Promise<SignalRow[]> {
  const { rows } = await db.query<SignalRow>(
    `SELECT * FROM signals WHERE status = 'open'
      ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, opened_at LIMIT $1`,
    [limit],
  );
  return rows;
}

export async function countOpenSignals(db: Queryable): Promise<Record<Severity, number>> {
  const { rows } = await db.query<{ severity: Severity; n: number }>(
    "SELECT severity, count(*)::int AS n FROM signals WHERE status = 'open' GROUP BY severity",
  );
  const counts: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
  for (const r of rows) counts[r.severity] = r.n;
  return counts;
}

export async function lastRuleRuns(db: Queryable): Promise<Map<string, Date>> {
  const { rows } = await db.query<{ rule: string; last_run_at: Date }>('SELECT rule, last_run_at FROM rule_runs');
  return new Map(rows.map((r) => [r.rule, r.last_run_at]));
}

export async function recordRuleRun(
  db: Queryable,
  rule: string,
  findings: number,
  error: string | null,
): Promise<void> {
  await db.query(
    `INSERT INTO rule_runs (rule, last_run_at, last_error, findings) VALUES ($1, now(), $2, $3)
     ON CONFLICT (rule) DO UPDATE SET last_run_at = now(), last_error = EXCLUDED.last_error, findings = EXCLUDED.findings`,
    [rule, error, findings],
  );
}

/** Marks whether a signal's action still has to be proposed. */
export async function setActionPending(db: Queryable, ids: number[], pending: boolean): Promise<void> {
  if (ids.length === 0) return;
  await db.query('UPDATE signals SET action_pending = $2 WHERE id = ANY($1::bigint[])', [ids, pending]);
}

/** Open signals whose action has not been proposed yet (a failed propose), oldest first. */
export async function pendingActionSignals(db: Queryable, limit = 100): Promise<SignalRow[]> {
  const { rows } = await db.query<SignalRow>(
    "SELECT * FROM signals WHERE action_pending AND status = 'open' ORDER BY id LIMIT $1",
    [limit],
  );
  return rows;
}

/** Marks signals as found in the backfill (already true before em-agent first saw the data). */
export async function markBackfill(db: Queryable, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await db.query('UPDATE signals SET backfill = true WHERE id = ANY($1::bigint[])', [ids]);
}

export async function isBackfillSignal(db: Queryable, id: number): Promise<boolean> {
  const { rows } = await db.query<{ backfill: boolean }>('SELECT backfill FROM signals WHERE id = $1', [id]);
  return rows[0]?.backfill ?? false;
}

/** The signal with this id while it is open. */
export async function openSignalById(db: Queryable, id: number): Promise<SignalRow | undefined> {
  const { rows } = await db.query<SignalRow>("SELECT * FROM signals WHERE id = $1 AND status = 'open'", [id]);
  return rows[0];
}
