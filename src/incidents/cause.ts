import { causeAnsweredMessage, suspectedCauseMessage } from '../../blocks/incidents/card.js';
import type { IncidentFlow } from './flow.js';
import type { Incident } from './model.js';
import { refreshRoom } from './room.js';
import { addTimelineEntry, deploymentById, recentDeployments, updateIncidentRecord } from './store.js';

/** Suggests the latest production deployment before the incident; the commander confirms or corrects it. */
export async function proposeCause(flow: IncidentFlow, incident: Incident): Promise<void> {
  if (!incident.channelId) return;
  const [deploy] = await recentDeployments(flow.db, incident.openedAt, incident.service, 1);
  await flow.slack().post(incident.channelId, suspectedCauseMessage(incident, deploy ?? null));
}

/** The deployments to pick the cause from: the service's own, else any. */
export async function candidateDeployments(flow: IncidentFlow, incident: Incident) {
  const own = await recentDeployments(flow.db, incident.openedAt, incident.service, 20);
  return own.length || !incident.service ? own : recentDeployments(flow.db, incident.openedAt, null, 20);
}

/** Only the commander answers (anyone, while there is none). */
export function mayConfirmCause(incident: Incident, userId: string): boolean {
  return !incident.commander || incident.commander === userId;
}

/** Records the cause (a deployment, or none); `answered` is the question, which then shows the answer. */
export async function confirmCause(
  flow: IncidentFlow,
  incident: Incident,
  actor: string,
  choice: { source: string; id: string } | 'none',
  answered?: { channel: string; ts: string },
  now = new Date(),
): Promise<string> {
  const { db } = flow;
  const deploy = choice === 'none' ? null : await deploymentById(db, choice.source, choice.id);
  if (choice !== 'none' && !deploy) return 'That deployment is no longer in the store; pick another.';
  await updateIncidentRecord(db, incident.id, {
    caused_by_source: deploy?.source ?? 'none',
    caused_by_id: deploy?.id ?? 'none',
    link_confirmed_by: actor,
    ...(deploy ? { scope: deploy.repo } : {}),
  });
  const text = deploy
    ? `Cause confirmed by <@${actor}>: deployment of ${deploy.repo}${deploy.sha ? ` @ ${deploy.sha.slice(0, 7)}` : ''}`
    : `<@${actor}> confirmed no deployment was involved`;
  await addTimelineEntry(db, incident.id, { kind: 'deploy', occurredAt: now, author: actor, text });
  if (answered)
    await flow
      .slack()
      .update(answered.channel, answered.ts, causeAnsweredMessage(`:white_check_mark: ${text}.`))
      .catch((err) => flow.logger.info({ err }, 'could not update the cause question'));
  await refreshRoom(flow, incident.id);
  return `${text}. Change failure rate and recovery time now use it.`;
}
