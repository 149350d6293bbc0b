// What a person does with their own reminders and preferences, as tools: snooze, mute a rule, mark done, read and
// save the preferences. Each acts on the acting person's own items only.
import { z } from 'zod';
import { defineTool, positiveId, timestamp } from '../capabilities/tool.js';
import { REALTIME_KINDS, TIME_OF_DAY } from './model.js';
import type { NotificationService } from './service.js';

const itemId = positiveId('the reminder id, as the digest lists it');
const NOT_YOURS = 'That reminder is not yours or no longer exists.';
const outcome = <Shape extends z.ZodRawShape>(extra: Shape) =>
  z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(false), message: z.string() }),
    z.object({ ok: z.literal(true), message: z.string(), ...extra }),
  ]);

export function notificationsSnoozeTool(service: NotificationService) {
  return defineTool({
    name: 'notifications.snooze',
    description:
      'Snoozes one of your reminders (by its id in your digest) for a day or until Monday, or until something ' +
      'new happens to it.',
    kind: 'decide',
    input: z.object({ id: itemId, until: z.enum(['day', 'monday']).default('day') }),
    output: outcome({ until: timestamp }),
    run: async (ctx, input) => {
      const until = await service.snooze(ctx.person.slackId, input.id, input.until);
      return until
        ? { ok: true as const, until, message: `Snoozed until ${until.toISOString()}, or until it changes.` }
        : { ok: false as const, message: NOT_YOURS };
    },
  });
}

export function notificationsDoneTool(service: NotificationService) {
  return defineTool({
    name: 'notifications.done',
    description:
      'Marks one of your reminders (by its id in your digest) done; it comes back only if something new happens ' +
      'to it. An incident action item is marked done on the incident too.',
    kind: 'decide',
    input: z.object({ id: itemId }),
    output: outcome({}),
    run: async (ctx, input) =>
      (await service.done(ctx.person.slackId, input.id))
        ? { ok: true as const, message: 'Marked done. It comes back only if something new happens to it.' }
        : { ok: false as const, message: NOT_YOURS },
  });
}

export function notificationsMuteTool(service: NotificationService) {
  return defineTool({
    name: 'notifications.mute',
    description:
      'Mutes, for you only, the rule behind one of your reminders (its id in your digest and the rule it names): ' +
      'its reminders no longer reach you, in DMs, the digest or Home.',
    kind: 'decide',
    input: z.object({ id: itemId, rule: z.string().min(1).max(100) }),
    output: outcome({ rule: z.string() }),
    run: async (ctx, input) => {
      const muted = await service.mute(ctx.person.slackId, input.id, input.rule);
      return muted
        ? { ok: true as const, rule: muted, message: `Muted ${muted} for you.` }
        : { ok: false as const, message: NOT_YOURS };
    },
  });
}

const prefsOutput = z.object({
  digestTime: z.string(),
  timezone: z.string(),
  realtimeOff: z.array(z.string()),
  quietStart: z.string().nullable(),
  quietEnd: z.string().nullable(),
  pausedUntil: timestamp.nullable(),
});

export function notificationsPreferencesTool(service: NotificationService) {
  return defineTool({
    name: 'notifications.preferences',
    description:
      'Your notification preferences: digest time and time zone, the real-time kinds you turned off, quiet hours, ' +
      'and a pause.',
    kind: 'read',
    input: z.object({}),
    output: prefsOutput,
    run: (ctx) => service.prefsOf(ctx.person.slackId),
  });
}

const timeOfDay = (what: string) =>
  z
    .string()
    .trim()
    .regex(TIME_OF_DAY, { error: `${what}: a time such as 09:30.` });

export function notificationsSetPreferencesTool(service: NotificationService) {
  return defineTool({
    name: 'notifications.setPreferences',
    description:
      'Saves your notification preferences: `digestTime` (HH:MM, 24-hour, your time zone), `realtimeOff` (of ' +
      `${REALTIME_KINDS.join(', ')}: those wait for the digest), quiet hours (\`quietStart\` and \`quietEnd\`, both ` +
      'or neither) and `pauseDays` (0 to 365; 0 ends a pause).',
    kind: 'decide',
    input: z
      .object({
        digestTime: timeOfDay('digestTime'),
        realtimeOff: z.array(z.enum(REALTIME_KINDS)).default([]),
        quietStart: timeOfDay('quietStart').nullable().default(null),
        quietEnd: timeOfDay('quietEnd').nullable().default(null),
        pauseDays: z.number().int().min(0).max(365, { error: 'pauseDays: at most 365 days.' }).optional(),
      })
      .refine((p) => (p.quietStart === null) === (p.quietEnd === null), {
        error: 'Quiet hours: give both ends, or neither.',
      }),
    output: prefsOutput,
    run: (ctx, input) => service.savePrefs(ctx.person.slackId, input),
  });
}
