import { statusUpdateMessage } from '../../blocks/incidents/card.js';
import { graphemePrefix, userText } from '../../blocks/text.js';
import { describeSlackError } from '../slack/errors.js';
import type { IncidentFlow } from './flow.js';
import { type Incident, type IncidentSeverity, incidentLabel, type Phase } from './model.js';
import { resolveIncident } from './resolve.js';
import { pageOnCall, refreshRoom } from './room.js';
import { addTimelineEntry, getIncident, updateIncidentRecord, updateRoom } from './store.js';

/** A note on the timeline. */
export async function addNote(
  flow: IncidentFlow,
  incident: Incident,
  author: string,
  text: string,
  now = new Date(),
): Promise<void> {
  await addTimelineEntry(flow.db, incident.id, {
    kind: 'note',
    occurredAt: now,
    author,
    text: userText(graphemePrefix(text, 3000)),
  });
}

/** A new severity: its on-call people are invited, the card and topic say it. */
export async function setSeverity(
  flow: IncidentFlow,
  incident: Incident,
  actor: string,
  severity: IncidentSeverity,
  now = new Date(),
): Promise<string> {
  if (incident.severity === severity) return `${incidentLabel(incident)} is already ${severity}.`;
  await updateIncidentRecord(flow.db, incident.id, { severity });
  await addTimelineEntry(flow.db, incident.id, {
    kind: 'severity',
    occurredAt: now,
    author: actor,
    text: `Severity ${incident.severity ?? 'not set'} → ${severity}`,
  });
  const problems: string[] = [];
  // Said in the room, where the responders are: a severity changed on the card alone goes unnoticed.
  if (incident.channelId)
    await flow
      .slack()
      .post(incident.channelId, {
        text: `:rotating_light: <@${actor}> changed the severity: ${incident.severity ?? 'not set'} → *${severity}*.`,
      })
      .catch((err) => problems.push(describeSlackError(err, { step: 'post the severity change' })));
  const updated = { ...incident, severity };
  problems.push(...(await pageOnCall(flow, updated, flow.settings().oncall[severity] ?? [], actor)));
  problems.push(...(await refreshRoom(flow, incident.id, { topic: true })));
  return [`${incidentLabel(incident)} is now ${severity}.`, ...problems].join(' ');
}

/** A status update, in the channel and under the announcement; a resolved incident it reopens, `resolved` resolves. */
export async function postStatusUpdate(
  flow: IncidentFlow,
  incident: Incident,
  actor: string,
  phase: Phase,
  summary: string,
  now = new Date(),
): Promise<string> {
  if (phase === 'resolved') return resolveIncident(flow, incident, actor, summary, now);
  // Its room is archived (the bot cannot unarchive a channel): a recurrence is a new incident, with a room.
  if (incident.status === 'resolved' && incident.archivedAt)
    return `${incidentLabel(incident)} is closed and its channel archived, so it cannot be reopened. Declare a new incident (\`/em incident start <title>\`) and mention ${incidentLabel(incident)} in it.`;
  if (incident.status === 'resolved') {
    await updateIncidentRecord(flow.db, incident.id, { status: 'open', resolved_at: null });
    // Its resolution no longer holds: the card stops showing it.
    await updateRoom(flow.db, incident.id, { summary: null });
  }
  await updateRoom(flow.db, incident.id, { phase, last_update_at: now });
  await addTimelineEntry(flow.db, incident.id, {
    kind: incident.status === 'resolved' ? 'reopened' : 'status',
    occurredAt: now,
    author: actor,
    text: `${phase === incident.phase ? 'Update' : `Status ${incident.phase} → ${phase}`}: ${userText(summary)}`,
  });
  const updated = (await getIncident(flow.db, incident.id)) as Incident;
  const message = statusUpdateMessage(updated, actor, summary);
  const problems: string[] = [];
  for (const [channel, thread] of [
    [updated.channelId, undefined],
    [updated.announceChannel, updated.announceTs],
  ] as const) {
    if (!channel) continue;
    await flow
      .slack()
      .post(channel, message, thread ? { thread } : {})
      .catch((err) => problems.push(describeSlackError(err, { step: 'post the update' })));
  }
  problems.push(...(await refreshRoom(flow, incident.id, { topic: phase !== incident.phase })));
  return [`Posted the ${incidentLabel(incident)} update.`, ...problems].join(' ');
}
