import type { WebClient } from '@slack/web-api';
import { readableText } from '../../blocks/text.js';
import type { DigestFeed } from '../capabilities/capability.js';
import { channelMembership } from '../slack/membership.js';
import type { Queryable } from '../store/db.js';
import { closedActionItems, markActionItemDone, type OpenActionItem, openActionItems } from './store.js';

/** Whether the item's owner may read it: any incident's when public, a private room's when they are in the room. */
async function ownerMayRead(item: OpenActionItem, slack: () => WebClient | undefined): Promise<boolean> {
  if (!item.visibleIn) return true;
  const client = slack();
  return client ? channelMembership.isMember(client, item.visibleIn, item.owner) : false;
}

/**
 * Open incident action items, each in its owner's digest ("Incident action items"); Done there marks it done. An
 * owner named in a private incident's room who is not in it learns they have one, not what it says.
 */
export function actionItemsFeed(db: Queryable, slack: () => WebClient | undefined = () => undefined): DigestFeed {
  return {
    name: 'incident_action',
    open: async () => {
      const items = [];
      for (const a of await openActionItems(db)) {
        const label = `INC-${a.incidentNumber}`;
        items.push({
          key: String(a.id),
          recipient: a.owner,
          group: 'incidents',
          title: (await ownerMayRead(a, slack))
            ? `${label}: ${readableText(a.text)}` // stored escaped for Slack; the digest escapes titles itself
            : `${label}: an action item for you from a private incident you are not in (its commander can add you)`,
          reason: {
            rule: 'incidents',
            kind: 'incident_action',
            text: a.dueOn ? `action item due ${a.dueOn}` : 'open action item',
            since: a.addedAt.toISOString(),
          },
        });
      }
      return items;
    },
    closed: async (keys) => (await closedActionItems(db, keys.map(Number))).map(String),
    done: (key) => markActionItemDone(db, Number(key)),
  };
}
