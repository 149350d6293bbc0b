import pRetry from 'p-retry';
import { ZodError } from 'zod';
import type { SlackSurfaceOf } from '../slack/deps.js';
import { type EventArgs, slackTsDate } from '../slack/listeners/events.js';
import type { EventInput } from './event.js';
import { insertEvents } from './store.js';

type Deps = Parameters<SlackSurfaceOf>[0];

const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Whether a failed write lost the database rather than being refused by it: node's network errors, SQLSTATE class
 * 08 (connection exception) and 57P01-57P03 (shut down, crashed, starting up), and the driver's own connection
 * errors, which carry no code. A refusal (a constraint, bad data) would fail the same way every time.
 */
function connectionLost(err: unknown): boolean {
  if (err instanceof ZodError) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string') return true;
  return NETWORK_ERRORS.has(code) || code.startsWith('08') || ['57P01', '57P02', '57P03'].includes(code);
}

/**
 * Bolt acknowledges an event before its listener runs, so Slack never sends it again: a write that fails because
 * the database is away (restarting, a failover) is tried again here for about half a minute before it is logged
 * as lost.
 */
async function keep(deps: Deps, event: EventInput): Promise<void> {
  // p-retry retries Error instances only; a driver's connection error may be another kind of value.
  const attempt = () =>
    insertEvents(deps.db, [event]).catch((err: unknown) => {
      throw err instanceof Error ? err : new Error(String(err));
    });
  await pRetry(attempt, { retries: 5, minTimeout: 1000, factor: 2, shouldRetry: connectionLost }).catch((err) =>
    deps.logger.error({ err, event: event.externalId }, 'a Slack event could not be stored and is lost'),
  );
}

/** Channel messages are kept as events (incident timelines and history read them). */
function messageRecorded(deps: Deps) {
  return async ({ event }: EventArgs<'message'>) => {
    const e = event as unknown as Record<string, unknown> & { channel: string; ts: string; subtype?: string };
    const changed = e.subtype === 'message_changed' ? (e.message as Record<string, unknown>) : undefined;
    const kind =
      e.subtype === 'message_changed'
        ? 'message_changed'
        : e.subtype === 'message_deleted'
          ? 'message_deleted'
          : 'message';
    await keep(deps, {
      source: 'slack',
      kind,
      externalId: `${e.channel}:${String(changed?.ts ?? e.deleted_ts ?? e.ts)}:${e.ts}`,
      occurredAt: slackTsDate(e.ts),
      actor: String(changed?.user ?? e.user ?? ''),
      subject: e.channel,
      normalized: { text: changed?.text ?? e.text ?? null, thread_ts: e.thread_ts ?? null, files: e.files ?? null },
      raw: e,
    });
  };
}

function reactionRecorded(deps: Deps) {
  return async ({ event }: EventArgs<'reaction_added'>) => {
    const item = event.item as { channel?: string; ts?: string };
    await keep(deps, {
      source: 'slack',
      kind: 'reaction_added',
      externalId: `${item.channel}:${item.ts}:${event.user}:${event.reaction}`,
      occurredAt: slackTsDate(event.event_ts),
      actor: event.user,
      subject: item.channel ?? null,
      normalized: { reaction: event.reaction, channel: item.channel, ts: item.ts },
      raw: event,
    });
  };
}

/** Slack is a source too: channel messages, edits, deletions and reactions go to the event log first. */
export const slackEventLog: SlackSurfaceOf = (deps) => ({
  events: { message: messageRecorded(deps), reaction_added: reactionRecorded(deps) },
});
