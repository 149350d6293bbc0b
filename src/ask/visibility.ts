import type { WebClient } from '@slack/web-api';
import { channelMembership } from '../slack/membership.js';
import type { Queryable } from '../store/db.js';
import { privateDocChannels } from './store.js';

/** The private channels holding documents that `user` may read (membership from Slack, cached briefly). */
export async function visibleChannelsFor(
  db: Queryable,
  client: Pick<WebClient, 'conversations'> | undefined,
  user: string,
): Promise<string[]> {
  return channelMembership.visibleOf(client, await privateDocChannels(db), user);
}
