import { incidentAnnouncement, incidentCard } from '../../blocks/incidents/card.js';
import { graphemePrefix, userText } from '../../blocks/text.js';
import { describeSlackError } from '../slack/errors.js';
import { expandPeople, type IncidentFlow } from './flow.js';
import { type Incident, incidentLabel } from './model.js';
import { deploymentById, getIncident, updateRoom } from './store.js';

/** The incident channel's topic: number, severity, phase and title. */
export function setTopic(flow: IncidentFlow, incident: Incident): Promise<void> {
  if (!incident.channelId) return Promise.resolve();
  const topic = `${incidentLabel(incident)} · ${incident.severity ?? 'severity not set'} · ${incident.phase} · ${userText(incident.title)}`;
  return flow.slack().setTopic(incident.channelId, graphemePrefix(topic, 250));
}

/** Invites people and user groups (@handle or S…); the bot and people already there are skipped. */
export async function inviteToRoom(flow: IncidentFlow, channel: string, people: string[]): Promise<void> {
  const users = [...new Set((await expandPeople(flow, people)).filter((u) => /^[UW][A-Z0-9]+$/.test(u)))];
  if (!users.length) return;
  await flow.slack().invite(channel, users);
}

/** Re-renders the pinned card and the announcement (and the topic when asked); returns what could not be done. */
export async function refreshRoom(
  flow: IncidentFlow,
  id: string,
  options: { topic?: boolean } = {},
  now = new Date(),
): Promise<string[]> {
  const incident = await getIncident(flow.db, id);
  if (!incident) return [];
  const slack = flow.slack();
  const cause =
    incident.cause && incident.cause.source !== 'none'
      ? await deploymentById(flow.db, incident.cause.source, incident.cause.id)
      : null;
  const updates: [string, () => Promise<unknown>][] = [];
  if (incident.channelId && incident.cardTs) {
    const [channel, ts, card] = [incident.channelId, incident.cardTs, incidentCard(incident, now, { cause })];
    updates.push(['update the incident card', () => slack.update(channel, ts, card)]);
  }
  if (incident.announceChannel && incident.announceTs) {
    const [channel, ts, message] = [incident.announceChannel, incident.announceTs, incidentAnnouncement(incident, now)];
    updates.push(['update the announcement', () => slack.update(channel, ts, message)]);
  }
  if (options.topic && !incident.archivedAt) updates.push(['update the channel topic', () => setTopic(flow, incident)]);
  const problems: string[] = [];
  const results = await Promise.allSettled(updates.map(([, run]) => run()));
  results.forEach((result, i) => {
    if (result.status === 'fulfilled') return;
    flow.logger.info({ err: result.reason, incident: id }, 'incident refresh failed');
    problems.push(describeSlackError(result.reason, { step: updates[i]?.[0] ?? 'update the incident' }));
  });
  await updateRoom(flow.db, id, { card_refreshed_at: now });
  return problems;
}
