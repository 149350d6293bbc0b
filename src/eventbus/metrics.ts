import { Counter, Gauge } from 'prom-client';
import { metrics } from '../observability/metrics.js';

export const eventBusPublished = new Counter({
  name: 'event_bus_published_total',
  help: 'Outbox rows JetStream acknowledged, by whether it had already stored the message id (duplicate)',
  labelNames: ['duplicate'] as const,
  registers: [metrics],
});

export const eventBusFailures = new Counter({
  name: 'event_bus_publish_failures_total',
  help: 'Drain runs stopped by NATS (unreachable, no acknowledgement in time, refused); their rows wait for the next',
  registers: [metrics],
});

export const eventBusPending = new Gauge({
  name: 'event_bus_outbox_pending',
  help: 'Outbox rows waiting to be published, after the last drain',
  registers: [metrics],
});

export const eventBusLag = new Gauge({
  name: 'event_bus_outbox_lag_seconds',
  help: 'How long the oldest waiting outbox row has waited, after the last drain',
  registers: [metrics],
});
