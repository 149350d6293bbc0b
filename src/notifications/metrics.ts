import { Counter, Gauge } from 'prom-client';
import { metrics } from '../observability/metrics.js';

export const notificationsSent = new Counter({
  name: 'notifications_sent_total',
  help: 'DMs the notification pipeline sent, by kind (digest, review_requested, approval, report, nudge, ...)',
  labelNames: ['kind'] as const,
  registers: [metrics],
});

export const notificationsDeferred = new Counter({
  name: 'notifications_deferred_total',
  help: 'Notifications held for the digest instead of real time, by why (backfill, cap, quiet hours, paused, ...)',
  labelNames: ['why'] as const,
  registers: [metrics],
});

export const notificationsSnoozed = new Counter({
  name: 'notifications_snoozes_total',
  help: 'Snooze clicks',
  registers: [metrics],
});

export const notificationsMuted = new Counter({
  name: 'notifications_mutes_total',
  help: 'Mute clicks, and notifications dropped because their rule is muted',
  registers: [metrics],
});

export const notificationsPerPersonDay = new Gauge({
  name: 'notifications_dms_per_person_day',
  help: 'DMs (digests and real time) per person over the last working day, among people who got any: p50, p95, max',
  labelNames: ['stat'] as const,
  registers: [metrics],
});
