import type { WebClient } from '@slack/web-api';
import type { JobDefinition } from '../jobs/scheduler.js';
import { markSlackChecked, peopleWithoutSlack } from './store.js';

/**
 * Finds the Slack user of each known person by e-mail (users.lookupByEmail, Tier 3), a few per run,
 * so reports can mention people and nudges reach them by DM. People not in Slack are re-checked daily.
 */
export function linkSlackUsersJob(slack: WebClient | (() => WebClient | undefined), perRun = 40): JobDefinition {
  return {
    name: 'identity:link-slack',
    every: '15 minutes',
    async run({ db, logger }) {
      const client = typeof slack === 'function' ? slack() : slack;
      if (!client) return;
      let linked = 0;
      for (const email of await peopleWithoutSlack(db, perRun)) {
        try {
          const { user } = await client.users.lookupByEmail({ email });
          await markSlackChecked(db, email, user?.id ?? null);
          if (user?.id) linked += 1;
        } catch (err) {
          if ((err as { data?: { error?: string } }).data?.error === 'users_not_found') {
            await markSlackChecked(db, email, null);
            continue;
          }
          logger.warn({ err }, 'Slack lookup failed; the rest waits for the next run');
          break;
        }
      }
      if (linked) logger.info({ linked }, 'people linked to Slack users');
    },
  };
}
