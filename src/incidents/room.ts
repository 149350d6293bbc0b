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

/** Invites people and user groups (@handle or S…); the bot and people already there are skipped. Returns who. */
export async function inviteToRoom(flow: IncidentFlow, channel: string, people: string[]): Promise<string[]> {
  const users = [...new Set((await expandPeople(flow, people)).filter((u) => /^[UW][A-Z0-9]+$/.test(u)))];
  if (users.length) await flow.slack().invite(channel, users);
  return users;
}

/**
 * Pages the on-call people of an incident's severity (and of its service's teams): each is invited to the room and
 * told by DM, unless their preferences hold pages ("An incident pages me" off, quiet hours, a pause). Whoever acted
 * is not paged about their own act. Returns what could not be done.
 */
export async function pageOnCall(
  flow: IncidentFlow,
  incident: Incident,
  oncall: string[],
  actor: string,
): Promise<string[]> {
  if (!incident.channelId || !oncall.length) return [];
  const problems: string[] = [];
  const paged = await inviteToRoom(flow, incident.channelId, oncall).catch((err) => {
    problems.push(describeSlackError(err, { step: `invite ${oncall.join(', ')}` }));
    return [] as string[];
  });
  const text = `:rotating_light: You are on call for *${incidentLabel(incident)}* (${incident.severity ?? 'severity not set'}): ${userText(incident.title)}. You are in <#${incident.channelId}>.`;
  for (const user of paged) {
    if (user === actor || (flow.dmGate && !(await flow.dmGate(user, 'incident_page')))) continue;
    await flow
      .slack()
      .tellDirectly(user, { text })
      .catch((err) => problems.push(describeSlackError(err, { step: `page <@${user}>` })));
  }
  return problems;
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
