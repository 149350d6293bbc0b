import type { JobDefinition } from '../jobs/scheduler.js';
import type { NotificationService } from './service.js';

/**
 * Every minute: digests that are due (each person's time, working days), after escalating what waited too long; then
 * the DMs-per-person-day percentiles of the last working day for /metrics.
 */
export function notificationsJob(service: NotificationService, every = '1 minute'): JobDefinition {
  return {
    name: 'notifications:digest',
    every,
    async run({ logger }) {
      const sent = await service.sendDigests();
      if (sent) logger.info({ sent }, 'digests sent');
      await service.updateDayMetrics();
    },
  };
}
