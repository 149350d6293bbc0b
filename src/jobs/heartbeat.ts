import type { JobDefinition } from './scheduler.js';
import { recordHeartbeat } from './store.js';

/** Proves the scheduler runs: each worker records when it last beat and how many times. */
export function heartbeatJob(workerName: string, every = '1 minute'): JobDefinition {
  return {
    name: 'heartbeat',
    every,
    async run({ db }) {
      await recordHeartbeat(db, workerName);
    },
  };
}
