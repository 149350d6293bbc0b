import type { Capability } from '../capabilities/capability.js';
import { eventBusDrainJob } from './jobs.js';
import type { EventBus } from './service.js';

/** The event bus (NATS JetStream): only a job, draining the outbox the database triggers fill. */
export function eventBusCapability(bus: EventBus, options: { drainEvery: string }): Capability {
  return { name: 'eventbus', jobs: [eventBusDrainJob(bus, options.drainEvery)] };
}
