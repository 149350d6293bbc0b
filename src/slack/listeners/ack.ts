import type { AckFn, AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import { Counter } from 'prom-client';
import { metrics } from '../../observability/metrics.js';
import { claimDelivery, deliveryKey, rememberAck, rememberedAck } from '../deliveries.js';
import type { SlackDeps } from '../deps.js';

const slackDeliveries = new Counter({
  name: 'slack_deliveries_total',
  help: 'Envelopes received from Slack, by whether they were new or a redelivery',
  labelNames: ['outcome'] as const,
  registers: [metrics],
});

/**
 * Global middleware: the first delivery of an event or interaction goes on to the listeners;
 * a redelivery is acked with the reply the first one gave and has no other effect.
 */
export function dedupeDeliveries(deps: SlackDeps): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const { body, next } = args;
    const ack = (args as { ack?: AckFn<unknown> }).ack;
    const key = deliveryKey(body as Record<string, unknown>);
    if (!key) return next();
    let first = true;
    try {
      first = await claimDelivery(deps.db, key);
    } catch (err) {
      // Without the store we cannot tell; answering twice beats not answering.
      deps.logger.error({ err }, 'could not record a Slack delivery; handling it anyway');
    }
    if (first) {
      slackDeliveries.inc({ outcome: 'new' });
      return next();
    }
    slackDeliveries.inc({ outcome: 'redelivery' });
    deps.logger.info({ key }, 'redelivered Slack envelope ignored');
    if (ack) await ack((await rememberedAck(deps.db, key).catch(() => undefined)) as never);
  };
}

/** Acks with `payload` and keeps it, so that a redelivery of the same envelope gets the same answer. */
export async function ackWith(
  deps: SlackDeps,
  body: unknown,
  ack: AckFn<never> | AckFn<unknown>,
  payload?: Record<string, unknown>,
): Promise<void> {
  await (ack as AckFn<unknown>)(payload);
  const key = deliveryKey(body as Record<string, unknown>);
  if (key && payload)
    await rememberAck(deps.db, key, payload).catch((err) => deps.logger.warn({ err }, 'ack not remembered'));
}
