import { truncate, userText } from '../../blocks/text.js';
import type { ToolContext } from '../capabilities/tool.js';
import { channelIdOf, channelMembership } from '../slack/membership.js';

/**
 * What a person proposes through a door (the REST API, MCP, the agent) is theirs, whatever policy then lets run:
 * text the bot posts for them reads as typed and says who sent it (no `@channel`, no disguised link, no message that
 * looks like the bot's own), and a post or an invitation goes only to a channel they are in, as in Slack itself.
 * Returns the params to propose, or why they are refused.
 */
export async function asTheirOwn(
  ctx: ToolContext,
  action: string,
  params: Record<string, unknown>,
): Promise<{ params: Record<string, unknown> } | { refused: string }> {
  const person = ctx.person.slackId;
  const signed = (text: unknown) =>
    `${truncate(userText(String(text)), 2900)}\n_sent for <@${person}> through em-agent_`;
  if (action === 'slack.dm') return { params: { ...params, text: signed(params.text) } };
  if (action !== 'slack.post' && action !== 'slack.invite') return { params };
  if (!ctx.slack) return { refused: `${action} needs Slack, which this door cannot reach now.` };
  const named = String(params.channel);
  const channel = await channelIdOf(ctx.slack, named).catch(() => undefined);
  if (!channel || !(await channelMembership.isMember(ctx.slack, channel, person)))
    return { refused: `You can only ${action === 'slack.post' ? 'post' : 'invite people'} to a channel you are in.` };
  return { params: action === 'slack.post' ? { ...params, channel, text: signed(params.text) } : params };
}
