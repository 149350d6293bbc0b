import type { JobDefinition } from '../jobs/scheduler.js';
import { purgeDeliveries } from './store.js';

/** Forgets delivery keys older than a day: Slack stops redelivering long before that. */
export const purgeSlackDeliveriesJob: JobDefinition = {
  name: 'slack-deliveries-purge',
  every: '1 hour',
  async run({ db, logger }) {
    const purged = await purgeDeliveries(db, 24);
    if (purged) logger.info({ purged }, 'old Slack delivery keys purged');
  },
};
