import type { DigestFeed } from '../capabilities/capability.js';
import type { Queryable } from '../store/db.js';
import { closedActionItems, markActionItemDone, openActionItems } from './store.js';

/** Incident timeline text is stored escaped for Slack; the digest escapes titles itself. */
const decodeEntities = (text: string) => text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');

/** Open incident action items, each in its owner's digest ("Incident action items"); Done there marks it done. */
export function actionItemsFeed(db: Queryable): DigestFeed {
  return {
    name: 'incident_action',
    open: async () =>
      (await openActionItems(db)).map((a) => ({
        key: String(a.id),
        recipient: a.owner,
        group: 'incidents',
        title: `INC-${a.incidentNumber}: ${decodeEntities(a.text)}`,
        reason: {
          rule: 'incidents',
          kind: 'incident_action',
          text: a.dueOn ? `action item due ${a.dueOn}` : 'open action item',
          since: a.addedAt.toISOString(),
        },
      })),
    closed: async (keys) => (await closedActionItems(db, keys.map(Number))).map(String),
    done: (key) => markActionItemDone(db, Number(key)),
  };
}
