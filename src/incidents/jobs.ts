import type { JobDefinition } from '../jobs/scheduler.js';
import type { IncidentService } from './service.js';

/**
 * Nudges, status-update reminders, the daily closure check, card refreshes and archiving. The state lives with each
 * incident, so a restart neither repeats a reminder nor forgets one.
 */
export function incidentsJob(service: IncidentService, every = '30 seconds'): JobDefinition {
  return {
    name: 'incidents:reminders',
    every,
    concurrency: 1,
    async run({ logger }) {
      const sent = await service.runReminders();
      if (sent) logger.info({ sent }, 'incident reminders sent');
    },
  };
}
