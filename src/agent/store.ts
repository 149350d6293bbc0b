// The agent's SQL: runs (for the audit, the rate limits and the token budgets), thread memory, thread context.
import type { Queryable } from '../store/db.js';

export interface AgentRunRecord {
  person: string;
  door: string;
  threadKey: string | null;
  request: string;
  planner: 'offline' | 'model';
  tools: { tool: string; args: Record<string, unknown>; ok: boolean }[];
  tokens: number;
  durationMs: number;
  outcome: string;
  detail?: Record<string, unknown>;
}

export async function recordRun(db: Queryable, run: AgentRunRecord): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO agent_runs (person, door, thread_key, request, planner, tools, tokens, duration_ms, outcome, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
    [
      run.person,
      run.door,
      run.threadKey,
      run.request,
      run.planner,
      JSON.stringify(run.tools),
      run.tokens,
      Math.round(run.durationMs),
      run.outcome,
      JSON.stringify(run.detail ?? {}),
    ],
  );
  return Number(rows[0]?.id);
}

/** Runs that did work (refusals are not counted) and the tokens they used, for one person since a time. */
export async function usageSince(
  db: Queryable,
  person: string,
  since: Date,
): Promise<{ runs: number; tokens: number }> {
  const { rows } = await db.query<{ runs: string; tokens: string | null }>(
    `SELECT count(*) AS runs, sum(tokens) AS tokens FROM agent_runs
      WHERE person = $1 AND at >= $2 AND outcome NOT IN ('rate_limited', 'over_budget')`,
    [person, since],
  );
  return { runs: Number(rows[0]?.runs ?? 0), tokens: Number(rows[0]?.tokens ?? 0) };
}

export interface AgentRunRow {
  id: number;
  at: Date;
  person: string;
  door: string;
  request: string;
  planner: string;
  tools: { tool: string; args: Record<string, unknown>; ok: boolean }[];
  tokens: number;
  duration_ms: number;
  outcome: string;
}

export async function listRuns(db: Queryable, limit: number): Promise<AgentRunRow[]> {
  const { rows } = await db.query<AgentRunRow>('SELECT * FROM agent_runs ORDER BY id DESC LIMIT $1', [limit]);
  return rows;
}

export async function addTurn(db: Queryable, threadKey: string, role: 'user' | 'assistant', content: string) {
  await db.query('INSERT INTO agent_turns (thread_key, role, content) VALUES ($1, $2, $3)', [
    threadKey,
    role,
    content.slice(0, 8000),
  ]);
}

/** The last `n` turns of a conversation, oldest first. */
export async function lastTurns(
  db: Queryable,
  threadKey: string,
  n: number,
): Promise<{ role: 'user' | 'assistant'; content: string }[]> {
  const { rows } = await db.query<{ role: 'user' | 'assistant'; content: string }>(
    'SELECT role, content FROM agent_turns WHERE thread_key = $1 ORDER BY id DESC LIMIT $2',
    [threadKey, n],
  );
  return rows.reverse();
}

export async function saveThreadContext(db: Queryable, threadKey: string, context: Record<string, unknown>) {
  await db.query(
    `INSERT INTO agent_threads (thread_key, context) VALUES ($1, $2)
     ON CONFLICT (thread_key) DO UPDATE SET context = EXCLUDED.context, updated_at = now()`,
    [threadKey, JSON.stringify(context)],
  );
}

export async function threadContext(db: Queryable, threadKey: string): Promise<Record<string, unknown>> {
  const { rows } = await db.query<{ context: Record<string, unknown> }>(
    'SELECT context FROM agent_threads WHERE thread_key = $1',
    [threadKey],
  );
  return rows[0]?.context ?? {};
}

/** Up to 500 repositories with pull requests, lower-cased (the names a request may mention). */
export async function knownRepos(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ repo: string }>('SELECT DISTINCT repo FROM pull_requests ORDER BY repo LIMIT 500');
  return rows.map((r) => r.repo.toLowerCase());
}

/** A tool call the model chose that waits for the asker's confirmation; its id is the button's value. */
export async function addConfirmation(
  db: Queryable,
  c: { person: string; tool: string; args: Record<string, unknown>; threadKey: string | null },
): Promise<number> {
  const { rows } = await db.query<{ id: string }>(
    'INSERT INTO agent_confirmations (person, tool, args, thread_key) VALUES ($1, $2, $3, $4) RETURNING id',
    [c.person, c.tool, JSON.stringify(c.args), c.threadKey],
  );
  return Number(rows[0]?.id);
}

/**
 * Takes a confirmation for running, once: only by the person it waits for, within a day of the answer that offered
 * it. Undefined when it is someone else's, already taken, expired or unknown.
 */
export async function takeConfirmation(
  db: Queryable,
  id: number,
  person: string,
): Promise<{ tool: string; args: Record<string, unknown>; threadKey: string | null } | undefined> {
  const { rows } = await db.query<{ tool: string; args: Record<string, unknown>; thread_key: string | null }>(
    `UPDATE agent_confirmations SET confirmed_at = now()
      WHERE id = $1 AND person = $2 AND confirmed_at IS NULL AND created_at > now() - interval '1 day'
      RETURNING tool, args, thread_key`,
    [id, person],
  );
  const row = rows[0];
  return row ? { tool: row.tool, args: row.args, threadKey: row.thread_key } : undefined;
}
