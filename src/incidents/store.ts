import { servesService } from '../reports/dora-store.js';
import type { Db, Queryable } from '../store/db.js';
import type {
  Incident,
  IncidentSeverity,
  Phase,
  SuspectedDeploy,
  TimelineEntry,
  TimelineFile,
  TimelineKind,
} from './model.js';
import type { NudgeState, Reminder } from './reminders.js';

interface IncidentRow {
  incident_id: string;
  number: number;
  title: string;
  severity: string | null;
  status: 'open' | 'resolved';
  phase: Phase;
  service: string | null;
  description: string | null;
  declared_by: string;
  commander: string | null;
  comms_lead: string | null;
  scribe: string | null;
  responders: string[];
  channel_id: string | null;
  channel_name: string | null;
  card_ts: string | null;
  announce_channel: string | null;
  announce_ts: string | null;
  origin_channel: string | null;
  origin_ts: string | null;
  opened_at: Date;
  resolved_at: Date | null;
  last_update_at: Date | null;
  summary: string | null;
  caused_by_source: string | null;
  caused_by_id: string | null;
  link_confirmed_by: string | null;
  archived_at: Date | null;
  severity_nudges: number;
  severity_nudged_at: Date | null;
  commander_nudges: number;
  commander_nudged_at: Date | null;
  update_reminded_at: Date | null;
  closure_checked_at: Date | null;
  card_refreshed_at: Date | null;
}

const SELECT = `
  SELECT r.*, i.title, i.severity, i.status, i.opened_at, i.resolved_at,
         i.caused_by_source, i.caused_by_id, i.link_confirmed_by
    FROM incident_rooms r JOIN incidents i ON i.source = r.source AND i.external_id = r.incident_id`;

const toIncident = (r: IncidentRow): Incident => ({
  id: r.incident_id,
  number: r.number,
  title: r.title,
  severity: r.severity as IncidentSeverity | null,
  phase: r.phase,
  status: r.status,
  service: r.service,
  description: r.description,
  declaredBy: r.declared_by,
  commander: r.commander,
  commsLead: r.comms_lead,
  scribe: r.scribe,
  responders: r.responders ?? [],
  channelId: r.channel_id,
  channelName: r.channel_name,
  cardTs: r.card_ts,
  announceChannel: r.announce_channel,
  announceTs: r.announce_ts,
  originChannel: r.origin_channel,
  originTs: r.origin_ts,
  openedAt: new Date(r.opened_at),
  resolvedAt: r.resolved_at ? new Date(r.resolved_at) : null,
  lastUpdateAt: r.last_update_at ? new Date(r.last_update_at) : null,
  summary: r.summary,
  cause: r.caused_by_source
    ? { source: r.caused_by_source, id: r.caused_by_id ?? '', confirmedBy: r.link_confirmed_by }
    : null,
  archivedAt: r.archived_at ? new Date(r.archived_at) : null,
});

const toNudgeState = (r: IncidentRow): NudgeState => ({
  severityNudges: r.severity_nudges,
  severityNudgedAt: r.severity_nudged_at,
  commanderNudges: r.commander_nudges,
  commanderNudgedAt: r.commander_nudged_at,
  updateRemindedAt: r.update_reminded_at,
  closureCheckedAt: r.closure_checked_at,
});

export interface NewIncident {
  requestKey: string;
  title: string;
  severity: IncidentSeverity | null;
  service: string | null;
  description: string | null;
  declaredBy: string;
  commander: string;
  origin?: { channel: string; ts: string };
  openedAt: Date;
  /** Its room will be a private channel: until that channel exists, nobody is shown the incident. */
  private?: boolean;
}

/** Who may see a private incident whose channel is still being created: nobody (no channel has this id). */
const ROOM_PENDING = 'pending';

export type ClaimResult = { created: true; incident: Incident } | { created: false; incident: Incident };

const DUPLICATE_WINDOW = '10 minutes';
/** A declaration takes seconds; one still without a channel after this was cut off. */
const ABANDONED_AFTER = '3 minutes';

/**
 * Records a declaration once. The same request (a redelivered submission), or the same title from the same person
 * while it is still open and recent (a double click), finds the incident already declared.
 */
export async function claimIncident(db: Db, input: NewIncident): Promise<ClaimResult> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`incident-declare:${input.declaredBy}`]);
    // A declaration still without a channel minutes later was cut off (a restart between this claim and the
    // channel): forgotten, so it neither blocks declaring the incident again nor stays listed as open without a room.
    const { rows: abandoned } = await tx.query<{ incident_id: string }>(
      `SELECT r.incident_id FROM incident_rooms r JOIN incidents i ON i.source = r.source AND i.external_id = r.incident_id
        WHERE r.channel_id IS NULL AND i.opened_at < $1::timestamptz - interval '${ABANDONED_AFTER}'`,
      [input.openedAt],
    );
    const ids = abandoned.map((r) => r.incident_id);
    if (ids.length) {
      await tx.query('DELETE FROM incident_timeline WHERE incident_id = ANY($1::text[])', [ids]);
      await tx.query('DELETE FROM incident_rooms WHERE incident_id = ANY($1::text[])', [ids]);
      await tx.query(`DELETE FROM incidents WHERE source = 'slack' AND external_id = ANY($1::text[])`, [ids]);
    }
    const existing = await tx.query<IncidentRow>(
      `${SELECT} WHERE r.request_key = $1
          OR (r.declared_by = $2 AND lower(i.title) = lower($3) AND i.status = 'open'
              AND i.opened_at > $4::timestamptz - interval '${DUPLICATE_WINDOW}')
        ORDER BY i.opened_at DESC LIMIT 1`,
      [input.requestKey, input.declaredBy, input.title, input.openedAt],
    );
    if (existing.rows[0]) return { created: false, incident: toIncident(existing.rows[0]) };
    const { rows } = await tx.query<{ n: string }>(`SELECT nextval('incident_numbers') AS n`);
    const number = Number(rows[0]?.n);
    const id = String(number);
    await tx.query(
      `INSERT INTO incidents (source, external_id, scope, title, severity, status, opened_at, updated_at)
       VALUES ('slack', $1, $2, $3, $4, 'open', $5, now())`,
      [id, input.service, input.title, input.severity, input.openedAt],
    );
    await tx.query(
      `INSERT INTO incident_rooms (incident_id, number, request_key, declared_by, service, description, commander,
                                   origin_channel, origin_ts, last_update_at, visible_in)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, $10)`,
      [
        id,
        number,
        input.requestKey,
        input.declaredBy,
        input.service,
        input.description,
        input.commander,
        input.origin?.channel ?? null,
        input.origin?.ts ?? null,
        input.private ? ROOM_PENDING : null,
      ],
    );
    const created = await tx.query<IncidentRow>(`${SELECT} WHERE r.incident_id = $1`, [id]);
    return { created: true, incident: toIncident(created.rows[0] as IncidentRow) };
  });
}

/** Undoes a declaration whose channel could not be created (nothing else refers to it yet). */
export async function forgetIncident(db: Db, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('DELETE FROM incident_timeline WHERE incident_id = $1', [id]);
    await tx.query('DELETE FROM incident_rooms WHERE incident_id = $1', [id]);
    await tx.query(`DELETE FROM incidents WHERE source = 'slack' AND external_id = $1`, [id]);
  });
}

export async function getIncident(db: Queryable, id: string): Promise<Incident | null> {
  const { rows } = await db.query<IncidentRow>(`${SELECT} WHERE r.incident_id = $1`, [id]);
  return rows[0] ? toIncident(rows[0]) : null;
}

/** An incident declared in Slack by its number (INC-12 is 12), with the channel whose members may see it. */
export async function incidentByNumber(
  db: Queryable,
  number: number,
): Promise<{ incident: Incident; visibleIn: string | null } | null> {
  const { rows } = await db.query<IncidentRow & { visible_in: string | null }>(`${SELECT} WHERE r.number = $1`, [
    number,
  ]);
  return rows[0] ? { incident: toIncident(rows[0]), visibleIn: rows[0].visible_in } : null;
}

export async function incidentInChannel(db: Queryable, channelId: string): Promise<Incident | null> {
  const { rows } = await db.query<IncidentRow>(`${SELECT} WHERE r.channel_id = $1`, [channelId]);
  return rows[0] ? toIncident(rows[0]) : null;
}

/** Open incidents with their nudge state, for the reminder job. */
export async function openIncidentsForReminders(
  db: Queryable,
): Promise<{ incident: Incident; state: NudgeState; cardRefreshedAt: Date | null }[]> {
  const { rows } = await db.query<IncidentRow>(
    `${SELECT} WHERE i.status = 'open' OR (r.archived_at IS NULL AND r.channel_id IS NOT NULL)
      ORDER BY r.number`,
  );
  return rows.map((r) => ({ incident: toIncident(r), state: toNudgeState(r), cardRefreshedAt: r.card_refreshed_at }));
}

const ROOM_COLUMNS = [
  'phase',
  'commander',
  'comms_lead',
  'scribe',
  'responders',
  'channel_id',
  'channel_name',
  'card_ts',
  'card_refreshed_at',
  'announce_channel',
  'announce_ts',
  'last_update_at',
  'summary',
  'postmortem',
  'archived_at',
  'visible_in',
] as const;
export type RoomFields = Partial<Record<(typeof ROOM_COLUMNS)[number], unknown>>;

export async function updateRoom(db: Queryable, id: string, fields: RoomFields): Promise<void> {
  const entries = Object.entries(fields).filter(([k]) => (ROOM_COLUMNS as readonly string[]).includes(k));
  if (!entries.length) return;
  await db.query(
    `UPDATE incident_rooms SET ${entries.map(([k], i) => `${k} = $${i + 2}`).join(', ')} WHERE incident_id = $1`,
    [id, ...entries.map(([, v]) => v)],
  );
}

export async function updateIncidentRecord(
  db: Queryable,
  id: string,
  fields: Partial<{
    severity: IncidentSeverity | null;
    status: 'open' | 'resolved';
    resolved_at: Date | null;
    caused_by_source: string | null;
    caused_by_id: string | null;
    link_confirmed_by: string | null;
    scope: string | null;
  }>,
): Promise<void> {
  const entries = Object.entries(fields);
  if (!entries.length) return;
  await db.query(
    `UPDATE incidents SET ${entries.map(([k], i) => `${k} = $${i + 2}`).join(', ')}, updated_at = now()
      WHERE source = 'slack' AND external_id = $1`,
    [id, ...entries.map(([, v]) => v)],
  );
}

/**
 * Marks an open incident resolved; false when it was not open any more (someone resolved it at the same moment:
 * their resolution, postmortem and time to restore stand, and this one adds nothing).
 */
export async function claimResolution(db: Queryable, id: string, resolvedAt: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE incidents SET status = 'resolved', resolved_at = $2, updated_at = now()
      WHERE source = 'slack' AND external_id = $1 AND status = 'open'`,
    [id, resolvedAt],
  );
  return rowCount === 1;
}

const NUDGE_COLUMNS: Record<Exclude<Reminder, 'archive'>, string> = {
  severity: 'severity_nudges = severity_nudges + 1, severity_nudged_at = $2',
  commander: 'commander_nudges = commander_nudges + 1, commander_nudged_at = $2',
  status_update: 'update_reminded_at = $2',
  closure_check: 'closure_checked_at = $2',
};
const NUDGE_GUARD: Record<Exclude<Reminder, 'archive'>, string> = {
  severity: 'severity_nudged_at IS NOT DISTINCT FROM $3',
  commander: 'commander_nudged_at IS NOT DISTINCT FROM $3',
  status_update: 'update_reminded_at IS NOT DISTINCT FROM $3',
  closure_check: 'closure_checked_at IS NOT DISTINCT FROM $3',
};

/** Records that a reminder went out, only if nobody (another replica) recorded it first. */
export async function claimReminder(
  db: Queryable,
  id: string,
  reminder: Exclude<Reminder, 'archive'>,
  previous: Date | null,
  now: Date,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE incident_rooms SET ${NUDGE_COLUMNS[reminder]} WHERE incident_id = $1 AND ${NUDGE_GUARD[reminder]}`,
    [id, now, previous],
  );
  return rowCount === 1;
}

// ---------------------------------------------------------------- timeline

interface TimelineRow {
  id: string;
  kind: TimelineKind;
  occurred_at: Date;
  author: string | null;
  text: string;
  files: TimelineFile[];
  source_ts: string | null;
  edited_at: Date | null;
  ticket: string | null;
}

const toEntry = (r: TimelineRow): TimelineEntry => ({
  id: Number(r.id),
  kind: r.kind,
  occurredAt: new Date(r.occurred_at),
  author: r.author,
  text: r.text,
  files: r.files ?? [],
  sourceTs: r.source_ts,
  editedAt: r.edited_at ? new Date(r.edited_at) : null,
  ticket: r.ticket,
});

export interface NewTimelineEntry {
  kind: TimelineKind;
  occurredAt: Date;
  author: string | null;
  text: string;
  files?: TimelineFile[];
  sourceTs?: string;
  /** An action item's owner (Slack user) and due date (YYYY-MM-DD). */
  owner?: string;
  dueOn?: string | null;
}

/** Adds an entry; a message already on the timeline is not added twice (returns null). */
export async function addTimelineEntry(
  db: Queryable,
  incidentId: string,
  entry: NewTimelineEntry,
): Promise<TimelineEntry | null> {
  const { rows } = await db.query<TimelineRow>(
    `INSERT INTO incident_timeline (incident_id, kind, occurred_at, author, text, files, source_ts, owner, due_on)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (incident_id, source_ts) WHERE source_ts IS NOT NULL
       DO UPDATE SET deleted_at = NULL WHERE incident_timeline.deleted_at IS NOT NULL
     RETURNING *`,
    [
      incidentId,
      entry.kind,
      entry.occurredAt,
      entry.author,
      entry.text,
      JSON.stringify(entry.files ?? []),
      entry.sourceTs ?? null,
      entry.owner ?? null,
      entry.dueOn ?? null,
    ],
  );
  return rows[0] ? toEntry(rows[0]) : null;
}

export interface OpenActionItem {
  id: number;
  incidentNumber: number;
  text: string;
  owner: string;
  dueOn: string | null;
  addedAt: Date;
  /** The private room whose members alone may read it; null when the incident is public. */
  visibleIn: string | null;
}

/** Action items not done yet, with their owner (whoever added one that names nobody); of `ids` only, when given. */
export async function openActionItems(db: Queryable, ids?: number[]): Promise<OpenActionItem[]> {
  const { rows } = await db.query<{
    id: string;
    number: number;
    text: string;
    owner: string;
    due_on: string | null;
    occurred_at: Date;
    visible_in: string | null;
  }>(
    `SELECT t.id, r.number, t.text, coalesce(t.owner, t.author) AS owner, t.due_on::text AS due_on, t.occurred_at,
            r.visible_in
       FROM incident_timeline t JOIN incident_rooms r ON r.incident_id = t.incident_id
      WHERE t.kind = 'action_item' AND t.deleted_at IS NULL AND t.done_at IS NULL
        AND coalesce(t.owner, t.author) IS NOT NULL AND ($1::bigint[] IS NULL OR t.id = ANY($1::bigint[]))
      ORDER BY t.id`,
    [ids ?? null],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    incidentNumber: r.number,
    text: r.text,
    owner: r.owner,
    dueOn: r.due_on,
    addedAt: new Date(r.occurred_at),
    visibleIn: r.visible_in,
  }));
}

/** Action items that left the open list (done, or deleted from the timeline), among `ids`. */
export async function closedActionItems(db: Queryable, ids: number[]): Promise<number[]> {
  if (!ids.length) return [];
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM incident_timeline WHERE id = ANY($1::bigint[]) AND (deleted_at IS NOT NULL OR done_at IS NOT NULL)`,
    [ids],
  );
  return rows.map((r) => Number(r.id));
}

/** Its owner said it is done (the Done button on their digest line). */
export async function markActionItemDone(db: Queryable, id: number): Promise<void> {
  await db.query(
    `UPDATE incident_timeline SET done_at = now() WHERE id = $1 AND kind = 'action_item' AND done_at IS NULL`,
    [id],
  );
}

export async function timelineOf(db: Queryable, incidentId: string): Promise<TimelineEntry[]> {
  const { rows } = await db.query<TimelineRow>(
    `SELECT * FROM incident_timeline WHERE incident_id = $1 AND deleted_at IS NULL ORDER BY occurred_at, id`,
    [incidentId],
  );
  return rows.map(toEntry);
}

export async function timelineEntry(
  db: Queryable,
  id: number,
): Promise<(TimelineEntry & { incidentId: string }) | null> {
  const { rows } = await db.query<TimelineRow & { incident_id: string }>(
    'SELECT * FROM incident_timeline WHERE id = $1 AND deleted_at IS NULL',
    [id],
  );
  return rows[0] ? { ...toEntry(rows[0]), incidentId: rows[0].incident_id } : null;
}

/**
 * A pinned message was edited: the entry shows the new text (and files), unless it already shows a later edit
 * (Slack delivers events out of order, and twice).
 */
export async function followEdit(
  db: Queryable,
  incidentId: string,
  sourceTs: string,
  text: string,
  files: TimelineFile[] | null,
  editedAt: Date,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE incident_timeline SET text = $3, files = coalesce($4::jsonb, files), edited_at = $5
      WHERE incident_id = $1 AND source_ts = $2 AND deleted_at IS NULL AND (edited_at IS NULL OR edited_at < $5)`,
    [incidentId, sourceTs, text, files ? JSON.stringify(files) : null, editedAt],
  );
  return rowCount === 1;
}

/** A pinned message was deleted or unpinned: the entry leaves the timeline. */
export async function dropMessageEntry(db: Queryable, incidentId: string, sourceTs: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE incident_timeline SET deleted_at = now() WHERE incident_id = $1 AND source_ts = $2 AND deleted_at IS NULL`,
    [incidentId, sourceTs],
  );
  return rowCount === 1;
}

/**
 * A channel message as the bot last heard it (from the Slack event log), or null when it never did or heard it
 * deleted (a pin handled after the deletion, as Slack may deliver them, must not bring a deleted message back).
 */
export async function heardMessage(
  db: Queryable,
  channel: string,
  ts: string,
): Promise<{ text: string; user: string | null; files: unknown } | null> {
  const { rows } = await db.query<{ actor: string | null; normalized: { text?: string; files?: unknown } }>(
    `SELECT actor, normalized FROM events WHERE source = 'slack' AND kind IN ('message', 'message_changed')
        AND external_id LIKE $1
        AND NOT EXISTS (SELECT 1 FROM events d WHERE d.source = 'slack' AND d.kind = 'message_deleted'
                                                  AND d.external_id LIKE $1)
      ORDER BY occurred_at DESC, id DESC LIMIT 1`,
    [`${channel}:${ts}:%`],
  );
  const row = rows[0];
  return row ? { text: row.normalized.text ?? '', user: row.actor || null, files: row.normalized.files } : null;
}

export async function setTicket(db: Queryable, entryId: number, ticket: string): Promise<void> {
  await db.query('UPDATE incident_timeline SET ticket = $2 WHERE id = $1', [entryId, ticket]);
}

// ---------------------------------------------------------------- lists and deployments

export interface IncidentListItem {
  source: string;
  id: string;
  title: string;
  severity: string | null;
  status: 'open' | 'resolved';
  openedAt: Date;
  resolvedAt: Date | null;
  url: string | null;
  channelId: string | null;
  number: number | null;
  phase: string | null;
  commander: string | null;
  /** The private incident channel whose members alone may see this incident; null when it is public. */
  visibleIn: string | null;
}

/** The private incident channels among the incidents `listIncidents` would list (open, or resolved recently). */
export async function privateIncidentChannels(db: Queryable, recentDays = 7): Promise<string[]> {
  const { rows } = await db.query<{ visible_in: string }>(
    `SELECT DISTINCT r.visible_in
       FROM incidents i JOIN incident_rooms r ON r.source = i.source AND r.incident_id = i.external_id
      WHERE r.visible_in IS NOT NULL AND r.visible_in <> '${ROOM_PENDING}'
        AND (i.status = 'open' OR i.resolved_at > now() - make_interval(days => $1))`,
    [recentDays],
  );
  return rows.map((r) => r.visible_in);
}

/**
 * Open incidents from every source, then those resolved within `recentDays`, newest first. With `visibleIn`, only
 * public ones and those of these private channels: filtered before the limit, so incidents a person may not see
 * never take the places of those they may.
 */
export async function listIncidents(
  db: Queryable,
  recentDays = 7,
  limit = 20,
  visibleIn?: string[],
): Promise<IncidentListItem[]> {
  const { rows } = await db.query<{
    source: string;
    external_id: string;
    title: string;
    severity: string | null;
    status: 'open' | 'resolved';
    opened_at: Date;
    resolved_at: Date | null;
    url: string | null;
    channel_id: string | null;
    number: number | null;
    phase: string | null;
    commander: string | null;
    visible_in: string | null;
  }>(
    `SELECT i.source, i.external_id, i.title, i.severity, i.status, i.opened_at, i.resolved_at, i.url,
            r.channel_id, r.number, r.phase, r.commander, r.visible_in
       FROM incidents i LEFT JOIN incident_rooms r ON r.source = i.source AND r.incident_id = i.external_id
      WHERE (i.status = 'open' OR i.resolved_at > now() - make_interval(days => $1))
        AND ($3::text[] IS NULL OR r.visible_in IS NULL OR r.visible_in = ANY($3::text[]))
      ORDER BY (i.status = 'open') DESC, i.opened_at DESC
      LIMIT $2`,
    [recentDays, limit, visibleIn ?? null],
  );
  return rows.map((r) => ({
    source: r.source,
    id: r.external_id,
    title: r.title,
    severity: r.severity,
    status: r.status,
    openedAt: new Date(r.opened_at),
    resolvedAt: r.resolved_at ? new Date(r.resolved_at) : null,
    url: r.url,
    channelId: r.channel_id,
    number: r.number,
    phase: r.phase,
    commander: r.commander,
    visibleIn: r.visible_in,
  }));
}

interface DeploymentRow {
  source: string;
  external_id: string;
  repo: string;
  sha: string | null;
  ref: string | null;
  finished_at: Date;
}
const toDeploy = (r: DeploymentRow): SuspectedDeploy => ({
  source: r.source,
  id: r.external_id,
  repo: r.repo,
  sha: r.sha,
  ref: r.ref,
  finishedAt: new Date(r.finished_at),
});

/**
 * Successful deployments that finished at or before `before`, newest first: of the affected service when one is
 * named (a repository "owner/service" or "service"), else of any repository.
 */
export async function recentDeployments(
  db: Queryable,
  before: Date,
  service: string | null,
  limit: number,
): Promise<SuspectedDeploy[]> {
  const { rows } = await db.query<DeploymentRow>(
    `SELECT source, external_id, repo, sha, ref, finished_at FROM deployments
      WHERE state = 'success' AND finished_at <= $1
        AND ($2::text IS NULL OR ${servesService('repo', '$2')})
      ORDER BY finished_at DESC LIMIT $3`,
    [before, service, limit],
  );
  return rows.map(toDeploy);
}

export async function deploymentById(db: Queryable, source: string, id: string): Promise<SuspectedDeploy | null> {
  const { rows } = await db.query<DeploymentRow>(
    'SELECT source, external_id, repo, sha, ref, finished_at FROM deployments WHERE source = $1 AND external_id = $2',
    [source, id],
  );
  return rows[0] ? toDeploy(rows[0]) : null;
}
