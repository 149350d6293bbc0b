import { failure, notConfigured } from '../../../blocks/notice.js';
import type { CommandReply } from '../commands.js';
import type { SlackDeps } from '../deps.js';
import type { OwnCommand } from '../em-command.js';
import type { ViewArgs } from '../private-reply.js';

/** Runs an `/em` subcommand submitted from a modal; the modal is closed by then, so the reply is a direct message. */
export async function runFromModal(deps: SlackDeps, command: OwnCommand, client: ViewArgs['client'], userId: string) {
  const handler = deps.commands.get(command.name);
  const reply: CommandReply = handler
    ? await handler(
        { userId, channelId: userId, client, db: deps.db, logger: deps.logger, progress: async () => {} },
        command,
      ).catch((err) => {
        deps.logger.error({ err, command: command.name }, 'modal command failed');
        return failure(`That failed; the error was logged. Try again in a moment.`);
      })
    : notConfigured(command.name, deps.commands.placeholder(command.name));
  const { onPosted, ...message } = reply;
  const posted = await client.chat.postMessage({
    channel: userId,
    text: message.text,
    blocks: message.blocks,
  });
  await onPosted?.(posted.channel as string, posted.ts as string);
}
