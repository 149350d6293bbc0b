import type { WebClient } from '@slack/web-api';
import { channelMembership } from '../slack/membership.js';
import type { Queryable } from '../store/db.js';

/**
 * The SQL condition that keeps a document (alias `d`) only if it is public or belongs to a channel the asker is in.
 * `param` is the position of the text[] parameter holding those channel ids.
 */
export const visibleToClause = (param: number) => `(d.visible_in IS NULL OR d.visible_in = ANY($${param}::text[]))`;

/** The private channels holding documents that `user` may read (membership from Slack, cached briefly). */
export async function visibleChannelsFor(
  db: Queryable,
  client: Pick<WebClient, 'conversations'> | undefined,
  user: string,
): Promise<string[]> {
  const { rows } = await db.query<{ visible_in: string }>(
    'SELECT DISTINCT visible_in FROM docs WHERE visible_in IS NOT NULL AND deleted_at IS NULL',
  );
  return channelMembership.visibleOf(
    client,
    rows.map((r) => r.visible_in),
    user,
  );
}
