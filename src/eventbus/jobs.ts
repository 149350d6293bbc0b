import type { JobDefinition } from '../jobs/scheduler.js';
import type { EventBus } from './service.js';

/** Every few seconds, on one replica at a time: publishes what the outbox holds, until it is empty or NATS fails. */
export function eventBusDrainJob(bus: EventBus, every: string): JobDefinition {
  return {
    name: 'eventbus:drain',
    every,
    // A drain catching up after an outage renews its lock between batches; a crashed one frees the job soon.
    lockLifetimeMs: 60_000,
    async run({ logger, touch }) {
      const result = await bus.drain({ touch });
      if (result.published) logger.debug({ ...result }, 'event bus: published');
    },
  };
}
