import type { WebClient } from '@slack/web-api';
import type { JobDefinition } from '../jobs/scheduler.js';
import type { Logger } from '../observability/logger.js';
import type { Queryable } from '../store/db.js';
import { markSlackChecked, peopleNeverChecked, peopleWithoutSlack } from './store.js';

/**
 * Finds the Slack user of each known person by e-mail (users.lookupByEmail, Tier 3), a few per run,
 * so reports can mention people and nudges reach them by DM. People not in Slack are re-checked daily.
 */
export function linkSlackUsersJob(slack: SlackClientOf, perRun = 40): JobDefinition {
  return {
    name: 'identity:link-slack',
    every: '15 minutes',
    async run({ db, logger }) {
      const client = clientOf(slack);
      if (client) await linkSlackUsers(client, db, logger, perRun);
    },
  };
}

/** A Slack client, or a way to get it once Slack is connected (undefined before, or without Slack). */
export type SlackClientOf = WebClient | (() => WebClient | undefined);
const clientOf = (slack: SlackClientOf) => (typeof slack === 'function' ? slack() : slack);

/**
 * Links people not checked yet (or not for a day) to their Slack users by e-mail; returns how many were linked.
 * Runs every 15 minutes and right after each sync that brought people never checked (see `linkAfterSync`).
 */
export async function linkSlackUsers(client: WebClient, db: Queryable, logger: Logger, perRun = 40): Promise<number> {
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
  return linked;
}

/**
 * A sync job that, when it brought people em-agent has never looked up, links them to Slack at once: on a fresh
 * install nobody waits 15 minutes to be mentioned in reports or reached by DM.
 */
export function linkAfterSync<T>(job: JobDefinition<T>, slack: SlackClientOf): JobDefinition<T> {
  return {
    ...job,
    async run(ctx, data) {
      await job.run(ctx, data);
      const client = clientOf(slack);
      if (client && (await peopleNeverChecked(ctx.db)) > 0) await linkSlackUsers(client, ctx.db, ctx.logger);
    },
  };
}
