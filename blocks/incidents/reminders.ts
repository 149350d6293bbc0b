import { Blocks, Elements, Message } from 'slack-block-builder';
import { humanDuration, type Incident, incidentLabel } from '../../src/incidents/model.js';
import type { Reminder } from '../../src/incidents/reminders.js';
import type { IncidentSettings } from '../../src/incidents/settings.js';
import type { SlackMessage } from '../help.js';
import { INCIDENT_ACTIONS } from './card.js';

const button = (text: string, actionId: string, incident: Incident) =>
  Elements.Button({ text, actionId, value: incident.id });

/** The co-pilot's nudges, each with the button that settles it. */
export function reminderMessage(
  reminder: Exclude<Reminder, 'archive'>,
  incident: Incident,
  settings: IncidentSettings,
  now: Date,
): SlackMessage {
  const label = incidentLabel(incident);
  const commander = incident.commander ? `<@${incident.commander}>` : 'Commander';
  const [text, actions] = (() => {
    switch (reminder) {
      case 'severity':
        return [
          `:warning: ${label} has no severity yet. Setting one tells people how urgent it is and who gets paged.`,
          [button('Set severity', INCIDENT_ACTIONS.severity, incident)],
        ];
      case 'commander':
        return [
          `:warning: ${label} has no incident commander. Someone needs to own coordination.`,
          [button('Assign role', INCIDENT_ACTIONS.role, incident)],
        ];
      case 'status_update': {
        const cadence = incident.severity ? settings.cadenceMs[incident.severity] : settings.unsetCadenceMs;
        const since = incident.lastUpdateAt ?? incident.openedAt;
        return [
          `:hourglass: ${commander}, no status update on ${label} for ${humanDuration(now.getTime() - since.getTime())} (the ${incident.severity ?? 'default'} cadence is every ${humanDuration(cadence)}). Stakeholders are waiting.`,
          [button('Update status', INCIDENT_ACTIONS.update, incident)],
        ];
      }
      case 'closure_check':
        return [
          `:thinking_face: ${label} has been open for ${humanDuration(now.getTime() - incident.openedAt.getTime())}. Can it be closed?`,
          [
            button('Resolve', INCIDENT_ACTIONS.resolve, incident),
            button('Update status', INCIDENT_ACTIONS.update, incident),
          ],
        ];
    }
  })() as [string, ReturnType<typeof button>[]];
  return Message({ text })
    .blocks(Blocks.Section({ text }), Blocks.Actions().elements(...actions))
    .buildToObject() as SlackMessage;
}
