import { incidentAnnouncement, incidentCard } from '../../blocks/incidents/card.js';
import { graphemePrefix, userText } from '../../blocks/text.js';
import { describeSlackError } from '../slack/errors.js';
import { teamsForSubject } from '../teams/store.js';
import { proposeCause } from './cause.js';
import type { IncidentFlow } from './flow.js';
import { incidentsDeclared } from './metrics.js';
import { type Incident, incidentLabel, ROLES } from './model.js';
import { channelNameCandidates, incidentChannelName } from './naming.js';
import { inviteToRoom, pageOnCall, setTopic } from './room.js';
import type { IncidentSettings } from './settings.js';
import { addTimelineEntry, claimIncident, forgetIncident, type NewIncident, updateRoom } from './store.js';

/** A declaration as a person makes it: the commander may be left to default to the declarer. */
export type DeclareRequest = Omit<NewIncident, 'commander' | 'openedAt'> & { commander: string | null };

export type DeclareOutcome =
  | { outcome: 'declared'; incident: Incident; problems: string[] }
  | { outcome: 'duplicate'; incident: Incident }
  | { outcome: 'failed'; reason: string };

/**
 * Declares an incident: its own channel (topic, purpose, responders), the pinned card, the announcement, a reply
 * under the message it came from, a suggested cause. Without a channel nothing is kept; a later step that fails is
 * one of the `problems`.
 */
export async function declareIncident(
  flow: IncidentFlow,
  request: DeclareRequest,
  now = new Date(),
): Promise<DeclareOutcome> {
  const { db, logger } = flow;
  const settings = flow.settings();
  const commander = request.commander ?? request.declaredBy;
  const claim = await claimIncident(db, { ...request, commander, openedAt: now, private: settings.privateChannels });
  if (!claim.created) return { outcome: 'duplicate', incident: claim.incident };
  let incident = claim.incident;
  const slack = flow.slack();

  const channel = await createChannel(flow, incident, now, settings).catch((err) => ({ error: err }));
  if ('error' in channel) {
    await forgetIncident(db, incident.id);
    logger.warn({ err: channel.error, incident: incident.id }, 'incident channel could not be created');
    return { outcome: 'failed', reason: describeSlackError(channel.error, { step: 'create the incident channel' }) };
  }
  await updateRoom(db, incident.id, {
    channel_id: channel.id,
    channel_name: channel.name,
    visible_in: settings.privateChannels ? channel.id : null,
  });
  incident = { ...incident, channelId: channel.id, channelName: channel.name };

  const problems: string[] = [];
  const attempt = async (step: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      logger.warn({ err, incident: incident.id, what: step }, 'incident step failed');
      problems.push(describeSlackError(err, { step }));
    }
  };
  await attempt('set the channel topic', () => setTopic(flow, incident));
  await attempt('set the channel purpose', () =>
    slack.setPurpose(channel.id, graphemePrefix(`${incidentLabel(incident)}: ${userText(request.title)}`, 250)),
  );
  const oncall = incident.severity ? (settings.oncall[incident.severity] ?? []) : [];
  // The on-call group of each team the affected service belongs to is paged too.
  const teamOncall = incident.service
    ? (await teamsForSubject(db, { service: incident.service })).flatMap((t) => (t.oncallGroup ? [t.oncallGroup] : []))
    : [];
  await attempt('invite the responders', async () => {
    await inviteToRoom(flow, channel.id, [request.declaredBy, commander]);
  });
  problems.push(...(await pageOnCall(flow, incident, [...oncall, ...teamOncall], request.declaredBy)));
  await addTimelineEntry(db, incident.id, {
    kind: 'declared',
    occurredAt: now,
    author: request.declaredBy,
    text: `Declared ${incident.severity ?? '(severity not set)'}: ${userText(request.title)}`,
  });
  await addTimelineEntry(db, incident.id, {
    kind: 'role',
    occurredAt: now,
    author: request.declaredBy,
    text: `<@${commander}> is ${ROLES.commander}`,
  });

  const originLink = request.origin
    ? await slack.permalink(request.origin.channel, request.origin.ts).catch(() => null)
    : null;
  await attempt('post the incident card', async () => {
    const posted = await slack.post(channel.id, incidentCard(incident, now, { origin: originLink }));
    await updateRoom(db, incident.id, { card_ts: posted.ts, card_refreshed_at: now });
    incident = { ...incident, cardTs: posted.ts };
    await attempt('pin the incident card', () => slack.pin(channel.id, posted.ts));
  });
  // A private incident is for its room's members: announcing it (its title, a link to the room) would tell others.
  if (settings.announceChannel && !settings.privateChannels) {
    const target = settings.announceChannel;
    await attempt(`announce it in ${target}`, async () => {
      const posted = await slack.post(target, incidentAnnouncement(incident, now));
      await updateRoom(db, incident.id, { announce_channel: posted.channel, announce_ts: posted.ts });
      incident = { ...incident, announceChannel: posted.channel, announceTs: posted.ts };
    });
  }
  if (request.origin)
    await slack
      .post(
        request.origin.channel,
        {
          // A private room is named to its members only (the thread's readers may not be).
          text: settings.privateChannels
            ? ':rotating_light: An incident was declared from this message; its responders were invited to its room.'
            : `:rotating_light: ${incidentLabel(incident)} was declared from this message: <#${channel.id}>`,
        },
        { thread: request.origin.ts },
      )
      .catch((err) => logger.info({ err }, 'could not reply under the message the incident came from'));
  await attempt('suggest a cause', () => proposeCause(flow, incident));
  incidentsDeclared.inc({ severity: incident.severity ?? 'unset' });
  logger.info({ incident: incident.id, channel: channel.name }, 'incident declared');
  return { outcome: 'declared', incident, problems };
}

/** The incident's channel, named after its title and date; a taken name gets a suffix, then the incident number. */
async function createChannel(flow: IncidentFlow, incident: Incident, now: Date, settings: IncidentSettings) {
  const slack = flow.slack();
  const base = incidentChannelName(incident.title, now, flow.timezone());
  for (const name of channelNameCandidates(base)) {
    const id = await slack.createChannel(name, settings.privateChannels);
    if (id) return { id, name };
  }
  // Twenty incidents with one title on one day: fall back to the incident number, which is unique.
  const name = `${base.slice(0, 70)}-${incident.number}`;
  const id = await slack.createChannel(name, settings.privateChannels);
  if (!id) throw Object.assign(new Error(`channel name ${name} is taken`), { data: { error: 'name_taken' } });
  return { id, name };
}
