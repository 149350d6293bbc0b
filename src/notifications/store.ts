import type { Queryable } from '../store/db.js';
import type { Group, NotificationInput, Prefs, Reason } from './model.js';

export interface ItemRow {
  id: number;
  recipient: string;
  subject: string;
  grp: Group;
  title: string;
  url: string | null;
  reasons: Record<string, Reason>;
  state: 'open' | 'done' | 'resolved';
  snoozed_until: Date | null;
  backfill: boolean;
  realtime_at: Date | null;
  escalated_at: Date | null;
  created_at: Date;
  changed_at: Date;
}

export interface UpsertResult {
  item: ItemRow;
  /** A reason the item did not have (a new item, or a material change that ends a snooze or a Done). */
  material: boolean;
}

/**
 * Adds a reason to the person's item for a subject (one item per person and subject). A reason the item did not
 * have is a material change: it reopens a resolved or done item and ends a snooze.
 */
export async function upsertItem(db: Queryable, input: NotificationInput, now: Date): Promise<UpsertResult> {
  const { rows } = await db.query<ItemRow & { material: boolean }>(
    `WITH before AS (SELECT reasons, state FROM notification_items WHERE recipient = $1 AND subject = $2)
     INSERT INTO notification_items AS i (recipient, subject, grp, title, url, reasons, backfill, created_at, changed_at)
     VALUES ($1, $2, $3, $4, $5, jsonb_build_object($6::text, $7::jsonb), $8, $9, $9)
     ON CONFLICT (recipient, subject) DO UPDATE SET
       title = EXCLUDED.title, url = coalesce(EXCLUDED.url, i.url),
       grp = CASE WHEN i.state = 'open' AND i.reasons <> '{}'::jsonb THEN i.grp ELSE EXCLUDED.grp END,
       reasons = CASE WHEN i.state = 'resolved' THEN EXCLUDED.reasons ELSE i.reasons || EXCLUDED.reasons END,
       backfill = CASE WHEN i.state = 'resolved' THEN EXCLUDED.backfill ELSE i.backfill END,
       state = CASE WHEN i.reasons ? $6 AND i.state <> 'resolved' THEN i.state ELSE 'open' END,
       snoozed_until = CASE WHEN i.reasons ? $6 AND i.state <> 'resolved' THEN i.snoozed_until ELSE NULL END,
       realtime_at = CASE WHEN i.state = 'resolved' THEN NULL ELSE i.realtime_at END,
       escalated_at = CASE WHEN i.state = 'resolved' THEN NULL ELSE i.escalated_at END,
       created_at = CASE WHEN i.state = 'resolved' THEN $9 ELSE i.created_at END,
       changed_at = CASE WHEN i.reasons ? $6 AND i.state <> 'resolved' THEN i.changed_at ELSE $9 END
     RETURNING i.*, NOT coalesce((SELECT b.reasons ? $6 AND b.state <> 'resolved' FROM before b), false) AS material`,
    [
      input.recipient,
      input.subject,
      input.group,
      input.title,
      input.url ?? null,
      input.reasonKey,
      JSON.stringify(input.reason),
      input.backfill ?? false,
      now,
    ],
  );
  const { material, ...item } = rows[0] as ItemRow & { material: boolean };
  return { item, material };
}

/**
 * Many items in one statement, for those that can only wait for the digest (backfill, or kinds never sent in real
 * time): the same merge as upsertItem. Inputs for one person and subject are merged first (one row each).
 */
export async function upsertItems(db: Queryable, inputs: NotificationInput[], now: Date): Promise<number> {
  const rows = new Map<string, { input: NotificationInput; reasons: Record<string, unknown>; backfill: boolean }>();
  for (const input of inputs) {
    const key = `${input.recipient}\u0000${input.subject}`;
    const row = rows.get(key);
    if (row) {
      row.reasons[input.reasonKey] = input.reason;
      row.backfill &&= input.backfill ?? false;
      row.input = { ...input, group: row.input.group };
    } else rows.set(key, { input, reasons: { [input.reasonKey]: input.reason }, backfill: input.backfill ?? false });
  }
  if (!rows.size) return 0;
  const list = [...rows.values()];
  const r = await db.query(
    `INSERT INTO notification_items AS i (recipient, subject, grp, title, url, reasons, backfill, created_at, changed_at)
     SELECT t.recipient, t.subject, t.grp, t.title, t.url, t.reasons::jsonb, t.backfill, $8, $8
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[])
         AS t(recipient, subject, grp, title, url, reasons, backfill)
     ON CONFLICT (recipient, subject) DO UPDATE SET
       title = EXCLUDED.title, url = coalesce(EXCLUDED.url, i.url),
       grp = CASE WHEN i.state = 'open' AND i.reasons <> '{}'::jsonb THEN i.grp ELSE EXCLUDED.grp END,
       reasons = CASE WHEN i.state = 'resolved' THEN EXCLUDED.reasons ELSE i.reasons || EXCLUDED.reasons END,
       backfill = CASE WHEN i.state = 'resolved' THEN EXCLUDED.backfill ELSE i.backfill END,
       state = CASE WHEN i.reasons ?& ARRAY(SELECT jsonb_object_keys(EXCLUDED.reasons)) AND i.state <> 'resolved'
                    THEN i.state ELSE 'open' END,
       snoozed_until = CASE WHEN i.reasons ?& ARRAY(SELECT jsonb_object_keys(EXCLUDED.reasons)) AND i.state <> 'resolved'
                            THEN i.snoozed_until ELSE NULL END,
       realtime_at = CASE WHEN i.state = 'resolved' THEN NULL ELSE i.realtime_at END,
       escalated_at = CASE WHEN i.state = 'resolved' THEN NULL ELSE i.escalated_at END,
       created_at = CASE WHEN i.state = 'resolved' THEN $8 ELSE i.created_at END,
       changed_at = CASE WHEN i.reasons ?& ARRAY(SELECT jsonb_object_keys(EXCLUDED.reasons)) AND i.state <> 'resolved'
                         THEN i.changed_at ELSE $8 END`,
    [
      list.map((x) => x.input.recipient),
      list.map((x) => x.input.subject),
      list.map((x) => x.input.group),
      list.map((x) => x.input.title),
      list.map((x) => x.input.url ?? null),
      list.map((x) => JSON.stringify(x.reasons)),
      list.map((x) => x.backfill),
      now,
    ],
  );
  return r.rowCount;
}

/** The data no longer says so: the reason leaves every item holding it; an item left without reasons is resolved. */
export async function dropReason(db: Queryable, reasonKey: string): Promise<number> {
  await db.query(`UPDATE notification_items SET reasons = reasons - $1::text WHERE reasons ? $1`, [reasonKey]);
  const resolved = await db.query<{ id: number }>(
    `UPDATE notification_items SET state = 'resolved'
      WHERE reasons = '{}'::jsonb AND state <> 'resolved' RETURNING id`,
  );
  if (resolved.rows.length)
    await resolveEscalations(
      db,
      resolved.rows.map((r) => r.id),
    );
  return resolved.rowCount;
}

async function resolveEscalations(db: Queryable, ids: number[]): Promise<void> {
  await db.query(
    `UPDATE notification_items SET state = 'resolved', reasons = '{}'::jsonb WHERE subject = ANY($1::text[])`,
    [ids.map((id) => `escalated:${id}`)],
  );
}

export async function markRealtime(db: Queryable, id: number): Promise<void> {
  await db.query('UPDATE notification_items SET realtime_at = now() WHERE id = $1', [id]);
}

export async function getItem(db: Queryable, id: number): Promise<ItemRow | undefined> {
  const { rows } = await db.query<ItemRow>('SELECT * FROM notification_items WHERE id = $1', [id]);
  return rows[0];
}

/** Open items of a person that are not snoozed at `now`, oldest first. */
export async function openItems(db: Queryable, recipient: string, now: Date): Promise<ItemRow[]> {
  const { rows } = await db.query<ItemRow>(
    `SELECT * FROM notification_items
      WHERE recipient = $1 AND state = 'open' AND reasons <> '{}'::jsonb AND (snoozed_until IS NULL OR snoozed_until <= $2)
      ORDER BY created_at, id`,
    [recipient, now],
  );
  return rows;
}

/** People with at least one open item (candidates for a digest). */
export async function recipientsWithOpenItems(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ recipient: string }>(
    `SELECT DISTINCT recipient FROM notification_items WHERE state = 'open' AND reasons <> '{}'::jsonb ORDER BY recipient`,
  );
  return rows.map((r) => r.recipient);
}

export async function snoozeItem(db: Queryable, id: number, recipient: string, until: Date): Promise<boolean> {
  const r = await db.query('UPDATE notification_items SET snoozed_until = $3 WHERE id = $1 AND recipient = $2', [
    id,
    recipient,
    until,
  ]);
  return r.rowCount === 1;
}

export async function markDone(db: Queryable, id: number, recipient: string): Promise<boolean> {
  const r = await db.query(`UPDATE notification_items SET state = 'done' WHERE id = $1 AND recipient = $2`, [
    id,
    recipient,
  ]);
  if (r.rowCount === 1) await resolveEscalations(db, [id]);
  return r.rowCount === 1;
}

export async function muteRule(db: Queryable, recipient: string, rule: string): Promise<void> {
  await db.query('INSERT INTO notification_mutes (recipient, rule) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
    recipient,
    rule,
  ]);
}

export async function unmuteRule(db: Queryable, recipient: string, rule: string): Promise<void> {
  await db.query('DELETE FROM notification_mutes WHERE recipient = $1 AND rule = $2', [recipient, rule]);
}

export async function mutedRules(db: Queryable, recipient: string): Promise<Set<string>> {
  const { rows } = await db.query<{ rule: string }>('SELECT rule FROM notification_mutes WHERE recipient = $1', [
    recipient,
  ]);
  return new Set(rows.map((r) => r.rule));
}

export interface PrefsRow {
  digest_time: string | null;
  timezone: string | null;
  realtime_off: string[];
  quiet_start: string | null;
  quiet_end: string | null;
  paused_until: Date | null;
}

export async function getPrefs(db: Queryable, recipient: string): Promise<PrefsRow | undefined> {
  const { rows } = await db.query<PrefsRow>('SELECT * FROM notification_prefs WHERE recipient = $1', [recipient]);
  return rows[0];
}

export async function savePrefs(db: Queryable, recipient: string, prefs: Partial<Prefs>): Promise<void> {
  await db.query(
    `INSERT INTO notification_prefs (recipient, digest_time, timezone, realtime_off, quiet_start, quiet_end, paused_until)
     VALUES ($1, $2, $3, coalesce($4::text[], '{}'), $5, $6, $7)
     ON CONFLICT (recipient) DO UPDATE SET
       digest_time = CASE WHEN $8 THEN EXCLUDED.digest_time ELSE notification_prefs.digest_time END,
       timezone = coalesce(EXCLUDED.timezone, notification_prefs.timezone),
       realtime_off = CASE WHEN $4::text[] IS NULL THEN notification_prefs.realtime_off ELSE EXCLUDED.realtime_off END,
       quiet_start = CASE WHEN $9 THEN EXCLUDED.quiet_start ELSE notification_prefs.quiet_start END,
       quiet_end = CASE WHEN $9 THEN EXCLUDED.quiet_end ELSE notification_prefs.quiet_end END,
       paused_until = CASE WHEN $10 THEN EXCLUDED.paused_until ELSE notification_prefs.paused_until END,
       updated_at = now()`,
    [
      recipient,
      prefs.digestTime ?? null,
      prefs.timezone ?? null,
      prefs.realtimeOff ?? null,
      prefs.quietStart ?? null,
      prefs.quietEnd ?? null,
      prefs.pausedUntil ?? null,
      'digestTime' in prefs,
      'quietStart' in prefs || 'quietEnd' in prefs,
      'pausedUntil' in prefs,
    ],
  );
}

export async function realtimeSentOn(db: Queryable, recipient: string, day: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM notification_sends WHERE recipient = $1 AND local_day = $2 AND realtime',
    [recipient, day],
  );
  return rows[0]?.n ?? 0;
}

export async function recordSend(
  db: Queryable,
  send: { recipient: string; kind: string; realtime: boolean; day: string; subject?: string | null },
): Promise<void> {
  await db.query(
    'INSERT INTO notification_sends (recipient, kind, realtime, local_day, subject) VALUES ($1, $2, $3, $4, $5)',
    [send.recipient, send.kind, send.realtime, send.day, send.subject ?? null],
  );
}

/** Claims the person's digest for their local day: true once, however many replicas try. */
export async function claimDigest(db: Queryable, recipient: string, day: string): Promise<boolean> {
  const r = await db.query(
    `INSERT INTO notification_sends (recipient, kind, realtime, local_day) VALUES ($1, 'digest', false, $2)
     ON CONFLICT (recipient, local_day) WHERE NOT realtime DO NOTHING`,
    [recipient, day],
  );
  return r.rowCount === 1;
}

export async function releaseDigest(db: Queryable, recipient: string, day: string): Promise<void> {
  await db.query('DELETE FROM notification_sends WHERE recipient = $1 AND local_day = $2 AND NOT realtime', [
    recipient,
    day,
  ]);
}

export async function getMarker(db: Queryable, key: string): Promise<Date | undefined> {
  const { rows } = await db.query<{ at: Date }>('SELECT at FROM notification_state WHERE key = $1', [key]);
  return rows[0]?.at;
}

/** Sets a marker once, at the database's time (the same clock as rule_runs, which it is compared with). */
export async function setMarkerOnce(db: Queryable, key: string): Promise<Date> {
  await db.query('INSERT INTO notification_state (key, at) VALUES ($1, now()) ON CONFLICT (key) DO NOTHING', [key]);
  return (await getMarker(db, key)) as Date;
}

/** Open items not yet escalated, created before `before` (the caller counts working days exactly). */
export async function escalationCandidates(db: Queryable, before: Date, limit = 500): Promise<ItemRow[]> {
  const { rows } = await db.query<ItemRow>(
    `SELECT * FROM notification_items
      WHERE state = 'open' AND escalated_at IS NULL AND reasons <> '{}'::jsonb AND created_at <= $1
        AND grp NOT IN ('team', 'escalations')
      ORDER BY created_at LIMIT $2`,
    [before, limit],
  );
  return rows;
}

export async function markEscalated(db: Queryable, id: number): Promise<void> {
  await db.query('UPDATE notification_items SET escalated_at = now() WHERE id = $1', [id]);
}

/** DMs per person and local day over a range (for the bench and metrics). */
export async function sendsPerPersonDay(
  db: Queryable,
): Promise<{ recipient: string; local_day: string; n: number; digests: number }[]> {
  const { rows } = await db.query<{ recipient: string; local_day: string; n: number; digests: number }>(
    `SELECT recipient, local_day::text AS local_day, count(*)::int AS n, count(*) FILTER (WHERE NOT realtime)::int AS digests
       FROM notification_sends GROUP BY recipient, local_day ORDER BY recipient, local_day`,
  );
  return rows;
}

export interface MainCulprit {
  repo: string;
  number: number;
  title: string;
  url: string | null;
  /** GitHub login: who merged it, else its author (the list endpoint does not say who merged). */
  merger: string;
  sha: string;
  /** The PR's merge commit is the first red run's commit (else: the last PR merged before it). */
  exact: boolean;
}

/**
 * The pull request behind a red workflow on the default branch: the one whose merge commit the first red run (after
 * the last green one) built, else the last one merged into that branch before that run.
 */
export async function mainCulprit(db: Queryable, repo: string, workflow: string): Promise<MainCulprit | undefined> {
  const { rows } = await db.query<MainCulprit>(
    `WITH red AS (
       SELECT r.sha, r.branch, r.created_at FROM ci_runs r
        WHERE r.repo = $1 AND coalesce(r.name, '(unnamed)') = $2
          AND r.updated_at > coalesce((SELECT max(g.updated_at) FROM ci_runs g
                                        WHERE g.repo = $1 AND coalesce(g.name, '(unnamed)') = $2
                                          AND g.conclusion = 'success'), '-infinity')
        ORDER BY r.updated_at, r.run_id LIMIT 1
     )
     SELECT p.repo, p.number, p.title, p.url, coalesce(p.merged_by, p.author) AS merger, red.sha,
            coalesce(p.merge_commit_sha = red.sha, false) AS exact
       FROM red JOIN pull_requests p ON p.repo = $1 AND p.merged_at IS NOT NULL
        AND (p.merge_commit_sha = red.sha OR (p.base_ref = red.branch AND p.merged_at <= red.created_at))
      WHERE coalesce(p.merged_by, p.author) IS NOT NULL
      ORDER BY coalesce(p.merge_commit_sha = red.sha, false) DESC, p.merged_at DESC LIMIT 1`,
    [repo, workflow],
  );
  return rows[0];
}

/** Open items of incident action items (subject incident_action:<timeline id>), for closing those done elsewhere. */
export async function openSubjectsLike(db: Queryable, prefix: string): Promise<string[]> {
  const { rows } = await db.query<{ subject: string }>(
    `SELECT DISTINCT subject FROM notification_items WHERE state = 'open' AND starts_with(subject, $1)`,
    [prefix],
  );
  return rows.map((r) => r.subject);
}

/** DMs each person got on one local day (people who got none are not listed). */
export async function sendsOnDay(db: Queryable, day: string): Promise<number[]> {
  const { rows } = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM notification_sends WHERE local_day = $1 GROUP BY recipient',
    [day],
  );
  return rows.map((r) => r.n);
}
