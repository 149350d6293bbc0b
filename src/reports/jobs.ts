import type { WebClient } from '@slack/web-api';
import { DateTime } from 'luxon';
import { sprintMessage } from '../../blocks/reports/sprint.js';
import { standupMessage, weeklyDigestMessage } from '../../blocks/reports/standup.js';
import { requestedReviewerNames } from '../../blocks/requested-reviewers.js';
import { withTeamLine } from '../../blocks/teams/teams.js';
import type { JobDefinition } from '../jobs/scheduler.js';
import type { Logger } from '../observability/logger.js';
import { fileImageBlock, uploadPng } from '../slack/files.js';
import type { Queryable } from '../store/db.js';
import { getTeam, resolveScope } from '../teams/store.js';
import { DEFAULT_STANDUP_CALENDAR, type Schedules } from './schedules.js';
import { buildSprintHealth } from './sprint.js';
import { buildStandup, type PersonDay, type Standup } from './standup.js';
import { claimReportRun, insertStandupEntry } from './store.js';
import { reportTimezone } from './tools.js';

/** How late a missed slot may still be posted (e.g. after a restart). */
const CATCH_UP_HOURS = 6;

/** One plain-text line per person, stored for `/em standup history`. */
export function personSummary(p: PersonDay): string {
  return [
    p.merged.length ? `merged ${p.merged.map((x) => x.ref).join(', ')}` : '',
    p.opened.length ? `opened ${p.opened.map((x) => x.ref).join(', ')}` : '',
    p.reviewed.length ? `reviewed ${p.reviewed.map((x) => x.ref).join(', ')}` : '',
    p.moved.length ? `moved ${p.moved.map((x) => `${x.key} → ${x.to}`).join(', ')}` : '',
    p.blocked.length ? `blocked: ${p.blocked.map((x) => x.key).join(', ')}` : '',
    p.waitingOn.length
      ? `waiting on ${p.waitingOn.map((x) => `${requestedReviewerNames(x).join(', ')} for ${x.ref}`).join('; ')}`
      : '',
  ]
    .filter(Boolean)
    .join('; ');
}

/** The channel id when it is private (its members alone may read what was posted there), else null. */
async function privateChannelOf(slack: WebClient, channel: string | undefined): Promise<string | null> {
  if (!channel) return null;
  const info = await slack.conversations.info({ channel }).catch(() => undefined);
  // When Slack cannot say, the entries stay with the channel: private is the safe guess.
  return info?.channel && !info.channel.is_private ? null : channel;
}

async function storeEntries(db: Queryable, team: string, standup: Standup, visibleIn: string | null): Promise<void> {
  for (const p of standup.people) {
    const summary = personSummary(p);
    if (summary) await insertStandupEntry(db, { team, person: p.who, personSlack: p.slack, summary, visibleIn });
  }
}

/**
 * The moment a local slot (`date` at `time` in `timezone`) falls at. A time skipped by a DST jump (02:30 on the
 * spring-forward day) moves forward, as in a calendar app.
 */
export function slotInstant(slot: { date: string; time: string }, timezone: string): Date {
  const [year, month, day] = slot.date.split('-').map(Number) as [number, number, number];
  const [hour, minute] = slot.time.split(':').map(Number) as [number, number];
  return DateTime.fromObject({ year, month, day, hour, minute }, { zone: timezone }).toJSDate();
}

/** A slot posted this much after its time was caught up (after a restart), not posted on time by the minutely job. */
const LATE_MS = 5 * 60_000;

/**
 * The local slots of a schedule that are due now: on a working day, past their time, less than
 * CATCH_UP_HOURS ago. Looks back across midnight (a 23:59 slot is still due at 00:01) and measures
 * lateness in real hours, so DST changes neither skip nor repeat a slot.
 */
export function dueSlots(
  now: Date,
  calendar: { timezone: string; days: number[]; holidays: string[] },
  times: string[],
): { date: string; time: string }[] {
  const local = DateTime.fromJSDate(now, { zone: calendar.timezone });
  const earliest = local.minus({ hours: CATCH_UP_HOURS });
  const due: { date: string; time: string }[] = [];
  for (let day = earliest.startOf('day'); day <= local; day = day.plus({ days: 1 }).startOf('day')) {
    const date = day.toISODate() ?? '';
    if (!calendar.days.includes(day.weekday) || calendar.holidays.includes(date)) continue;
    for (const time of times) {
      const lateMs = local.toMillis() - slotInstant({ date, time }, calendar.timezone).getTime();
      if (lateMs >= 0 && lateMs < CATCH_UP_HOURS * 3_600_000) due.push({ date, time });
    }
  }
  return due;
}

/**
 * When a sprint's last day begins where its team is: the start of the local day its last moment falls in. A sprint
 * ending Friday 17:00 has its end report on Friday, not from Thursday 17:00 (24 hours before the end).
 */
export function lastDayOf(endAt: Date, timezone: string): Date {
  return DateTime.fromMillis(endAt.getTime() - 1, { zone: timezone })
    .startOf('day')
    .toJSDate();
}

/** Every minute: scheduled standups, the weekly per-person digest and sprint mid-point/end reports that are due. */
export function scheduledReportsJob(deps: {
  schedules: Schedules;
  slack: () => WebClient | undefined;
  logger: Logger;
  every?: string;
  /** The time the job thinks it is (tests pass a fixed clock). */
  clock?: () => Date;
  /** The notification pipeline's say on a DM (pauses and quiet hours); without it every DM is sent. */
  dmGate?: (recipient: string, kind: string) => Promise<boolean>;
  /** REPORTS_TIMEZONE: where a sprint that is no team's has its days (default UTC). */
  timezone?: string;
}): JobDefinition {
  return {
    name: 'reports:scheduled',
    every: deps.every ?? '1 minute',
    async run({ db }) {
      const slack = deps.slack();
      if (!slack) return;
      const now = deps.clock?.() ?? new Date();
      for (const s of deps.schedules.standups) {
        // `team` names a team when one has that key: its members, channel and calendar are the defaults.
        const team = await getTeam(db, s.team);
        const active = team && !team.archivedAt ? team : undefined;
        const calendar =
          s.calendar ??
          (active ? { timezone: active.timezone, days: active.workDays, holidays: [] } : DEFAULT_STANDUP_CALENDAR);
        const channel = s.channel ?? active?.channel;
        if (!channel) {
          deps.logger.warn({ team: s.team }, 'scheduled standup has no channel and its team none either; skipped');
          continue;
        }
        for (const slot of dueSlots(now, calendar, s.times)) {
          if (!(await claimReportRun(db, `standup:${s.team}:${slot.date}:${slot.time}`))) continue;
          try {
            // The window ends at the slot, not when it is posted: a standup caught up hours late after a restart
            // covers what its slot would have, and the next day's picks up from there without counting anything twice.
            const at = slotInstant(slot, calendar.timezone);
            const all = await buildStandup(db, { hours: s.hours, now: at });
            const members = new Set(active?.members ?? []);
            const standup = s.people.length
              ? { ...all, people: all.people.filter((p) => s.people.includes(p.who)) }
              : active
                ? { ...all, people: all.people.filter((p) => p.slack && members.has(p.slack)) }
                : all;
            const shown = standupMessage(standup, { late: now.getTime() - at.getTime() > LATE_MS });
            const message = active ? withTeamLine(shown, active, 'standup') : shown;
            const posted = await slack.chat.postMessage({
              channel,
              text: message.text,
              blocks: message.blocks,
            });
            await storeEntries(db, s.team, standup, await privateChannelOf(slack, posted.channel));
            deps.logger.info({ team: s.team, slot }, 'scheduled standup posted');
          } catch (err) {
            // One team's channel refusing (archived, the bot removed) keeps no other report of this run from going out.
            deps.logger.warn({ err, team: s.team, slot }, 'scheduled standup could not be posted');
          }
        }
      }
      const digest = deps.schedules.weekly_digest;
      if (digest) {
        const [slot] = dueSlots(now, { timezone: digest.timezone, days: [digest.day], holidays: [] }, [digest.time]);
        // Keyed by the slot's week, not today's: a Sunday slot caught up on Monday is still last week's digest.
        const week = slot && DateTime.fromISO(slot.date, { zone: digest.timezone });
        if (week && (await claimReportRun(db, `digest:${week.weekYear}-W${week.weekNumber}`))) {
          // The week ending at the slot, as a standup's window does: a digest caught up late overlaps no other.
          const days = await buildStandup(db, { hours: 168, now: slotInstant(slot, digest.timezone) });
          for (const person of days.people.filter((p) => p.slack)) {
            // Paused (a holiday) or in quiet hours: this week's digest is skipped for them.
            if (deps.dmGate && !(await deps.dmGate(person.slack as string, 'report'))) continue;
            try {
              const dm = await slack.conversations.open({ users: person.slack as string });
              const message = weeklyDigestMessage({ ...days, person });
              await slack.chat.postMessage({
                channel: dm.channel?.id as string,
                text: message.text,
                blocks: message.blocks,
              });
            } catch (err) {
              // Someone who cannot be written to (deactivated, a guest) costs the others nothing: the week is claimed
              // once, so an error here would leave everyone after them without theirs.
              deps.logger.warn({ err, person: person.slack }, 'weekly digest could not be sent to one person');
            }
          }
        }
      }
      const sprintSchedule = deps.schedules.sprint;
      const sprintTeam = sprintSchedule?.team ? await getTeam(db, sprintSchedule.team) : undefined;
      const sprintChannel = sprintSchedule?.channel ?? sprintTeam?.channel;
      if (sprintSchedule && sprintChannel && !(sprintSchedule.team && (!sprintTeam || sprintTeam.archivedAt))) {
        const scope = sprintTeam ? await resolveScope(db, sprintTeam) : undefined;
        const timezone = reportTimezone(sprintTeam, deps.timezone ?? 'UTC');
        const health = await buildSprintHealth(db, {
          now,
          team: scope ? { boards: scope.boards, projects: scope.projects } : undefined,
          timezone,
        });
        if (health?.endAt) {
          const mid = new Date((health.startAt.getTime() + health.endAt.getTime()) / 2);
          const lastDay = lastDayOf(health.endAt, timezone);
          for (const at of sprintSchedule.at) {
            const dueAt = at === 'midpoint' ? mid : lastDay;
            if (now < dueAt || !(await claimReportRun(db, `sprint:${health.source}:${health.id}:${at}`))) continue;
            const message = withTeamLine(sprintMessage(health), sprintTeam, 'sprint');
            try {
              const { burndownSpec, renderPng } = await import('./charts.js');
              const id = await uploadPng(
                slack,
                await renderPng(burndownSpec(health.name, health.burndown)),
                `burndown-${health.id}.png`,
                `${health.name} burndown`,
              );
              message.blocks = [...message.blocks, fileImageBlock(id, `${health.name} burndown`)];
            } catch (err) {
              deps.logger.warn({ err }, 'burndown chart failed; posting the sprint report without it');
            }
            await slack.chat.postMessage({
              channel: sprintChannel,
              text: message.text,
              blocks: message.blocks,
            });
          }
        }
      }
    },
  };
}
