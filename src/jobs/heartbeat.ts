import type { JobDefinition } from './scheduler.js';

/** Proves the scheduler runs: each worker records when it last beat and how many times. */
export function heartbeatJob(workerName: string, every = '1 minute'): JobDefinition {
  return {
    name: 'heartbeat',
    every,
    async run({ db }) {
      await db.query(
        `INSERT INTO heartbeats (worker, beat_at, beats) VALUES ($1, now(), 1)
         ON CONFLICT (worker) DO UPDATE SET beat_at = now(), beats = heartbeats.beats + 1`,
        [workerName],
      );
    },
  };
}
