import type { MessageShortcut } from '@slack/bolt';
import { answerMessage } from '../../blocks/ask/answer.js';
import { ASK_QUESTION_ACTION, ASK_QUESTION_BLOCK, askModal } from '../../blocks/ask/modal.js';
import { runTool } from '../capabilities/tool.js';
import { type CommandHandler, toolContextOf } from '../slack/commands.js';
import type { SlackDeps } from '../slack/deps.js';
import { firstDelivery } from '../slack/listeners/once.js';
import { openModalFromShortcut, type ShortcutArgs } from '../slack/listeners/shortcuts.js';
import { runFromModal } from '../slack/listeners/views.js';
import { channelIdOf } from '../slack/membership.js';
import { type ButtonArgs, tellPrivately, type ViewArgs } from '../slack/private-reply.js';
import { viewInput } from '../slack/view-state.js';
import type { AskCommand } from './args.js';
import type { AskService } from './service.js';
import type { askAnswerTool } from './tools.js';

/**
 * `/em ask <question>`: answered privately; `/em ask post #channel <question>` posts it, and questions asked in
 * the answer's thread are answered there with the thread as context. From the modal the answer is a DM.
 */
export function askCommand(service: AskService, tool: ReturnType<typeof askAnswerTool>): CommandHandler<AskCommand> {
  return async (ctx, command) => {
    // Posted, everyone in the target channel reads the answer: only public documents and that channel's own count.
    const forChannel = command.post
      ? ((await channelIdOf(ctx.client, command.post.channel).catch(() => undefined)) ?? NO_CHANNEL)
      : undefined;
    const answer = await runTool(tool, toolContextOf(ctx), {
      question: command.question,
      context: command.context,
      forChannel,
    });
    return {
      ...answerMessage({ ...answer, askedBy: ctx.userId }),
      onPosted: (channel, ts) => service.posted(answer.id, channel, ts),
    };
  };
}

// A channel that could not be resolved: no private channel's documents may be used.
const NO_CHANNEL = '-';

/** A reply in the thread of an answer is a follow-up question. */
export async function followUpInThread(
  ask: AskService,
  event: {
    channel: string;
    thread_ts?: string;
    ts: string;
    user?: string;
    text?: string;
    bot_id?: string;
    subtype?: string;
  },
  client: ButtonArgs['client'],
): Promise<void> {
  if (!event.thread_ts || event.thread_ts === event.ts || event.bot_id || event.subtype || !event.user) return;
  const text = (event.text ?? '').trim();
  if (text.length < 3 || !(await ask.isAnswerThread(event.channel, event.thread_ts))) return;
  // The thread is read by the channel's members: the channel's own documents and public ones.
  const answer = await ask.ask({
    text,
    askedBy: event.user,
    thread: { channel: event.channel, ts: event.thread_ts },
    visibleTo: [event.channel],
  });
  const message = answerMessage({ ...answer, askedBy: event.user });
  await client.chat.postMessage({
    channel: event.channel,
    thread_ts: event.thread_ts,
    text: message.text,
    blocks: message.blocks,
  });
}

export function feedbackClicked(deps: SlackDeps, service: AskService, helpful: boolean) {
  return async (args: ButtonArgs) => {
    await args.ack();
    const id = Number(args.action.value);
    if (!Number.isInteger(id)) return;
    if (!(await firstDelivery(deps, args.body))) return;
    const tally = await service.feedback(id, args.body.user.id, helpful);
    await tellPrivately(
      args,
      args.body.user.id,
      `Thanks, noted as ${helpful ? 'helpful' : 'not helpful'} (${tally.helpful} helpful, ${tally.notHelpful} not so far).${helpful ? '' : ' Helpful answers are what later answers learn from.'}`,
    );
  };
}

/** Validates the Ask modal; a valid question is answered by DM through `/em ask`. */
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

export const ASK_SHORTCUT = 'ask_em_agent';
export const ASK_ABOUT_MESSAGE_SHORTCUT = 'ask_about_message';

export function askShortcut(deps: SlackDeps) {
  return (args: ShortcutArgs) => openModalFromShortcut(deps, args, askModal());
}

export function askAboutMessage(deps: SlackDeps) {
  return (args: ShortcutArgs) => {
    const shortcut = args.shortcut as MessageShortcut;
    return openModalFromShortcut(
      deps,
      args,
      askModal({
        aboutMessage: { channel: shortcut.channel.id, ts: shortcut.message_ts, text: shortcut.message.text ?? '' },
      }),
    );
  };
}
