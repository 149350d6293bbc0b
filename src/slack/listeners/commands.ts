import type { AllMiddlewareArgs, RespondArguments, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { helpMessage, type SlackMessage, unknownCommandMessage } from '../../../blocks/help.js';
import { failure, notConfigured, notice, workingOn } from '../../../blocks/notice.js';
import { isStopping } from '../../lib/stopping.js';
import { COMMAND_CONCURRENCY, commandSlots } from '../command-slots.js';
import type { CommandHandler } from '../commands.js';
import type { SlackDeps, SlackHandler } from '../deps.js';
import { type OwnCommand, parseEmCommand } from '../em-command.js';
import { describeSlackError } from '../errors.js';
import { isNearMiss } from '../free-text.js';
import { channelIdOf, channelMembership } from '../membership.js';
import { firstDelivery } from './once.js';

type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

const ephemeral = (message: SlackMessage): RespondArguments => ({ response_type: 'ephemeral', ...message });

/** `/em …`: acks at once (help and usage errors ride on the ack), then does the work and replaces the reply. */
export function emCommand(deps: SlackDeps, freeText?: SlackHandler) {
  const inTurn = deps.commandSlots ?? commandSlots(COMMAND_CONCURRENCY);
  return async (args: CommandArgs) => {
    const { command, ack, body } = args;
    const parsed = parseEmCommand(command.text, deps.commands.syntaxes());
    const commands = deps.commands.help();
    // Free text that is no subcommand, nor a near-miss of one, is a question for the agent.
    if (
      !parsed.ok &&
      parsed.reason === 'unknown' &&
      freeText &&
      !isNearMiss(command.text, parsed.suggestion, deps.commands.syntaxes())
    )
      return freeText(args);
    if (!parsed.ok) {
      const reply =
        parsed.reason === 'unknown'
          ? unknownCommandMessage(commands, parsed.input, parsed.suggestion)
          : helpMessage({
              commands,
              problem: `\`/em${parsed.command ? ` ${parsed.command}` : ''}\`: ${parsed.message}`,
            });
      return ack(ephemeral(reply));
    }
    if (parsed.command.name === 'help') return ack(ephemeral(helpMessage({ commands })));

    const name = parsed.command.name;
    const handler = deps.commands.get(name);
    if (!handler) return ack(ephemeral(notConfigured(name, deps.commands.placeholder(name))));

    await ack(ephemeral(workingOn(`\`/em ${name}\``)));
    if (!(await firstDelivery(deps, body))) return;
    const notBegun = () =>
      args.respond({ ...ephemeral(stoppedBefore(name)), replace_original: true }).then(() => undefined);
    await inTurn(() => run(args, name, parsed.command, handler), notBegun);
  };

  async function run(args: CommandArgs, name: string, parsed: OwnCommand, handler: CommandHandler) {
    const { command, respond, client } = args;
    const replace = (message: SlackMessage) =>
      respond({ response_type: 'ephemeral', ...message, replace_original: true });
    const post = postTarget(parsed);
    const refusal = post ? await postRefusal(client, post, command.user_id) : undefined;
    if (refusal) return void (await replace(failure(refusal)));
    try {
      const result = await handler(
        {
          userId: command.user_id,
          channelId: command.channel_id,
          triggerId: command.trigger_id,
          client,
          db: deps.db,
          logger: deps.logger.child({ command: name }),
          progress: (text) => replace(workingOn(text)).then(() => undefined),
        },
        parsed,
      );
      const { onPosted, ...message } = result;
      if (!post) return void (await replace(message));
      try {
        const posted = await client.chat.postMessage({
          channel: post,
          text: message.text,
          blocks: message.blocks,
        });
        await onPosted?.(posted.channel as string, posted.ts as string);
        await replace(notice(`Posted to <#${posted.channel}>.`, ':white_check_mark:'));
      } catch (err) {
        await replace(failure(describeSlackError(err, post.startsWith('#') ? post : `<#${post}>`)));
      }
    } catch (err) {
      if (isStopping(err)) return void (await replace(stoppedBefore(name)).catch(() => {}));
      deps.logger.error({ err, command: name }, '/em command failed');
      await replace(failure(`\`/em ${name}\` failed; the error was logged. Try again in a moment.`)).catch(() => {});
    }
  }
}

/** The answer of a command the process stopped before it began or finished. */
const stoppedBefore = (name: string) =>
  notice(
    `em-agent stopped (a restart or an update) before it finished \`/em ${name}\`. Run it again in a minute.`,
    ':arrows_counterclockwise:',
  );

/** Why `post #channel` is refused, or undefined: only members of a channel may have the bot post there. */
async function postRefusal(client: CommandArgs['client'], target: string, userId: string): Promise<string | undefined> {
  const shown = target.startsWith('#') ? target : `<#${target}>`;
  const channel = await channelIdOf(client, target).catch(() => undefined);
  // A channel the bot cannot see is one it cannot post to either: Slack's own answer explains that.
  if (!channel) return undefined;
  if (!(await channelMembership.isMember(client, channel, userId)))
    return `You are not a member of ${shown}, so I won't post there for you.`;
  return undefined;
}

function postTarget(command: OwnCommand): string | undefined {
  return 'post' in command ? command.post?.channel : undefined;
}
