import { userText } from '../../blocks/text.js';
import type { IncidentFlow } from './flow.js';
import { incidentMessageChanges } from './metrics.js';
import { type TimelineFile, timelineFiles } from './model.js';
import { addTimelineEntry, dropMessageEntry, followEdit, heardMessage, incidentInChannel } from './store.js';

/** The message as it is now: from Slack (it may have been edited), else as the bot heard it. */
async function readMessage(flow: IncidentFlow, channel: string, ts: string) {
  try {
    const found = await flow.slack().message(channel, ts);
    if (found) return { ...found, files: timelineFiles(found.files) };
  } catch (err) {
    flow.logger.info({ err, channel }, 'conversations.history failed; using the stored message');
  }
  const heard = await heardMessage(flow.db, channel, ts);
  return heard ? { ...heard, files: timelineFiles(heard.files) } : null;
}

/** A :pushpin: on a message in an incident channel puts it on the timeline, at the time it was posted. */
export async function pinMessage(flow: IncidentFlow, channel: string, ts: string, pinnedBy: string): Promise<boolean> {
  const incident = await incidentInChannel(flow.db, channel);
  if (!incident) return false;
  const message = await readMessage(flow, channel, ts);
  if (!message) {
    flow.logger.info({ channel, ts }, 'pinned message not found');
    return false;
  }
  const added = await addTimelineEntry(flow.db, incident.id, {
    kind: 'pinned',
    occurredAt: new Date(Math.round(Number(ts) * 1000)),
    author: message.user ?? pinnedBy,
    text: userText(message.text || '(no text)'),
    files: message.files,
    sourceTs: ts,
  });
  if (added)
    await flow
      .slack()
      .react(channel, ts, 'spiral_note_pad')
      .catch(() => undefined);
  return Boolean(added);
}

/** Taking the :pushpin: off a message (or deleting it) takes it off the timeline. */
export async function unpinMessage(flow: IncidentFlow, channel: string, ts: string): Promise<boolean> {
  const incident = await incidentInChannel(flow.db, channel);
  return incident ? dropMessageEntry(flow.db, incident.id, ts) : false;
}

/** A message changed; `editedAt` is null when no person edited it (Slack unfurled a link). */
export async function messageEdited(
  flow: IncidentFlow,
  channel: string,
  ts: string,
  text: string,
  files: TimelineFile[] | null,
  editedAt: Date | null,
): Promise<boolean> {
  const incident = await incidentInChannel(flow.db, channel);
  if (!incident) return false;
  if (!editedAt) {
    incidentMessageChanges.inc({ outcome: 'unfurl' });
    return false;
  }
  const applied = await followEdit(flow.db, incident.id, ts, userText(text), files, editedAt);
  incidentMessageChanges.inc({ outcome: applied ? 'applied' : 'ignored' });
  return applied;
}
