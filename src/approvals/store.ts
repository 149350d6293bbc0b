import type { Queryable } from '../store/db.js';

export type ApprovalStatus = 'proposed' | 'approved' | 'rejected' | 'expired' | 'executed' | 'failed';

export interface ApprovalRow {
  id: number;
  idempotency_key: string;
  action: string;
  params: Record<string, unknown>;
  summary: string;
  evidence: Record<string, unknown>;
  rule: string | null;
  severity: string | null;
  repo: string | null;
  signal_id: number | null;
  mode: 'auto' | 'approve';
  policy: string;
  status: ApprovalStatus;
  requested_by: string;
  /** The door a person proposed it through (agent, api, mcp, slack); null for rules' own proposals. */
  via: string | null;
  subject_owner: string | null;
  approvers: string[];
  min_approvals: number;
  allow_self_approval: boolean;
  expires_at: Date | null;
  created_at: Date;
  decided_at: Date | null;
  decided_by: string | null;
  reason: string | null;
  attempts: number;
  last_error: string | null;
  executed_at: Date | null;
  result: Record<string, unknown> | null;
}

export interface NewApproval {
  idempotencyKey: string;
  action: string;
  params: Record<string, unknown>;
  summary: string;
  evidence: Record<string, unknown>;
  rule?: string | null;
  severity?: string | null;
  repo?: string | null;
  signalId?: number | null;
  mode: 'auto' | 'approve';
  policy: string;
  requestedBy: string;
  via?: string | null;
  subjectOwner?: string | null;
  approvers: string[];
  minApprovals: number;
  allowSelfApproval: boolean;
  expiresAt: Date | null;
}

/** Stores a proposal once per idempotency key; a second proposal of the same thing returns null. */
export async function insertApproval(db: Queryable, a: NewApproval): Promise<ApprovalRow | null> {
  const { rows } = await db.query<ApprovalRow>(
    `INSERT INTO approvals (idempotency_key, action, params, summary, evidence, rule, severity, repo, signal_id, mode, policy,
       status, requested_by, subject_owner, approvers, min_approvals, allow_self_approval, expires_at, decided_at, decided_by,
       via)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
             CASE WHEN $10 = 'auto' THEN now() END, CASE WHEN $10 = 'auto' THEN 'policy:auto' END, $19)
     ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
    [
      a.idempotencyKey,
      a.action,
      JSON.stringify(a.params),
      a.summary,
      JSON.stringify(a.evidence),
      a.rule ?? null,
      a.severity ?? null,
      a.repo ?? null,
      a.signalId ?? null,
      a.mode,
      a.policy,
      a.mode === 'auto' ? 'approved' : 'proposed',
      a.requestedBy,
      a.subjectOwner ?? null,
      a.approvers,
      a.minApprovals,
      a.allowSelfApproval,
      a.expiresAt,
      a.via ?? null,
    ],
  );
  return rows[0] ?? null;
}

export async function getApproval(db: Queryable, id: number): Promise<ApprovalRow | null> {
  const { rows } = await db.query<ApprovalRow>('SELECT * FROM approvals WHERE id = $1', [id]);
  return rows[0] ?? null;
}

export async function getApprovalByKey(db: Queryable, idempotencyKey: string): Promise<ApprovalRow | null> {
  const { rows } = await db.query<ApprovalRow>('SELECT * FROM approvals WHERE idempotency_key = $1', [idempotencyKey]);
  return rows[0] ?? null;
}

/**
 * Records one approver's vote (once per person): whether it is new, and everyone who has voted to approve so far;
 * whose votes still count (who is an approver now) is the caller's to decide.
 */
export async function recordVote(
  db: Queryable,
  id: number,
  userId: string,
): Promise<{ added: boolean; voters: string[] }> {
  const inserted = await db.query(
    'INSERT INTO approval_votes (approval_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING user_id',
    [id, userId],
  );
  const { rows } = await db.query<{ user_id: string }>(
    'SELECT user_id FROM approval_votes WHERE approval_id = $1 ORDER BY user_id',
    [id],
  );
  return { added: inserted.rows.length > 0, voters: rows.map((r) => r.user_id) };
}

/**
 * Moves a proposal on only if it is still proposed and not past its expiry: a conditional update, so of many
 * simultaneous clicks (from any number of bot replicas) exactly one wins.
 */
export async function decideProposal(
  db: Queryable,
  id: number,
  to: 'approved' | 'rejected',
  by: string,
  reason: string | null,
): Promise<ApprovalRow | null> {
  const { rows } = await db.query<ApprovalRow>(
    `UPDATE approvals SET status = $2, decided_by = $3, decided_at = now(), reason = $4
      WHERE id = $1 AND status = 'proposed' AND (expires_at IS NULL OR expires_at > now()) RETURNING *`,
    [id, to, by, reason],
  );
  return rows[0] ?? null;
}

/**
 * Withdraws the proposals still waiting for a decision about these signals (ended as expired, with why, decided by
 * em-agent): a conditional update, so a decision made at the same moment wins or loses as a whole.
 */
export async function withdrawForSignals(db: Queryable, signalIds: number[], reason: string): Promise<ApprovalRow[]> {
  if (!signalIds.length) return [];
  const { rows } = await db.query<ApprovalRow>(
    `UPDATE approvals SET status = 'expired', decided_at = now(), decided_by = 'em-agent', reason = $2
      WHERE signal_id = ANY($1::bigint[]) AND status = 'proposed' RETURNING *`,
    [signalIds, reason],
  );
  return rows;
}

export async function expireDue(db: Queryable): Promise<ApprovalRow[]> {
  const { rows } = await db.query<ApprovalRow>(
    `UPDATE approvals SET status = 'expired', decided_at = now(), decided_by = 'ttl'
      WHERE status = 'proposed' AND expires_at <= now() RETURNING *`,
  );
  return rows;
}

/**
 * How long a claim lasts unless renewed. The executing process renews it (every third of it) while the action runs,
 * so a crash frees the action within this time; the approvals tick then picks it up.
 */
export const CLAIM_LEASE_MS = 15_000;

/** Claims an approved action for one execution attempt (one claimant at a time, across replicas). */
export async function claimForExecution(
  db: Queryable,
  id?: number,
  leaseMs = CLAIM_LEASE_MS,
): Promise<ApprovalRow | null> {
  const { rows } = await db.query<ApprovalRow>(
    `UPDATE approvals SET attempts = attempts + 1, claimed_until = now() + $2 * interval '1 millisecond'
      WHERE id = (SELECT id FROM approvals
                   WHERE status = 'approved' AND ($1::bigint IS NULL OR id = $1)
                     AND (claimed_until IS NULL OR claimed_until < now())
                     AND (next_attempt_at IS NULL OR next_attempt_at <= now())
                   ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
        AND status = 'approved' AND (claimed_until IS NULL OR claimed_until < now())
      RETURNING *`,
    [id ?? null, leaseMs],
  );
  return rows[0] ?? null;
}

/** Extends a claim this process holds while its action is still running. */
export async function renewClaim(db: Queryable, id: number, leaseMs = CLAIM_LEASE_MS): Promise<void> {
  await db.query(
    `UPDATE approvals SET claimed_until = now() + $2 * interval '1 millisecond'
      WHERE id = $1 AND status = 'approved' AND claimed_until IS NOT NULL`,
    [id, leaseMs],
  );
}

export async function markExecuted(db: Queryable, id: number, result: Record<string, unknown>): Promise<void> {
  await db.query(
    `UPDATE approvals SET status = 'executed', executed_at = now(), result = $2, claimed_until = NULL, last_error = NULL
      WHERE id = $1 AND status = 'approved'`,
    [id, JSON.stringify(result)],
  );
}

export async function markAttemptFailed(
  db: Queryable,
  id: number,
  error: string,
  retryAt: Date | null,
): Promise<ApprovalRow | null> {
  const { rows } = await db.query<ApprovalRow>(
    `UPDATE approvals SET last_error = $2, claimed_until = NULL, next_attempt_at = $3,
            status = CASE WHEN $3::timestamptz IS NULL THEN 'failed' ELSE status END
      WHERE id = $1 AND status = 'approved' RETURNING *`,
    [id, error, retryAt],
  );
  return rows[0] ?? null;
}

/**
 * Newest first (ties by id, so a page boundary never splits or repeats rows). `before`: only rows after that one
 * in this order (the next page); `id`: only that row.
 */
export async function listApprovals(
  db: Queryable,
  status: ApprovalStatus,
  limit = 50,
  options: { before?: number; id?: number } = {},
): Promise<ApprovalRow[]> {
  const { rows } = await db.query<ApprovalRow>(
    `SELECT * FROM approvals a
      WHERE status = $1
        AND ($3::bigint IS NULL OR a.id = $3)
        AND ($4::bigint IS NULL OR (a.created_at, a.id) < (SELECT b.created_at, b.id FROM approvals b WHERE b.id = $4))
      ORDER BY created_at DESC, id DESC LIMIT $2`,
    [status, limit, options.id ?? null, options.before ?? null],
  );
  return rows;
}

export async function addApprovalMessage(db: Queryable, id: number, channel: string, ts: string): Promise<void> {
  await db.query(
    'INSERT INTO approval_messages (approval_id, channel, ts) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
    [id, channel, ts],
  );
}

export async function approvalMessages(db: Queryable, id: number): Promise<{ channel: string; ts: string }[]> {
  const { rows } = await db.query<{ channel: string; ts: string }>(
    'SELECT channel, ts FROM approval_messages WHERE approval_id = $1',
    [id],
  );
  return rows;
}

export interface AuditEntry {
  actor: string;
  event: string;
  approvalId?: number | null;
  action?: string | null;
  detail?: Record<string, unknown>;
}

export async function audit(db: Queryable, entry: AuditEntry): Promise<void> {
  await db.query('INSERT INTO audit_log (actor, event, approval_id, action, detail) VALUES ($1, $2, $3, $4, $5)', [
    entry.actor,
    entry.event,
    entry.approvalId ?? null,
    entry.action ?? null,
    JSON.stringify(entry.detail ?? {}),
  ]);
}

export interface AuditRow {
  id: number;
  at: Date;
  actor: string;
  event: string;
  approval_id: number | null;
  action: string | null;
  detail: Record<string, unknown>;
}

/**
 * Newest first, by time then id (so a page boundary never splits or repeats rows). `before`: only rows after that
 * one in this order (the next page).
 */
export async function listAudit(db: Queryable, limit: number, options: { before?: number } = {}): Promise<AuditRow[]> {
  const { rows } = await db.query<AuditRow>(
    `SELECT * FROM audit_log a
      WHERE $2::bigint IS NULL OR (a.at, a.id) < (SELECT b.at, b.id FROM audit_log b WHERE b.id = $2)
      ORDER BY at DESC, id DESC LIMIT $1`,
    [limit, options.before ?? null],
  );
  return rows;
}
