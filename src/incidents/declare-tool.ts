// Declaring an incident as a tool: its own Slack channel, the pinned card, the announcement, a suggested cause.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { defineTool, type ToolContext } from '../capabilities/tool.js';
import { channelMembership } from '../slack/membership.js';
import { INCIDENT_SEVERITIES, type IncidentSeverity } from './model.js';
import type { IncidentService } from './service.js';
import { slackUser } from './tool-access.js';

const SEVERITY_VALUES = INCIDENT_SEVERITIES.map((s) => s.value) as [IncidentSeverity, ...IncidentSeverity[]];
const optionalText = z
  .string()
  .trim()
  .nullable()
  .default(null)
  .transform((v) => v || null);

export const incidentsDeclareInput = z.object({
  title: z.string().trim().min(3, { error: 'Give the incident a title of at least 3 characters.' }),
  severity: z.enum(SEVERITY_VALUES, { error: 'Severity must be SEV1, SEV2, SEV3 or SEV4.' }).nullable().default(null),
  service: optionalText,
  description: optionalText,
  /** Defaults to the declaring person. */
  commander: slackUser.nullable().default(null),
  /** The same key twice declares one incident (a form submitted twice); so does the same title by the same person. */
  requestKey: z.string().min(1).max(200).optional(),
  /** The Slack message it was declared from: it is linked on the card and told in its thread. */
  origin: z.object({ channel: z.string().min(1), ts: z.string().min(1) }).optional(),
});

export const incidentsDeclareOutput = z.discriminatedUnion('outcome', [
  z.object({
    outcome: z.literal('declared'),
    number: z.number(),
    title: z.string(),
    severity: z.enum(SEVERITY_VALUES).nullable(),
    commander: z.string().nullable(),
    channelId: z.string().nullable(),
    channelName: z.string().nullable(),
    /** Steps after the channel that did not work (a topic, an invitation, the announcement), each explained. */
    problems: z.array(z.string()),
  }),
  z.object({
    outcome: z.literal('duplicate'),
    number: z.number(),
    title: z.string(),
    channelId: z.string().nullable(),
  }),
  z.object({ outcome: z.literal('failed'), message: z.string() }),
]);

export type DeclareResult = z.output<typeof incidentsDeclareOutput>;

/** A message in a channel the person is in (from Slack, the shortcut on it says they see it). */
async function seesOrigin(ctx: ToolContext, channel: string): Promise<boolean> {
  if (ctx.via === 'slack') return true;
  return (
    Boolean(ctx.slack) &&
    channelMembership.isMember(ctx.slack as NonNullable<ToolContext['slack']>, channel, ctx.person.slackId)
  );
}

export function incidentsDeclareTool(service: IncidentService) {
  return defineTool({
    name: 'incidents.declare',
    description:
      'Declares an incident as the acting person: a title (at least 3 characters), optionally severity SEV1-SEV4, ' +
      'affected service, description and commander (a Slack user id; else the declarer). Creates its Slack ' +
      'channel (private when the incidents policy says so), invites the responders, pins the card, announces it, ' +
      'suggests a deployment as the cause. Returns its number (INC-n) and channel.',
    kind: 'decide',
    input: incidentsDeclareInput,
    output: incidentsDeclareOutput,
    run: async (ctx, input): Promise<DeclareResult> => {
      if (!service.slackConnected)
        return { outcome: 'failed', message: 'The incident co-pilot is not running (Slack is not connected).' };
      if (input.origin && !(await seesOrigin(ctx, input.origin.channel)))
        return { outcome: 'failed', message: 'You are not in the channel of that message.' };
      const result = await service.declare({
        // A caller's key is theirs: another person's same key declares their own incident and learns nothing of it.
        requestKey: input.requestKey ? `person:${ctx.person.slackId}:${input.requestKey}` : `tool:${randomUUID()}`,
        title: input.title,
        severity: input.severity,
        service: input.service,
        description: input.description,
        declaredBy: ctx.person.slackId,
        commander: input.commander,
        ...(input.origin ? { origin: input.origin } : {}),
      });
      if (result.outcome === 'failed') return { outcome: 'failed', message: result.reason };
      const { incident } = result;
      if (result.outcome === 'duplicate')
        return { outcome: 'duplicate', number: incident.number, title: incident.title, channelId: incident.channelId };
      return {
        outcome: 'declared',
        number: incident.number,
        title: incident.title,
        severity: incident.severity,
        commander: incident.commander,
        channelId: incident.channelId,
        channelName: incident.channelName,
        problems: result.problems,
      };
    },
  });
}
