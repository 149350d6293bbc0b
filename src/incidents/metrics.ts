import { Counter, Histogram } from 'prom-client';
import { metrics } from '../observability/metrics.js';

export const incidentsDeclared = new Counter({
  name: 'incidents_declared_total',
  help: 'Incidents declared in Slack, by severity at declaration',
  labelNames: ['severity'] as const,
  registers: [metrics],
});

export const incidentTimeToRestore = new Histogram({
  name: 'incident_time_to_restore_seconds',
  help: 'Seconds from declaration to resolution of incidents run in Slack',
  buckets: [300, 900, 1800, 3600, 4 * 3600, 24 * 3600, 7 * 24 * 3600],
  registers: [metrics],
});

export const incidentReminders = new Counter({
  name: 'incident_reminders_total',
  help: 'Co-pilot nudges and reminders sent, by kind (severity, commander, status_update, closure_check, archive)',
  labelNames: ['kind'] as const,
  registers: [metrics],
});

export const incidentMessageChanges = new Counter({
  name: 'incident_message_changes_total',
  help: 'message_changed events in incident channels: applied (a newer edit), ignored (older than the entry shows, a redelivery, or not on the timeline) or unfurl (no edit)',
  labelNames: ['outcome'] as const,
  registers: [metrics],
});
