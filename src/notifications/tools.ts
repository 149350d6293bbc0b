import { z } from 'zod';
import { defineTool } from '../capabilities/tool.js';
import { GROUPS } from './model.js';
import type { NotificationService } from './service.js';

const reason = z.object({ rule: z.string(), kind: z.string(), text: z.string(), since: z.string() });
export const digestOutput = z.object({
  recipient: z.string(),
  lines: z.array(
    z.object({
      id: z.number().int(),
      group: z.enum(GROUPS),
      title: z.string(),
      url: z.string().nullable(),
      reasons: z.array(reason),
    }),
  ),
  more: z.number().int(),
});

/** `notifications.digest`: what would be in my digest now. */
export function notificationsDigestTool(service: NotificationService) {
  return defineTool({
    name: 'notifications.digest',
    description:
      'What would be in your digest now: everything waiting on you (reviews requested of you, your PRs waiting on others or broken main since your merge, your blocked tickets, approvals, team items, escalations), one line per pull request or ticket with every reason, snoozed items and muted rules left out.',
    kind: 'read',
    // It lists private incidents' action items as written for their owner, approvals and escalations: for the person.
    privately: 'Your digest is only shown to you: ask me in a DM, or open the Home tab.',
    input: z.object({}),
    output: digestOutput,
    run: (ctx) => service.digestFor(ctx.person.slackId),
  });
}
