import { workingHoursBetween } from '../lib/work-calendar.js';
import type { Incident } from './model.js';
import type { IncidentSettings } from './settings.js';

/** When the co-pilot last nudged about each thing (kept with the incident, so restarts do not repeat or forget). */
export interface NudgeState {
  severityNudges: number;
  severityNudgedAt: Date | null;
  commanderNudges: number;
  commanderNudgedAt: Date | null;
  updateRemindedAt: Date | null;
  closureCheckedAt: Date | null;
}

export type Reminder = 'severity' | 'commander' | 'status_update' | 'closure_check' | 'archive';

const since = (now: Date, at: Date) => now.getTime() - at.getTime();
const later = (a: Date | null, b: Date) => (a && a > b ? a : b);

/** What is due for an incident now, as Monzo Response does it: bounded nudges, a cadence, a daily check. Pure. */
export function dueReminders(incident: Incident, state: NudgeState, settings: IncidentSettings, now: Date): Reminder[] {
  if (incident.status === 'resolved') {
    const archiveDue =
      incident.channelId &&
      !incident.archivedAt &&
      incident.resolvedAt &&
      since(now, incident.resolvedAt) >= settings.archiveAfterMs;
    return archiveDue ? ['archive'] : [];
  }
  const due: Reminder[] = [];
  const { everyMs, times } = settings.severityNudge;
  if (
    !incident.severity &&
    state.severityNudges < times &&
    since(now, later(state.severityNudgedAt, incident.openedAt)) >= everyMs
  )
    due.push('severity');
  if (
    !incident.commander &&
    state.commanderNudges < times &&
    since(now, later(state.commanderNudgedAt, incident.openedAt)) >= everyMs
  )
    due.push('commander');
  const cadence = incident.severity ? settings.cadenceMs[incident.severity] : settings.unsetCadenceMs;
  const quietSince = later(state.updateRemindedAt, later(incident.lastUpdateAt, incident.openedAt));
  if (since(now, quietSince) >= cadence) due.push('status_update');
  const dayMs = 86_400_000;
  if (
    since(now, incident.openedAt) >= settings.closureCheckAfterMs &&
    (!state.closureCheckedAt || since(now, state.closureCheckedAt) >= dayMs) &&
    isWorkingTime(now, settings)
  )
    due.push('closure_check');
  return due;
}

/** True within the calendar's working hours (a one-minute window starting now is inside them). */
export function isWorkingTime(now: Date, settings: IncidentSettings): boolean {
  return workingHoursBetween(now, new Date(now.getTime() + 60_000), settings.calendar) > 0;
}
