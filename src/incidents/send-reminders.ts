import type { SlackMessage } from '../../blocks/help.js';
import { reminderMessage } from '../../blocks/incidents/reminders.js';
import { describeSlackError, slackErrorCode } from '../slack/errors.js';
import type { IncidentFlow } from './flow.js';
import { incidentReminders } from './metrics.js';
import type { Incident } from './model.js';
import { dueReminders } from './reminders.js';
import { refreshRoom } from './room.js';
import { claimReminder, openIncidentsForReminders, updateRoom } from './store.js';

const CARD_REFRESH_MS = 10 * 60_000;

/** Nudges, cadence reminders, the daily closure check and archiving: whatever is due now. Returns how many. */
export async function sendDueReminders(flow: IncidentFlow, now = new Date()): Promise<number> {
  const settings = flow.settings();
  let sent = 0;
  for (const { incident, state, cardRefreshedAt } of await openIncidentsForReminders(flow.db)) {
    for (const reminder of dueReminders(incident, state, settings, now)) {
      try {
        if (reminder === 'archive') {
          if (await archiveRoom(flow, incident, now)) {
            incidentReminders.inc({ kind: reminder });
            sent++;
          }
          continue;
        }
        const previous = {
          severity: state.severityNudgedAt,
          commander: state.commanderNudgedAt,
          status_update: state.updateRemindedAt,
          closure_check: state.closureCheckedAt,
        }[reminder];
        if (!(await claimReminder(flow.db, incident.id, reminder, previous, now))) continue;
        await tell(flow, incident, reminderMessage(reminder, incident, settings, now));
        incidentReminders.inc({ kind: reminder });
        sent++;
      } catch (err) {
        flow.logger.warn({ err, incident: incident.id, reminder }, 'incident reminder failed');
      }
    }
    if (
      incident.status === 'open' &&
      (!cardRefreshedAt || now.getTime() - cardRefreshedAt.getTime() >= CARD_REFRESH_MS)
    )
      await refreshRoom(flow, incident.id, {}, now).catch(() => undefined);
  }
  return sent;
}

/** Posts in the incident channel; when the bot was removed from it, tells the commander directly. */
async function tell(flow: IncidentFlow, incident: Incident, message: SlackMessage): Promise<void> {
  const slack = flow.slack();
  try {
    if (!incident.channelId) throw Object.assign(new Error('no channel'), { data: { error: 'channel_not_found' } });
    await slack.post(incident.channelId, message);
  } catch (err) {
    const to = incident.commander ?? incident.declaredBy;
    if (flow.dmGate && !(await flow.dmGate(to, 'incident_nudge'))) return;
    const step = `post in ${incident.channelName ? `#${incident.channelName}` : 'the incident channel'}`;
    await slack.tellDirectly(to, { text: `${message.text}\n_${describeSlackError(err, { step })}_` });
  }
}

/** Archives a resolved incident's channel; one the bot can no longer reach counts as archived. */
async function archiveRoom(flow: IncidentFlow, incident: Incident, now: Date): Promise<boolean> {
  if (!incident.channelId) return false;
  try {
    await flow.slack().archive(incident.channelId);
  } catch (err) {
    flow.logger.warn({ err, incident: incident.id }, 'could not archive the incident channel');
    const code = slackErrorCode(err);
    if (code !== 'not_in_channel' && code !== 'channel_not_found') return false;
  }
  await updateRoom(flow.db, incident.id, { archived_at: now });
  return true;
}
