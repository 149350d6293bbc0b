// What the tools that change an incident share: the incident as the acting person may see it, their input fields,
// and the shape of what they return (a change, or a refusal with its message).
import { z } from 'zod';
import { positiveId, type ToolContext } from '../capabilities/tool.js';
import { channelMembership, onlyVisible } from '../slack/membership.js';
import type { Incident } from './model.js';
import type { IncidentService } from './service.js';
import { incidentByNumber } from './store.js';

/** The incident's number: INC-12 is 12. Numbers are PostgreSQL integers: a larger one must not reach SQL. */
export const incidentNumber = positiveId('the incident number, e.g. 12 for INC-12', {
  max: 2_147_483_647,
  tooLarge: 'no incident has a number that large',
});

export const slackUser = z.string().regex(/^[UW][A-Z0-9]+$/, { error: 'must be a Slack user id such as U012AB3CD' });

export const refusalOutput = z.object({ ok: z.literal(false), message: z.string() });

/** A change to one incident: `changed` is false when it already was so (the message says which). */
export function changeOutput<Shape extends z.ZodRawShape>(extra: Shape) {
  return z.discriminatedUnion('ok', [
    refusalOutput,
    z.object({
      ok: z.literal(true),
      number: z.number(),
      channelId: z.string().nullable(),
      changed: z.boolean(),
      message: z.string(),
      ...extra,
    }),
  ]);
}

export type Refusal = { ok: false; message: string };

export const noIncident = (number: number): Refusal => ({ ok: false, message: `There is no incident INC-${number}.` });

/**
 * Whether the person may see what is visible in `channel` (null: everyone). A "no" from the cached member list is
 * asked again: it may date from before they joined, and the co-pilot invites responders as an incident goes on.
 */
async function sees(ctx: ToolContext, channel: string | null): Promise<boolean> {
  const visible = async () => (await onlyVisible([{ visibleIn: channel }], ctx.slack, ctx.person.slackId)).length > 0;
  if (!channel || (await visible())) return true;
  channelMembership.forget(channel);
  return visible();
}

/**
 * The incident with this number, when the acting person may change it: anyone who can see it (an incident in a
 * private channel is its members' only; to anyone else it does not exist), with Slack connected to act in.
 */
export async function incidentToChange(
  service: IncidentService,
  ctx: ToolContext,
  number: number,
): Promise<{ incident: Incident } | Refusal> {
  const found = await incidentByNumber(ctx.db, number);
  if (!found || !(await sees(ctx, found.visibleIn))) return noIncident(number);
  if (!service.slackConnected)
    return { ok: false, message: 'The incident co-pilot is not running (Slack is not connected).' };
  return { incident: found.incident };
}

/** The common part of a change's output. */
export const changed = (incident: Incident, didChange: boolean, message: string) => ({
  ok: true as const,
  number: incident.number,
  channelId: incident.channelId,
  changed: didChange,
  message,
});
