import type { WebClient } from '@slack/web-api';
import { readableText } from '../../blocks/text.js';
import type { DigestFeed } from '../capabilities/capability.js';
import { channelMembership } from '../slack/membership.js';
import type { Queryable } from '../store/db.js';
import { closedActionItems, markActionItemDone, type OpenActionItem, openActionItems } from './store.js';

/** Whether `reader` may read the item: any incident's when public, a private room's when they are in the room. */
async function mayRead(item: OpenActionItem, reader: string, slack: () => WebClient | undefined): Promise<boolean> {
  if (!item.visibleIn) return true;
  const client = slack();
  return client ? channelMembership.isMember(client, item.visibleIn, reader) : false;
}

/** The item's line for `reader`: its text, or, from a private room they are not in, only that there is one. */
async function titleOf(item: OpenActionItem, reader: string, slack: () => WebClient | undefined): Promise<string> {
  const label = `INC-${item.incidentNumber}`;
  // Stored escaped for Slack; the digest escapes titles itself.
  if (await mayRead(item, reader, slack)) return `${label}: ${readableText(item.text)}`;
  return reader === item.owner
    ? `${label}: an action item for you from a private incident you are not in (its commander can add you)`
    : `${label}: an action item from a private incident you are not in`;
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
        items.push({
          key: String(a.id),
          recipient: a.owner,
          group: 'incidents',
          title: await titleOf(a, a.owner, slack),
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
    // Escalated to a lead: the text only when the lead may read the incident.
    titleFor: async (key, reader) => {
      const [item] = await openActionItems(db, [Number(key)]);
      return item ? titleOf(item, reader, slack) : undefined;
    },
  };
}
