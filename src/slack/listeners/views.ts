import { ASK_QUESTION_ACTION, ASK_QUESTION_BLOCK } from '../../../blocks/ask/modal.js';
import { failure, notConfigured } from '../../../blocks/notice.js';
import { type CommandReply, NOT_CONFIGURED } from '../commands.js';
import type { SlackDeps } from '../deps.js';
import type { EmCommand } from '../em-command.js';
import type { ViewArgs } from '../private-reply.js';
import { viewInput } from '../view-state.js';
import { firstDelivery } from './once.js';

/** Validates the Ask modal; a valid question is answered by DM through the `ask` capability. */
export function askSubmitted(deps: SlackDeps) {
  return async (args: ViewArgs) => {
    const { view, body, client } = args;
    const question = (viewInput(args, ASK_QUESTION_BLOCK, ASK_QUESTION_ACTION)?.value ?? '').trim();
    if (question.length < 3) {
      return args.ack({
        response_action: 'errors',
        errors: { [ASK_QUESTION_BLOCK]: 'Ask a question of at least 3 characters.' },
      });
    }
    await args.ack();
    if (!(await firstDelivery(deps, body))) return;
    const about = JSON.parse(view.private_metadata || '{}') as { text?: string };
    await runFromModal(
      deps,
      { name: 'ask', question, ...(about.text ? { context: about.text } : {}) },
      client,
      body.user.id,
    );
  };
}

// The modal is closed by then, so the answer arrives as a direct message.
async function runFromModal(deps: SlackDeps, command: EmCommand, client: ViewArgs['client'], userId: string) {
  const handler = deps.commands.get(command.name);
  const reply: CommandReply = handler
    ? await handler(
        { userId, channelId: userId, client, db: deps.db, logger: deps.logger, progress: async () => {} },
        command,
      ).catch((err) => {
        deps.logger.error({ err, command: command.name }, 'modal command failed');
        return failure(`That failed; the error was logged. Try again in a moment.`);
      })
    : notConfigured(command.name, NOT_CONFIGURED[command.name as keyof typeof NOT_CONFIGURED]);
  const { onPosted, ...message } = reply;
  const posted = await client.chat.postMessage({
    channel: userId,
    text: message.text,
    blocks: message.blocks as never,
  });
  await onPosted?.(posted.channel as string, posted.ts as string);
}
