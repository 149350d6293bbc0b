import type { ZodType } from 'zod';
import type { Logger } from '../observability/logger.js';
import type { Db, Queryable } from '../store/db.js';
import { isDataError } from '../store/well-formed.js';
import type { EventInput } from './event.js';
import { rejectionReason } from './rejection.js';
import { insertEvents, setCursor } from './store.js';

// Every connector ingests the same way: a page of raw records is validated against the documented shape, a record
// that breaks it is rejected (counted, and named by its id and the field at fault for /em sources, never by its
// body), each good record's events and rows are written in one transaction, and the cursor moves only once the
// page is stored, so a crash resumes from the last stored page.

/** A record found unusable after it parsed (say its history is malformed): thrown by `details`, it is rejected. */
export class RejectedRecord extends Error {
  constructor(
    readonly reason: string,
    /** The log line, e.g. "malformed Jira changelog; issue skipped". */
    readonly what: string,
  ) {
    super(reason);
  }
}

/** What a long sync is given by its job. */
export interface SyncPace {
  /** Keeps the job's lock alive during a long backfill. */
  heartbeat?: () => Promise<void>;
  /**
   * Aborted when the process stops: the sync ends at its next safe point (between records; what is stored stays,
   * and the cursor only ever points at stored pages), so the next run goes on from there (a Linear pass, whose
   * pages are not in update order, from its next page).
   */
  signal?: AbortSignal;
}

/** One run of one scope: what it stored and rejected, as `/em sources` shows it. */
export class IngestRun {
  stored = 0;
  rejected = 0;
  /** The last rejected record and the field at fault. */
  lastSkip: string | null = null;

  constructor(
    readonly db: Db,
    readonly logger: Logger,
    /** Said with every rejection (the repository, the space...). */
    readonly context: Record<string, unknown> = {},
    private readonly pace: SyncPace = {},
  ) {}

  heartbeat(): Promise<void> {
    return this.pace.heartbeat?.() ?? Promise.resolve();
  }

  /** Throws the stop's reason when the process is stopping (see `SyncPace.signal`). */
  stopIfStopping(): void {
    this.pace.signal?.throwIfAborted();
  }

  /** The one place a record is rejected: counted, named (id and field, never the body) and logged. */
  reject(reason: string, what: string): void {
    this.rejected += 1;
    this.lastSkip = reason;
    this.logger.warn({ ...this.context, reason }, what);
  }

  /** The record as its schema reads it, or undefined when it is malformed (then rejected by its id). */
  parse<T>(schema: ZodType<T>, raw: unknown, id: unknown, what: string): T | undefined {
    const parsed = schema.safeParse(raw);
    if (parsed.success) return parsed.data;
    this.reject(rejectionReason(id, parsed.error), `malformed ${what} skipped`);
    return undefined;
  }

  /** The records of a list that match their schema, each with its raw payload; the others are rejected. */
  valid<T>(schema: ZodType<T>, items: readonly unknown[], idOf: (raw: unknown) => unknown, what: string) {
    return items.flatMap((raw) => {
      const value = this.parse(schema, raw, idOf(raw), what);
      return value === undefined ? [] : [{ value, raw }];
    });
  }

  /**
   * Writes one record in one transaction: its events first (stored once by natural key), then its rows. A value
   * the database refuses (a data error) rejects the record and the run goes on; any other failure fails the run.
   */
  async store(key: string, what: string, events: EventInput[], write: (tx: Queryable) => Promise<void>) {
    return this.db
      .transaction(async (tx) => {
        if (events.length) await insertEvents(tx, events);
        await write(tx);
      })
      .then(
        () => true,
        (err: unknown) => {
          if (!isDataError(err)) throw err;
          this.reject(`${key}: ${(err as Error).message}`.slice(0, 300), `${what} the database cannot store skipped`);
          return false;
        },
      );
  }

  /** What the job records for `/em sources`. */
  tally(): { rejected: number; lastSkip: string | null } {
    return { rejected: this.rejected, lastSkip: this.lastSkip };
  }
}

/** One page of raw records and how its records are read and stored. */
export interface PageOf<T, D> {
  /** As people say it: "Jira issue", "pull request". */
  what: string;
  records: readonly unknown[];
  schema: ZodType<T>;
  /** The raw record's id, to name a malformed one. */
  idOf: (raw: unknown) => unknown;
  /** The parsed record's key, to name one the database refuses. */
  keyOf: (record: T) => string;
  /** The page ends at the first record for which this is true (older than the cursor, say); it is not stored. */
  until?: (record: T) => boolean;
  /** Drops what needs no writing (already stored as it is): one look-up for the page. */
  fresh?: (records: T[]) => Promise<T[]>;
  /** What must be read before a record is stored (its history, its details); may throw RejectedRecord. */
  details?: (record: T) => Promise<D>;
  /** How many records' details are read at once (default 1: one after the other). */
  concurrency?: number;
  events?: (record: T, raw: unknown, details: D) => EventInput[];
  /** The record's rows, through its store, in the record's transaction. */
  upsert: (tx: Queryable, record: T, raw: unknown, details: D) => Promise<void>;
  /** Called for each record stored (to follow the newest, say). */
  stored?: (record: T, details: D) => void;
  /** Where the cursor goes once the page is stored; undefined leaves it. */
  cursor?: { source: string; scope: string; value: () => unknown };
}

/**
 * Validates, rejects and counts, writes events and rows, then moves the cursor. True when the page ended early
 * (`until` matched): there is nothing newer to read after it.
 */
export async function ingestPage<T, D = undefined>(run: IngestRun, page: PageOf<T, D>): Promise<{ ended: boolean }> {
  const parsed: { record: T; raw: unknown }[] = [];
  let ended = false;
  for (const raw of page.records) {
    const record = run.parse(page.schema, raw, page.idOf(raw), page.what);
    if (record === undefined) continue;
    if (page.until?.(record)) {
      ended = true;
      break;
    }
    parsed.push({ record, raw });
  }
  const wanted = page.fresh ? new Set(await page.fresh(parsed.map((p) => p.record))) : undefined;
  const todo = wanted ? parsed.filter((p) => wanted.has(p.record)) : parsed;
  const step = page.concurrency ?? 1;
  for (let start = 0; start < todo.length; start += step) {
    run.stopIfStopping();
    const batch = todo.slice(start, start + step);
    const details = await Promise.all(
      batch.map((p) =>
        (page.details?.(p.record) ?? Promise.resolve(undefined as D)).then(
          (value) => ({ ok: true as const, value }),
          (err: unknown) => {
            if (!(err instanceof RejectedRecord)) throw err;
            return { ok: false as const, err };
          },
        ),
      ),
    );
    for (const [i, { record, raw }] of batch.entries()) {
      const detail = details[i];
      if (!detail) continue;
      if (!detail.ok) {
        run.reject(detail.err.reason, detail.err.what);
        continue;
      }
      const events = page.events?.(record, raw, detail.value) ?? [];
      const ok = await run.store(page.keyOf(record), page.what, events, (tx) =>
        page.upsert(tx, record, raw, detail.value),
      );
      if (!ok) continue;
      run.stored += 1;
      page.stored?.(record, detail.value);
    }
  }
  if (page.cursor) {
    const value = page.cursor.value();
    if (value !== undefined) await setCursor(run.db, page.cursor.source, page.cursor.scope, value);
  }
  await run.heartbeat();
  return { ended };
}
