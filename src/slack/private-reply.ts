import type {
  AllMiddlewareArgs,
  BlockAction,
  ButtonAction,
  SlackActionMiddlewareArgs,
  SlackViewMiddlewareArgs,
} from '@slack/bolt';

export type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;
export type ViewArgs = SlackViewMiddlewareArgs & AllMiddlewareArgs;

/**
 * Tells the person behind a click or a modal something only they see: in the conversation of the click when
 * there is one (response URL, else an ephemeral message), otherwise by DM (Home tab, modal submissions).
 */
export async function tellPrivately(args: ButtonArgs | ViewArgs, userId: string, text: string): Promise<void> {
  const body = args.body as { response_url?: string; channel?: { id: string } };
  if ('respond' in args && body.response_url) {
    await args.respond({ response_type: 'ephemeral', replace_original: false, text });
    return;
  }
  if (body.channel?.id) {
    await args.client.chat.postEphemeral({ channel: body.channel.id, user: userId, text });
    return;
  }
  const dm = await args.client.conversations.open({ users: userId });
  await args.client.chat.postMessage({ channel: dm.channel?.id as string, text });
}
