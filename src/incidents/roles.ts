import { audit } from '../approvals/store.js';
import { describeSlackError } from '../slack/errors.js';
import { expandPeople, type IncidentFlow } from './flow.js';
import { type Incident, incidentLabel, ROLES, type Role } from './model.js';
import { inviteToRoom, refreshRoom } from './room.js';
import { addTimelineEntry, updateRoom } from './store.js';

/** Only the current commander (or someone in `commander_handover`) may hand the role over. */
async function mayHandOverCommand(flow: IncidentFlow, incident: Incident, actor: string): Promise<boolean> {
  if (!incident.commander || incident.commander === actor) return true;
  const handover = flow.settings().commanderHandover;
  if (!handover.length) return false;
  return (await expandPeople(flow, handover)).includes(actor);
}

/** What became of a role change: `allowed` false when the commander role may not be handed over by this person. */
export interface RoleChange {
  allowed: boolean;
  message: string;
}

/** Gives someone a role (and invites them); each attempt to hand over the commander role is audited. */
export async function assignRole(
  flow: IncidentFlow,
  incident: Incident,
  actor: string,
  role: Role,
  user: string,
  now = new Date(),
): Promise<RoleChange> {
  if (role === 'commander') {
    const allowed = await mayHandOverCommand(flow, incident, actor);
    await audit(flow.db, {
      actor,
      event: allowed ? 'incident_commander_changed' : 'incident_commander_refused',
      action: 'incident.commander',
      detail: { incident: incident.id, from: incident.commander, to: user },
    });
    if (!allowed)
      return {
        allowed: false,
        message: `:no_entry: Only the commander, <@${incident.commander}>, or someone named under \`commander_handover\` in the incidents policy can hand over the commander role of ${incidentLabel(incident)}.`,
      };
  }
  const fields =
    role === 'commander'
      ? { commander: user }
      : role === 'comms_lead'
        ? { comms_lead: user }
        : role === 'scribe'
          ? { scribe: user }
          : { responders: [...new Set([...incident.responders, user])] };
  await updateRoom(flow.db, incident.id, fields);
  await addTimelineEntry(flow.db, incident.id, {
    kind: 'role',
    occurredAt: now,
    author: actor,
    text: `<@${user}> is ${ROLES[role]}`,
  });
  const problems: string[] = [];
  if (incident.channelId)
    await inviteToRoom(flow, incident.channelId, [user]).catch((err) =>
      problems.push(describeSlackError(err, { step: `invite <@${user}>` })),
    );
  problems.push(...(await refreshRoom(flow, incident.id, { topic: role === 'commander' })));
  return {
    allowed: true,
    message: [`<@${user}> is now ${ROLES[role]} of ${incidentLabel(incident)}.`, ...problems].join(' '),
  };
}
