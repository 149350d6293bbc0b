import { postmortemMessage } from '../../blocks/incidents/reports.js';
import { userText } from '../../blocks/text.js';
import { personBy } from '../identity/store.js';
import { describeSlackError } from '../slack/errors.js';
import type { IncidentFlow } from './flow.js';
import { incidentTimeToRestore } from './metrics.js';
import { humanDuration, type Incident, incidentLabel } from './model.js';
import { mentionedUsers, postmortemDraft, postmortemNarrative, postmortemText } from './postmortem.js';
import { refreshRoom } from './room.js';
import { addTimelineEntry, claimResolution, deploymentById, getIncident, timelineOf, updateRoom } from './store.js';

/** Resolves an incident: time to restore, the postmortem draft in the channel, the announcement thread told. */
export async function resolveIncident(
  flow: IncidentFlow,
  incident: Incident,
  actor: string,
  summary: string,
  now = new Date(),
): Promise<string> {
  const { db, logger } = flow;
  // Claimed in the database: two people resolving at once (two forms, a form and the agent) resolve it once.
  if (incident.status === 'resolved' || !(await claimResolution(db, incident.id, now)))
    return `${incidentLabel(incident)} is already resolved.`;
  await updateRoom(db, incident.id, { phase: 'resolved', summary, last_update_at: now });
  const ttr = humanDuration(now.getTime() - incident.openedAt.getTime());
  await addTimelineEntry(db, incident.id, {
    kind: 'resolved',
    occurredAt: now,
    author: actor,
    text: `Resolved (time to restore ${ttr})${summary ? `: ${userText(summary)}` : ''}`,
  });
  const resolved = (await getIncident(db, incident.id)) as Incident;
  const timeline = await timelineOf(db, incident.id);
  const cause =
    resolved.cause && resolved.cause.source !== 'none'
      ? await deploymentById(db, resolved.cause.source, resolved.cause.id)
      : null;
  const narrative = await postmortemNarrative(flow.model, resolved, timeline, logger, {
    usage: flow.modelUsage,
    person: actor,
    purpose: 'postmortem',
  });
  const draft = postmortemDraft({ incident: resolved, timeline, cause, timezone: flow.timezone(), narrative });
  const names: Record<string, string> = {};
  for (const id of mentionedUsers(draft)) {
    const name =
      (await personBy(db, 'slack', id))?.displayName ??
      (await flow
        .slack()
        .userName(id)
        .catch(() => null));
    if (name) names[id] = name;
  }
  await updateRoom(db, incident.id, { postmortem: postmortemText(draft, names) });
  const problems: string[] = [];
  const slack = flow.slack();
  if (resolved.channelId) {
    const message = postmortemMessage(draft, Boolean(flow.settings().actionItems && flow.approvals));
    await slack
      .post(resolved.channelId, message)
      .catch((err) => problems.push(describeSlackError(err, { step: 'post the postmortem draft' })));
  }
  if (resolved.announceChannel && resolved.announceTs) {
    const text = `:white_check_mark: ${incidentLabel(resolved)} resolved by <@${actor}> after ${ttr}.${summary ? ` ${userText(summary)}` : ''}`;
    await slack
      .post(resolved.announceChannel, { text }, { thread: resolved.announceTs })
      .catch((err) => problems.push(describeSlackError(err, { step: 'update the announcement thread' })));
  }
  problems.push(...(await refreshRoom(flow, incident.id, { topic: true })));
  incidentTimeToRestore.observe((now.getTime() - incident.openedAt.getTime()) / 1000);
  logger.info({ incident: incident.id, ttrMs: now.getTime() - incident.openedAt.getTime() }, 'incident resolved');
  return [
    `${incidentLabel(incident)} resolved: time to restore ${ttr}. The postmortem draft is in the channel.`,
    ...problems,
  ].join(' ');
}
