// The agent's Slack doors: DMs to the bot, @mentions (answered in a thread), replies in those threads (with memory),
// `/em <free text>`, the buttons it offers when unsure, and the assistant pane (Bolt's Assistant).
import { type AllMiddlewareArgs, Assistant, type SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import {
  AGENT_CHOOSE_ACTION,
  AGENT_CONFIRM_ACTION,
  greetingMessage,
  MAX_CONFIRMATIONS,
  SUGGESTED_PROMPTS,
} from '../../blocks/agent/answer.js';
import type { SlackMessage } from '../../blocks/help.js';
import { failure, workingOn } from '../../blocks/notice.js';
import type { SlackDeps as DoorDeps } from '../slack/deps.js';
import { firstDelivery } from '../slack/listeners/once.js';
import type { PlannedCall } from './planner.js';
import type { AgentRequest, AgentService } from './service.js';
import { lastTurns, saveThreadContext, threadContext } from './store.js';

type CommandArgs = SlackCommandMiddlewareArgs & AllMiddlewareArgs;
/** The Slack door's dependencies and the agent (see capability.ts). */
export interface SlackDeps extends DoorDeps {
  agent?: AgentService;
}
const post = (client: WebClient, channel: string, threadTs: string | undefined, message: SlackMessage) =>
  client.chat.postMessage({
    channel,
    ...(threadTs ? { thread_ts: threadTs } : {}),
    text: message.text,
    blocks: message.blocks,
    unfurl_links: false,
  });

/** `/em <free text>`: acks at once, then replaces the reply with the agent's answer (private to the person). */
export async function agentCommand(
  deps: SlackDeps,
  agent: AgentService,
  { command, ack, respond, client, context, body }: CommandArgs,
) {
  await ack({ response_type: 'ephemeral', ...workingOn('your question') });
  if (!(await firstDelivery(deps, body))) return;
  const replace = (message: SlackMessage) =>
    respond({ response_type: 'ephemeral', replace_original: true, ...message });
  const result = await agent.handle({
    person: command.user_id,
    text: command.text,
    door: 'command',
    threadKey: null,
    slack: client,
    botUserId: context.botUserId,
    contextChannel: command.channel_id,
  });
  await replace(result.message).catch(() => replace(failure('The answer could not be shown; try again.')));
}

const threadKeyOf = (channel: string, ts: string) => `${channel}:${ts}`;

async function isAgentThread(deps: SlackDeps, key: string): Promise<boolean> {
  if ((await lastTurns(deps.db, key, 1)).length > 0) return true;
  return Object.keys(await threadContext(deps.db, key)).length > 0;
}

interface MessageEvent {
  channel: string;
  ts: string;
  thread_ts?: string;
  user?: string;
  text?: string;
  bot_id?: string;
  subtype?: string;
  channel_type?: string;
}

/**
 * A message the agent should answer: a DM to the bot (answered in its thread), or a reply in a thread the agent
 * is in (a mention's thread, a DM's thread). Messages that mention the bot are left to app_mention. True when the
 * agent took the message (assistant-pane threads go to the Assistant).
 */
export async function agentHeardMessage(
  deps: SlackDeps,
  args: AllMiddlewareArgs & { event: unknown },
): Promise<boolean> {
  const agent = deps.agent;
  const e = args.event as MessageEvent;
  if (!agent || e.subtype || e.bot_id || !e.user || e.user === args.context.botUserId) return false;
  const text = (e.text ?? '').trim();
  if (!text) return false;
  if (e.thread_ts && e.thread_ts !== e.ts) {
    const key = threadKeyOf(e.channel, e.thread_ts);
    const ctx = await threadContext(deps.db, key);
    if (ctx.assistant) {
      await runAssistant(deps, { ...args, payload: e });
      return true;
    }
    if (args.context.botUserId && text.includes(`<@${args.context.botUserId}>`)) return false;
    if (!(await isAgentThread(deps, key))) return false;
    await answerInThread(deps, agent, args, e, e.thread_ts, e.channel_type === 'im' ? 'dm' : 'mention');
    return true;
  }
  if (e.channel_type !== 'im') return false;
  await answerInThread(deps, agent, args, e, e.ts, 'dm');
  return true;
}

async function answerInThread(
  deps: SlackDeps,
  agent: AgentService,
  { client, context }: AllMiddlewareArgs,
  e: MessageEvent,
  threadTs: string,
  door: AgentRequest['door'],
) {
  const result = await agent.handle({
    person: e.user as string,
    text: e.text ?? '',
    door,
    threadKey: threadKeyOf(e.channel, threadTs),
    slack: client,
    botUserId: context.botUserId,
    audience: audienceOf(e.channel),
  });
  await post(client, e.channel, threadTs, result.message).catch((err) =>
    deps.logger.warn({ err }, 'agent answer could not be posted'),
  );
}

/** An answer posted in a DM is the person's; in any other conversation, its members read it too. */
const audienceOf = (channel: string): 'person' | 'channel' => (channel.startsWith('D') ? 'person' : 'channel');

/** `@EM Agent …` in a channel: answered in the message's thread; the thread then remembers. */
export function agentMention(deps: SlackDeps) {
  return async (args: AllMiddlewareArgs & { event: MessageEvent }) => {
    const agent = deps.agent;
    const e = args.event;
    if (!agent || !e.user || e.bot_id) return;
    const threadTs = e.thread_ts ?? e.ts;
    const result = await agent.handle({
      person: e.user,
      text: e.text ?? '',
      door: 'mention',
      threadKey: threadKeyOf(e.channel, threadTs),
      slack: args.client,
      botUserId: args.context.botUserId,
      audience: audienceOf(e.channel),
    });
    await post(args.client, e.channel, threadTs, result.message).catch((err) =>
      deps.logger.warn({ err, channel: e.channel }, 'agent answer could not be posted'),
    );
  };
}

/** A click on one of the agent's buttons under an answer. */
type AgentButtonArgs = AllMiddlewareArgs &
  Record<string, never> & {
    ack: () => Promise<void>;
    action: { value?: string };
    body: { user: { id: string }; channel?: { id: string }; message?: { ts: string; thread_ts?: string } };
    respond: (message: unknown) => Promise<unknown>;
  };

/** A button the agent offered when unsure: runs that tool and replaces the offer with the answer. */
export function agentChoice(deps: SlackDeps) {
  return async ({ ack, action, body, respond, client }: AgentButtonArgs) => {
    await ack();
    const agent = deps.agent;
    if (!agent) return;
    let call: PlannedCall | undefined;
    try {
      call = JSON.parse(action.value ?? '') as PlannedCall;
    } catch {
      call = undefined;
    }
    const tool = call && agent.tools.find((t) => t.name === call?.tool);
    if (!call || !tool || tool.kind !== 'read')
      return void (await respond({ response_type: 'ephemeral', ...failure('That choice is no longer valid.') }));
    const channel = body.channel?.id;
    const threadTs = body.message?.thread_ts ?? body.message?.ts;
    const result = await agent.runChosen(
      {
        person: body.user.id,
        door: 'button',
        threadKey: channel && threadTs ? threadKeyOf(channel, threadTs) : null,
        slack: client,
        audience: channel ? audienceOf(channel) : 'person',
      },
      { tool: call.tool, args: typeof call.args === 'object' && call.args ? call.args : {} },
    );
    await respond({ replace_original: true, ...result.message });
  };
}

export const AGENT_CHOICE_ACTIONS = [0, 1, 2].map((i) => `${AGENT_CHOOSE_ACTION}_${i}`);

/**
 * Confirm, under an answer where the model chose a tool that changes something: runs it for the person who asked
 * (nobody else may), once; the result is shown to them.
 */
export function agentConfirm(deps: SlackDeps) {
  return async ({ ack, action, body, respond, client }: AgentButtonArgs) => {
    await ack();
    const agent = deps.agent;
    const id = Number(action.value);
    if (!agent || !Number.isInteger(id)) return;
    if (!(await firstDelivery(deps, body as never))) return;
    const channel = body.channel?.id;
    const result = await agent.runConfirmed(
      {
        person: body.user.id,
        door: 'button',
        threadKey: null,
        slack: client,
        audience: channel ? audienceOf(channel) : 'person',
      },
      id,
    );
    await respond({
      response_type: 'ephemeral',
      replace_original: false,
      ...(result?.message ??
        failure('Only the person who asked can confirm this, once, within a day; it was not run.')),
    });
  };
}

export const AGENT_CONFIRM_ACTIONS = Array.from(
  { length: MAX_CONFIRMATIONS },
  (_, i) => `${AGENT_CONFIRM_ACTION}_${i}`,
);

const assistants = new WeakMap<SlackDeps, Assistant>();

/**
 * The assistant pane: a greeting and suggested prompts when a thread starts, the channel the person is looking at
 * kept as the thread's context (in the database), and each message answered with status updates meanwhile.
 */
export function assistantFor(deps: SlackDeps): Assistant {
  const existing = assistants.get(deps);
  if (existing) return existing;
  const keyOf = (payload: unknown) => {
    const p = payload as {
      assistant_thread?: { channel_id: string; thread_ts: string };
      channel?: string;
      thread_ts?: string;
    };
    return p.assistant_thread
      ? threadKeyOf(p.assistant_thread.channel_id, p.assistant_thread.thread_ts)
      : threadKeyOf(String(p.channel), String(p.thread_ts));
  };
  const save = async ({ payload }: { payload: unknown }) => {
    const context = (payload as { assistant_thread?: { context?: Record<string, unknown> } }).assistant_thread?.context;
    await saveThreadContext(deps.db, keyOf(payload), { assistant: true, ...(context ?? {}) });
  };
  const assistant = new Assistant({
    threadContextStore: {
      get: async ({ payload }) => {
        const { assistant: _flag, ...context } = await threadContext(deps.db, keyOf(payload));
        return context;
      },
      save,
    },
    threadStarted: async ({ payload, say, setSuggestedPrompts }) => {
      await save({ payload });
      const greeting = greetingMessage();
      await say({ text: greeting.text, blocks: greeting.blocks });
      await setSuggestedPrompts({ prompts: SUGGESTED_PROMPTS, title: 'Try one of these:' });
    },
    threadContextChanged: save,
    userMessage: async ({ message, say, setStatus, setTitle, getThreadContext, client, context }) => {
      const m = message as MessageEvent;
      if (!deps.agent || !m.user || !m.text) return;
      const key = threadKeyOf(m.channel, m.thread_ts ?? m.ts);
      if ((await lastTurns(deps.db, key, 1)).length === 0) await setTitle(m.text.slice(0, 80));
      await setStatus('is looking into it…');
      const threadCtx = (await getThreadContext()) as { channel_id?: string };
      // Long answers stream: each tool's summary line as it is ready, the full answer's blocks at the end.
      const stream = streamTo(client, m.channel, key.split(':')[1] as string, m.user, context.teamId);
      const result = await deps.agent.handle({
        person: m.user,
        text: m.text,
        door: 'assistant',
        threadKey: key,
        slack: client,
        botUserId: context.botUserId,
        contextChannel: threadCtx.channel_id,
        status: (text) => setStatus(text).then(() => undefined),
        onPart: (label, part) => stream.part(label, part),
      });
      if (!(await stream.finish(result.message)))
        await say({ text: result.message.text, blocks: result.message.blocks });
    },
  });
  assistants.set(deps, assistant);
  return assistant;
}

/** The assistant pane's events as ordinary event listeners (the listener table names them). */
export function assistantEvent(deps: SlackDeps) {
  return async (args: AllMiddlewareArgs & { event: unknown }) => {
    if (!deps.agent) return;
    await runAssistant(deps, { ...args, payload: args.event });
  };
}

/** Hands an event to Bolt's Assistant (its own middleware: it checks the event is the pane's, then runs it). */
function runAssistant(deps: SlackDeps, args: AllMiddlewareArgs & { payload: unknown }) {
  return assistantFor(deps).getMiddleware()({ ...args, next: async () => {} } as never);
}

/**
 * A summary line (titles of documents and PRs included: others' text) for a streamed reply's markdown: no Slack markup,
 * no markdown link or image (`[a trusted name](https://elsewhere)`), no autolink, and no word Slack might read as a
 * broadcast. Addresses still show, as text.
 */
export const markdownSafe = (line: string) =>
  line.replace(/[<>&[\]]/g, ' ').replace(/@(channel|here|everyone)\b/gi, '@\u200b$1');

/**
 * A streamed reply (chat.startStream, appendStream, stopStream through the Web API's ChatStreamer). When streaming
 * is not available (an older workspace, a failing call), `finish` answers false and the caller posts one message.
 */
function streamTo(client: WebClient, channel: string, threadTs: string, user: string, teamId: string | undefined) {
  let streamer: ReturnType<WebClient['chatStream']> | undefined;
  let broken = false;
  const guard = async (work: () => Promise<unknown>) => {
    if (broken) return;
    try {
      await work();
    } catch {
      broken = true;
    }
  };
  return {
    part: (label: string, part: SlackMessage) =>
      guard(async () => {
        streamer ??= client.chatStream({
          channel,
          thread_ts: threadTs,
          recipient_user_id: user,
          ...(teamId ? { recipient_team_id: teamId } : {}),
          buffer_size: 1,
        });
        const line = part.text.split('\n')[0] ?? '';
        await streamer.append({ markdown_text: `*${label}*: ${markdownSafe(line).slice(0, 300)}\n` });
      }),
    finish: async (message: SlackMessage): Promise<boolean> => {
      if (!streamer || broken) return false;
      await guard(() => (streamer as NonNullable<typeof streamer>).stop({ blocks: message.blocks }));
      return !broken;
    },
  };
}
