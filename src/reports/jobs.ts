import type { WebClient } from '@slack/web-api';
import { DateTime } from 'luxon';
import { sprintMessage } from '../../blocks/reports/sprint.js';
import { standupMessage } from '../../blocks/reports/standup.js';
import type { JobDefinition } from '../jobs/scheduler.js';
import type { Logger } from '../observability/logger.js';
import { fileImageBlock, uploadPng } from '../slack/files.js';
import type { Queryable } from '../store/db.js';
import type { Schedules } from './schedules.js';
import { buildSprintHealth } from './sprint.js';
import { buildStandup, type PersonDay, type Standup } from './standup.js';

/** How late a missed slot may still be posted (e.g. after a restart). */
const CATCH_UP_HOURS = 6;

/** Claims a scheduled run once across replicas; false when another run (or replica) already did it. */
async function claim(db: Queryable, key: string): Promise<boolean> {
  const result = await db.query('INSERT INTO report_runs (key) VALUES ($1) ON CONFLICT DO NOTHING', [key]);
  return result.rowCount === 1;
}

/** One plain-text line per person, stored for `/em standup history`. */
export function personSummary(p: PersonDay): string {
  return [
    p.merged.length ? `merged ${p.merged.map((x) => x.ref).join(', ')}` : '',
    p.opened.length ? `opened ${p.opened.map((x) => x.ref).join(', ')}` : '',
    p.reviewed.length ? `reviewed ${p.reviewed.map((x) => x.ref).join(', ')}` : '',
    p.moved.length ? `moved ${p.moved.map((x) => `${x.key} → ${x.to}`).join(', ')}` : '',
    p.blocked.length ? `blocked: ${p.blocked.map((x) => x.key).join(', ')}` : '',
    p.waitingOn.length
      ? `waiting on ${p.waitingOn.map((x) => `${x.reviewers.join(', ')} for ${x.ref}`).join('; ')}`
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
    if (summary)
      await db.query(
        'INSERT INTO standup_entries (team, person, person_slack, summary, visible_in) VALUES ($1, $2, $3, $4, $5)',
        [team, p.who, p.slack, summary, visibleIn],
      );
  }
}

/** The local slots of a schedule that are due now: on a working day, past their time, not too long ago. */
export function dueSlots(
  now: Date,
  calendar: { timezone: string; days: number[]; holidays: string[] },
  times: string[],
): { date: string; time: string }[] {
  const local = DateTime.fromJSDate(now, { zone: calendar.timezone });
  const date = local.toISODate() ?? '';
  if (!calendar.days.includes(local.weekday) || calendar.holidays.includes(date)) return [];
  return times
    .filter((time) => {
      const [hour, minute] = time.split(':').map(Number) as [number, number];
      const slot = local.set({ hour, minute, second: 0, millisecond: 0 });
      const late = local.diff(slot, 'hours').hours;
      return late >= 0 && late < CATCH_UP_HOURS;
    })
    .map((time) => ({ date, time }));
}

/** Every minute: scheduled standups, the weekly per-person digest and sprint mid-point/end reports that are due. */
export function scheduledReportsJob(deps: {
  schedules: Schedules;
  slack: () => WebClient | undefined;
  logger: Logger;
  every?: string;
}): JobDefinition {
  return {
    name: 'reports:scheduled',
    every: deps.every ?? '1 minute',
    async run({ db }) {
      const slack = deps.slack();
      if (!slack) return;
      const now = new Date();
      for (const s of deps.schedules.standups) {
        for (const slot of dueSlots(now, s.calendar, s.times)) {
          if (!(await claim(db, `standup:${s.team}:${slot.date}:${slot.time}`))) continue;
          const all = await buildStandup(db, { hours: s.hours, now });
          const standup = s.people.length
            ? { ...all, people: all.people.filter((p) => s.people.includes(p.who)) }
            : all;
          const message = standupMessage(standup);
          const posted = await slack.chat.postMessage({
            channel: s.channel,
            text: message.text,
            blocks: message.blocks as never,
          });
          await storeEntries(db, s.team, standup, await privateChannelOf(slack, posted.channel));
          deps.logger.info({ team: s.team, slot }, 'scheduled standup posted');
        }
      }
      const digest = deps.schedules.weekly_digest;
      if (digest) {
        const local = DateTime.fromJSDate(now, { zone: digest.timezone });
        const slots = dueSlots(now, { timezone: digest.timezone, days: [digest.day], holidays: [] }, [digest.time]);
        if (slots.length && (await claim(db, `digest:${local.weekYear}-W${local.weekNumber}`))) {
          const week = await buildStandup(db, { hours: 168, now });
          for (const person of week.people.filter((p) => p.slack)) {
            const dm = await slack.conversations.open({ users: person.slack as string });
            const message = standupMessage({ ...week, people: [person] });
            await slack.chat.postMessage({
              channel: dm.channel?.id as string,
              text: 'Your week',
              blocks: message.blocks as never,
            });
          }
        }
      }
      const sprintSchedule = deps.schedules.sprint;
      if (sprintSchedule) {
        const health = await buildSprintHealth(db, { now });
        if (health?.endAt) {
          const mid = new Date((health.startAt.getTime() + health.endAt.getTime()) / 2);
          const lastDay = new Date(health.endAt.getTime() - 86_400_000);
          for (const at of sprintSchedule.at) {
            const dueAt = at === 'midpoint' ? mid : lastDay;
            if (now < dueAt || !(await claim(db, `sprint:${health.source}:${health.id}:${at}`))) continue;
            const message = sprintMessage(health);
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
              channel: sprintSchedule.channel,
              text: message.text,
              blocks: message.blocks as never,
            });
          }
        }
      }
    },
  };
}
