import { Blocks, Elements, Message } from 'slack-block-builder';
import { humanDuration, type Incident, incidentLabel, type SuspectedDeploy } from '../../src/incidents/model.js';
import type { SlackMessage } from '../help.js';
import { escapeMrkdwn, link, slackDate, truncate } from '../text.js';

export const INCIDENT_ACTIONS = {
  update: 'incident_update',
  role: 'incident_role',
  note: 'incident_note',
  severity: 'incident_severity',
  resolve: 'incident_resolve',
} as const;
export const CAUSE_ACTIONS = {
  confirm: 'incident_cause_confirm',
  pick: 'incident_cause_pick',
  none: 'incident_cause_none',
} as const;

const PHASE_EMOJI: Record<string, string> = {
  investigating: ':mag:',
  identified: ':bulb:',
  monitoring: ':eyes:',
  resolved: ':white_check_mark:',
};
const person = (id: string | null) => (id ? `<@${id}>` : '_unassigned_');

export function headline(incident: Incident): string {
  return `${incidentLabel(incident)} · ${incident.severity ?? 'severity not set'} · ${escapeMrkdwn(incident.title)}`;
}

export function durationText(incident: Incident, now: Date): string {
  return incident.resolvedAt
    ? `${humanDuration(incident.resolvedAt.getTime() - incident.openedAt.getTime())} (time to restore)`
    : `${humanDuration(now.getTime() - incident.openedAt.getTime())} so far`;
}

function fields(incident: Incident, now: Date): string[] {
  return [
    `*Status*\n${PHASE_EMOJI[incident.phase] ?? ''} ${incident.phase}`,
    `*Severity*\n${incident.severity ?? '_not set_'}`,
    `*Commander*\n${person(incident.commander)}`,
    `*Comms lead*\n${person(incident.commsLead)}`,
    `*Scribe*\n${person(incident.scribe)}`,
    `*Responders*\n${incident.responders.length ? incident.responders.map((r) => `<@${r}>`).join(' ') : '_none yet_'}`,
    `*Declared*\n${slackDate(incident.openedAt)} by <@${incident.declaredBy}>`,
    `*Duration*\n${durationText(incident, now)}`,
  ];
}

export interface CardLinks {
  origin?: string | null;
  cause?: SuspectedDeploy | null;
}

/** The pinned card in the incident channel: everything at a glance, and the buttons that change it. */
export function incidentCard(incident: Incident, now: Date, links: CardLinks = {}): SlackMessage {
  const linkLines = [
    incident.service ? `Service: \`${escapeMrkdwn(incident.service)}\`` : '',
    links.origin ? link(links.origin, 'The message it was declared from') : '',
    links.cause
      ? `Cause: deployment of ${escapeMrkdwn(links.cause.repo)}${links.cause.sha ? ` @ \`${links.cause.sha.slice(0, 7)}\`` : ''} (confirmed)`
      : '',
    incident.cause?.source === 'none' ? 'Cause: no deployment involved (confirmed)' : '',
  ].filter(Boolean);
  const resolved = incident.status === 'resolved';
  return Message({ text: `${headline(incident)} (${incident.phase})` })
    .blocks(
      Blocks.Header({ text: truncate(`${resolved ? '✅' : '🚨'} ${incidentLabel(incident)}: ${incident.title}`, 150) }),
      Blocks.Section().fields(fields(incident, now)),
      ...(incident.description ? [Blocks.Section({ text: truncate(escapeMrkdwn(incident.description), 2900) })] : []),
      ...(incident.summary
        ? [Blocks.Section({ text: `*Resolution*\n${truncate(escapeMrkdwn(incident.summary), 2800)}` })]
        : []),
      ...(linkLines.length ? [Blocks.Context().elements(linkLines.join(' · '))] : []),
      Blocks.Actions({ blockId: 'incident_card_actions' }).elements(
        Elements.Button({ text: 'Update status', actionId: INCIDENT_ACTIONS.update, value: incident.id }).primary(),
        Elements.Button({ text: 'Assign role', actionId: INCIDENT_ACTIONS.role, value: incident.id }),
        Elements.Button({ text: 'Add note', actionId: INCIDENT_ACTIONS.note, value: incident.id }),
        Elements.Button({ text: 'Change severity', actionId: INCIDENT_ACTIONS.severity, value: incident.id }),
        ...(resolved
          ? []
          : [Elements.Button({ text: 'Resolve', actionId: INCIDENT_ACTIONS.resolve, value: incident.id }).danger()]),
      ),
      Blocks.Context().elements(
        `Updated ${slackDate(now, '{time}')} · :pushpin: a message here to add it to the timeline`,
      ),
    )
    .buildToObject() as SlackMessage;
}

/** The announcement in the incidents channel: a link to the channel, kept up to date. */
export function incidentAnnouncement(incident: Incident, now: Date): SlackMessage {
  const where = incident.channelId ? `<#${incident.channelId}>` : '_no channel_';
  return Message({ text: `${headline(incident)}: ${incident.phase}` })
    .blocks(
      Blocks.Section({
        text: `${incident.status === 'resolved' ? ':white_check_mark:' : ':rotating_light:'} *${headline(incident)}*\n${PHASE_EMOJI[incident.phase] ?? ''} ${incident.phase} · commander ${person(incident.commander)} · ${durationText(incident, now)}\nJoin ${where} to help.`,
      }),
    )
    .buildToObject() as SlackMessage;
}

/** A status update, posted in the channel and in the announcement's thread. */
export function statusUpdateMessage(incident: Incident, author: string, summary: string): SlackMessage {
  return Message({ text: `${incidentLabel(incident)} status: ${incident.phase}` })
    .blocks(
      Blocks.Section({
        text: `${PHASE_EMOJI[incident.phase] ?? ''} *Status update: ${incident.phase}* (${incident.severity ?? 'severity not set'})\n${truncate(escapeMrkdwn(summary), 2800)}`,
      }),
      Blocks.Context().elements(`Posted by <@${author}> · ${incidentLabel(incident)}`),
    )
    .buildToObject() as SlackMessage;
}

/** The suspected cause, for the commander to confirm. */
export function suspectedCauseMessage(incident: Incident, deploy: SuspectedDeploy | null): SlackMessage {
  const text = deploy
    ? `:mag_right: *Was it a deployment?* The latest production deployment${incident.service ? ` of \`${escapeMrkdwn(incident.service)}\`` : ''} before this incident was *${escapeMrkdwn(deploy.repo)}*${deploy.sha ? ` @ \`${deploy.sha.slice(0, 7)}\`` : ''}${deploy.ref ? ` (${escapeMrkdwn(deploy.ref)})` : ''}, finished ${slackDate(deploy.finishedAt)}.\n${person(incident.commander)}, please confirm: your answer is what change failure rate and recovery time use.`
    : `:mag_right: *Was it a deployment?* I found no production deployment${incident.service ? ` of \`${escapeMrkdwn(incident.service)}\`` : ''} before this incident. ${person(incident.commander)}, pick one if a deployment caused it.`;
  return Message({ text: 'Was this incident caused by a deployment?' })
    .blocks(
      Blocks.Section({ text }),
      Blocks.Actions({ blockId: 'incident_cause' }).elements(
        ...(deploy
          ? [
              Elements.Button({
                text: 'Confirm',
                actionId: CAUSE_ACTIONS.confirm,
                value: JSON.stringify({ incident: incident.id, source: deploy.source, id: deploy.id }),
              }).primary(),
            ]
          : []),
        Elements.Button({ text: 'Pick another', actionId: CAUSE_ACTIONS.pick, value: incident.id }),
        Elements.Button({ text: 'No deploy involved', actionId: CAUSE_ACTIONS.none, value: incident.id }),
      ),
    )
    .buildToObject() as SlackMessage;
}

export function causeAnsweredMessage(text: string): SlackMessage {
  return Message({ text }).blocks(Blocks.Section({ text })).buildToObject() as SlackMessage;
}
