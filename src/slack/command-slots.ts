import pLimit from 'p-limit';
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
export interface CommandSlots {
  /** Runs `work` in its turn; once the slots are closed, a command that has not begun runs `instead`. */
  <T>(work: () => Promise<T>, instead: () => Promise<T>): Promise<T>;
  /**
   * The process is stopping: nothing more begins, and every command still waiting is answered by its `instead` at
   * once (its person was told "working on it" and would otherwise wait for nothing).
   */
  close(): void;
}

export function commandSlots(concurrency: number): CommandSlots {
  const limit = pLimit(concurrency);
  let closed = false;
  const cancels = new Set<() => void>();
  const inTurn = <T>(work: () => Promise<T>, instead: () => Promise<T>): Promise<T> => {
    if (closed) return instead();
    waiting.inc();
    return new Promise<T>((resolve, reject) => {
      // Begun or answered by `instead`, whichever comes first; the other then does nothing.
      let taken = false;
      const take = (what: () => Promise<T>) => {
        if (taken) return;
        taken = true;
        cancels.delete(cancel);
        waiting.dec();
        return what().then(resolve, reject);
      };
      const cancel = () => void take(instead);
      cancels.add(cancel);
      void limit(() => take(work));
    });
  };
  return Object.assign(inTurn, {
    close() {
      closed = true;
      for (const cancel of [...cancels]) cancel();
    },
  });
}
