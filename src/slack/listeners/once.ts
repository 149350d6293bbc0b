import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import { Counter } from 'prom-client';
import { metrics } from '../../observability/metrics.js';
import { deliveryKey } from '../deliveries.js';
import type { SlackDeps } from '../deps.js';
import { claimDelivery } from '../store.js';

const slackDeliveries = new Counter({
  name: 'slack_deliveries_total',
  help: 'Slack deliveries with effects, by whether they were new or a redelivery',
  labelNames: ['outcome'] as const,
  registers: [metrics],
});

/**
 * True the first time this event or interaction is seen, across restarts and replicas.
 * Listeners ack first (Slack's 3 s deadline) and call this right before their first side effect:
 * an immediate reply is pure and may be sent again; the side effects happen once.
 */
export async function firstDelivery(deps: SlackDeps, body: unknown): Promise<boolean> {
  const key = deliveryKey(body as Record<string, unknown>);
  if (!key) return true;
  let first = true;
  try {
    first = await claimDelivery(deps.db, key);
  } catch (err) {
    // Without the store we cannot tell; acting twice beats not acting.
    deps.logger.error({ err }, 'could not record a Slack delivery; handling it anyway');
  }
  slackDeliveries.inc({ outcome: first ? 'new' : 'redelivery' });
  if (!first) deps.logger.info({ key }, 'redelivered Slack envelope: no second effect');
  return first;
}

/**
 * Events whose handling may simply run again: publishing Home twice shows the same dashboard, forgetting a channel's
 * members twice asks Slack once more. Claiming them would put a database write in front of what must happen at once:
 * the dashboard a person is waiting for, and withdrawing a channel's private material from someone who left it
 * (under load, a command sent right after leaving was answered before the write was done).
 */
const REPEATABLE_EVENTS = new Set(['app_home_opened', 'member_left_channel']);

/** Events are acked by Bolt before any middleware runs, so they can be claimed before the listeners. */
export function onceEvents(deps: SlackDeps): Middleware<AnyMiddlewareArgs> {
  return async ({ body, next }) => {
    const envelope = body as { type?: string; event?: { type?: string } };
    if (envelope.type !== 'event_callback' || REPEATABLE_EVENTS.has(envelope.event?.type ?? '')) return next();
    if (await firstDelivery(deps, body)) await next();
  };
}
