import {
  NOTIFY_ACTIONS,
  NOTIFY_PREFS_MODAL,
  NOTIFY_PREFS_OPEN,
  notificationsHomeLines,
  PREFS_FIELDS,
  prefsModal,
} from '../../blocks/notifications/messages.js';
import { runOrRefuse } from '../capabilities/tool.js';
import { actorContext } from '../slack/commands.js';
import type { SlackDeps } from '../slack/deps.js';
import type { HomeSectionProvider } from '../slack/home.js';
import { firstDelivery } from '../slack/listeners/once.js';
import { type ButtonArgs, tellPrivately, type ViewArgs } from '../slack/private-reply.js';
import { viewInput } from '../slack/view-state.js';
import {
  notificationsDoneTool,
  notificationsMuteTool,
  notificationsSetPreferencesTool,
  notificationsSnoozeTool,
} from './item-tools.js';
import { REALTIME_KINDS, type RealtimeKind, TIME_OF_DAY } from './model.js';
import type { NotificationService } from './service.js';

/** The Slack door's dependencies, with this capability's service. */
export type NotificationSlackDeps = SlackDeps & { notifications?: NotificationService };

/** Home: "Notifications": what the next digest holds, the preferences in force, and the button to change them. */
export function notificationsHomeSection(service: NotificationService): HomeSectionProvider {
  return {
    id: 'notifications',
    title: 'Notifications',
    async load({ userId }) {
      const [digest, prefs] = await Promise.all([service.digestFor(userId), service.prefsOf(userId)]);
      return {
        lines: notificationsHomeLines(digest, prefs, new Date()),
        empty: 'Nothing waits on you.',
        actions: [{ actionId: NOTIFY_PREFS_OPEN, text: 'Notification preferences' }],
      };
    },
  };
}

/** "Snooze 1 day", "Snooze until Monday", "Mute this rule for me", "Done" on a nudge or a digest line. */
export function notifyButton(
  deps: NotificationSlackDeps,
  action: (typeof NOTIFY_ACTIONS)[keyof typeof NOTIFY_ACTIONS],
) {
  return async (args: ButtonArgs) => {
    await args.ack();
    const service = deps.notifications;
    if (!service) return;
    const tools = {
      snooze: notificationsSnoozeTool(service),
      done: notificationsDoneTool(service),
      mute: notificationsMuteTool(service),
    };
    if (!(await firstDelivery(deps, args.body))) return;
    const ctx = actorContext(deps, args);
    const unknown = ':grey_question: That reminder is not yours or no longer exists.';
    let text: string;
    if (action === NOTIFY_ACTIONS.mute) {
      let parsed: { id?: unknown; rule?: unknown } = {};
      try {
        parsed = JSON.parse(args.action.value ?? '{}');
      } catch {}
      const muted = await runOrRefuse(tools.mute, ctx, { id: Number(parsed.id), rule: String(parsed.rule ?? '') });
      text = muted.ok
        ? `:mute: Muted \`${muted.rule.replace(/[^\w.-]/g, '')}\` for you: its reminders no longer reach you (your digest and Home leave them out).`
        : unknown;
    } else if (action === NOTIFY_ACTIONS.done) {
      const done = await runOrRefuse(tools.done, ctx, { id: Number(args.action.value) });
      text = done.ok ? ':white_check_mark: Marked done. It comes back only if something new happens to it.' : unknown;
    } else {
      const until = action === NOTIFY_ACTIONS.snoozeDay ? 'day' : 'monday';
      const snoozed = await runOrRefuse(tools.snooze, ctx, { id: Number(args.action.value), until });
      text = snoozed.ok
        ? `:zzz: Snoozed until <!date^${Math.floor(snoozed.until.getTime() / 1000)}^{date_short_pretty} {time}|${snoozed.until.toISOString()}>, or until it changes.`
        : unknown;
    }
    await tellPrivately(args, args.body.user.id, text);
  };
}

/** Home → "Notification preferences": the modal with the person's current settings. */
export function openPrefs(deps: NotificationSlackDeps) {
  return async (args: ButtonArgs) => {
    await args.ack();
    if (!deps.notifications) return;
    const prefs = await deps.notifications.prefsOf(args.body.user.id);
    await args.client.views.open({ trigger_id: args.body.trigger_id, view: prefsModal(prefs) });
  };
}

/** A typed time with its leading zero ("8:00" is 08:00). */
const padded = (time: string) => (/^\d:[0-5]\d$/.test(time) ? `0${time}` : time);

const optionalTime = (value: string | null | undefined) => {
  const v = padded((value ?? '').trim());
  return v === '' ? null : v;
};

/** Saves the preferences; a bad time or day count is answered next to its field. */
export function prefsSubmitted(deps: NotificationSlackDeps) {
  return async (args: ViewArgs) => {
    const field = (id: string) => viewInput(args, id);
    const digestTime = padded((field(PREFS_FIELDS.digestTime)?.value ?? '').trim());
    const quietStart = optionalTime(field(PREFS_FIELDS.quietStart)?.value);
    const quietEnd = optionalTime(field(PREFS_FIELDS.quietEnd)?.value);
    const pause = (field(PREFS_FIELDS.pauseDays)?.value ?? '').trim();
    const errors: Record<string, string> = {};
    if (!TIME_OF_DAY.test(digestTime)) errors[PREFS_FIELDS.digestTime] = 'A time such as 09:30 (24-hour clock).';
    if (quietStart !== null && !TIME_OF_DAY.test(quietStart))
      errors[PREFS_FIELDS.quietStart] = 'A time such as 19:00, or empty.';
    if (quietEnd !== null && !TIME_OF_DAY.test(quietEnd))
      errors[PREFS_FIELDS.quietEnd] = 'A time such as 08:00, or empty.';
    if ((quietStart === null) !== (quietEnd === null) && !errors[PREFS_FIELDS.quietStart])
      errors[quietStart === null ? PREFS_FIELDS.quietStart : PREFS_FIELDS.quietEnd] = 'Give both ends, or neither.';
    if (pause !== '' && !/^\d{1,3}$/.test(pause)) errors[PREFS_FIELDS.pauseDays] = 'A number of days, 0 to 365.';
    else if (pause !== '' && Number(pause) > 365) errors[PREFS_FIELDS.pauseDays] = 'At most 365 days.';
    if (Object.keys(errors).length) return args.ack({ response_action: 'errors', errors });
    await args.ack();
    if (!deps.notifications) return;
    if (!(await firstDelivery(deps, args.body))) return;
    const realtimeOff = REALTIME_KINDS.filter(
      (kind) => field(PREFS_FIELDS.realtime(kind))?.selected_option?.value === 'off',
    );
    const saved = await runOrRefuse(notificationsSetPreferencesTool(deps.notifications), actorContext(deps, args), {
      digestTime,
      realtimeOff: realtimeOff as RealtimeKind[],
      quietStart,
      quietEnd,
      ...(pause !== '' ? { pauseDays: Number(pause) } : {}),
    });
    if (!('digestTime' in saved)) return tellPrivately(args, args.body.user.id, `:x: Not saved. ${saved.message}`);
    const paused = saved.pausedUntil && saved.pausedUntil > new Date();
    await tellPrivately(
      args,
      args.body.user.id,
      `:gear: Saved. Digest at ${saved.digestTime} (${saved.timezone}) on working days${
        paused ? `; everything paused until ${saved.pausedUntil?.toISOString().slice(0, 10)}` : ''
      }.`,
    );
  };
}

/** The listeners this capability adds, by kind and id (its Slack surface). */
export function notificationListeners(deps: NotificationSlackDeps) {
  return {
    actions: {
      ...Object.fromEntries(Object.values(NOTIFY_ACTIONS).map((id) => [id, notifyButton(deps, id)])),
      [NOTIFY_PREFS_OPEN]: openPrefs(deps),
    },
    views: { [NOTIFY_PREFS_MODAL]: prefsSubmitted(deps) },
  };
}
