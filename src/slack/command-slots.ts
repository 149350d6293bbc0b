import pLimit, { type LimitFunction } from 'p-limit';
import { Gauge } from 'prom-client';
import { metrics } from '../observability/metrics.js';

const waiting = new Gauge({
  name: 'slack_commands_waiting',
  help: '/em commands acked and waiting for a slot to run (more than a few for long: raise COMMAND_CONCURRENCY)',
  registers: [metrics],
});

/** The default: a few reports build side by side; more would only take turns with each other and with the acks. */
export const COMMAND_CONCURRENCY = 4;

/**
 * At most `concurrency` `/em` commands do their work at once; the rest are acked at once and wait their turn, in
 * order. Fifty reports building together would take turns on one event loop and hold up every ack behind them.
 */
export function commandSlots(concurrency: number): <T>(work: () => Promise<T>) => Promise<T> {
  const limit: LimitFunction = pLimit(concurrency);
  return (work) => {
    waiting.inc();
    return limit(() => {
      waiting.dec();
      return work();
    });
  };
}
