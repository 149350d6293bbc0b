import type { Capability } from '../capabilities/capability.js';
import type { CapabilityModule } from '../kernel.js';
import { eventBusDrainJob } from './jobs.js';
import type { EventBus } from './service.js';
import { startEventBus } from './service.js';

/** The event bus (NATS JetStream): only a job, draining the outbox the database triggers fill. */
export function eventBusCapability(bus: EventBus, options: { drainEvery: string }): Capability {
  return { name: 'eventbus', jobs: [eventBusDrainJob(bus, options.drainEvery)] };
}

/** NATS_URL: the outbox triggers write from here on (and not at all without it); a job drains them to JetStream. */
export const eventBusModule: CapabilityModule = {
  name: 'eventbus',
  async start(k) {
    const bus = await startEventBus(k.db, k.logger, {
      url: k.config.NATS_URL,
      stream: k.config.NATS_STREAM,
      subjectPrefix: k.config.NATS_SUBJECT_PREFIX,
    });
    if (!bus) return undefined;
    k.onStop(() => bus.close());
    return {
      ...eventBusCapability(bus, { drainEvery: k.every(k.config.EVENT_BUS_DRAIN_MS) }),
      readiness: async () => ({ eventBus: await bus.health() }),
    };
  },
};
