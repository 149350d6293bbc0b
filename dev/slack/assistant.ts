// The emulator's side of Slack's AI-app surfaces: the assistant pane (assistant_thread_started,
// assistant_thread_context_changed, user messages in the pane's thread) and the assistant.threads.* methods
// (setStatus, setTitle, setSuggestedPrompts, scope assistant:write), shaped as Slack documents them.
import type { Message, Workspace } from './workspace.js';

type Args = Record<string, unknown>;
type Json = Record<string, unknown>;

export interface AssistantThread {
  user: string;
  /** The DM channel the pane's thread lives in. */
  channel: string;
  threadTs: string;
  /** The channel the user is looking at (the pane's context). */
  context: { channel_id?: string; team_id: string; enterprise_id: null };
  /** Every status the app set, in order ("" clears it). */
  statuses: string[];
  title?: string;
  prompts?: { title: string; message: string }[];
  promptsTitle?: string;
}

export const ASSISTANT_METHOD_SCOPES: Record<string, string> = {
  'chat.startStream': 'chat:write',
  'chat.appendStream': 'chat:write',
  'chat.stopStream': 'chat:write',
  'assistant.threads.setStatus': 'assistant:write',
  'assistant.threads.setTitle': 'assistant:write',
  'assistant.threads.setSuggestedPrompts': 'assistant:write',
};

/** What the pane needs of the emulator (passed in, so the two modules do not import each other). */
export interface PaneHost {
  workspace: Workspace;
  event(event: Json): Promise<unknown>;
  userPosts(options: { user: string; channel: string; text: string; thread_ts?: string }): Promise<Message>;
  messagesIn(channel: string): Message[];
}

/** Text of streamed chunks: `markdown_text` as such; other chunk types are not shown as text. */
function streamedText(args: Args): string {
  const chunks = (typeof args.chunks === 'string' ? JSON.parse(args.chunks) : args.chunks) as
    | { type: string; text?: string }[]
    | undefined;
  return `${typeof args.markdown_text === 'string' ? args.markdown_text : ''}${(chunks ?? [])
    .filter((c) => c.type === 'markdown_text')
    .map((c) => c.text ?? '')
    .join('')}`;
}

export class AssistantPane {
  readonly threads = new Map<string, AssistantThread>();
  /** Messages being streamed (channel:ts), and every streaming call in order, for tests. */
  private readonly streaming = new Set<string>();
  readonly streamCalls: { method: string; text: string }[] = [];

  constructor(
    private readonly slack: PaneHost,
    /** Makes the emulator's platform error (ok:false with this error name). */
    private readonly fail: (error: string) => Error,
  ) {}

  private thread(args: Args): AssistantThread {
    const key = `${String(args.channel_id)}:${String(args.thread_ts)}`;
    if (!args.channel_id || !args.thread_ts) throw this.fail('invalid_arguments');
    const found = this.threads.get(key);
    if (!found)
      throw this.fail(
        this.slack.workspace.channels.has(String(args.channel_id)) ? 'invalid_thread' : 'channel_not_found',
      );
    return found;
  }

  /** The Web API methods of the pane, and of streamed messages (chat.startStream, appendStream, stopStream). */
  methods(): Record<string, (args: Args) => Json> {
    const ws = () => this.slack.workspace;
    const streamed = (args: Args) => {
      const channel = String(args.channel);
      if (!ws().channels.has(channel)) throw this.fail('channel_not_found');
      const message = ws().findMessage(channel, String(args.ts));
      if (!message) throw this.fail('message_not_found');
      if (!this.streaming.has(`${channel}:${message.ts}`)) throw this.fail('message_not_in_streaming_state');
      return message;
    };
    return {
      // A streamed reply lives in a thread; outside a DM Slack needs the recipient.
      'chat.startStream': (args) => {
        const channel = ws().channels.get(String(args.channel));
        if (!channel) throw this.fail('channel_not_found');
        if (!args.thread_ts || !ws().findMessage(channel.id, String(args.thread_ts)))
          throw this.fail('invalid_arguments');
        if (!channel.is_im && (!args.recipient_user_id || !args.recipient_team_id))
          throw this.fail('invalid_arguments');
        const text = streamedText(args);
        const message = ws().addMessage({
          channel: channel.id,
          user: ws().botUserId,
          bot_id: ws().botId,
          text,
          thread_ts: String(args.thread_ts),
        });
        this.streaming.add(`${channel.id}:${message.ts}`);
        this.streamCalls.push({ method: 'chat.startStream', text });
        return { channel: channel.id, ts: message.ts };
      },
      'chat.appendStream': (args) => {
        const message = streamed(args);
        const text = streamedText(args);
        if (!text) throw this.fail('invalid_arguments');
        message.text += text;
        this.streamCalls.push({ method: 'chat.appendStream', text });
        return { channel: message.channel, ts: message.ts };
      },
      'chat.stopStream': (args) => {
        const message = streamed(args);
        const text = streamedText(args);
        message.text += text;
        const blocks = typeof args.blocks === 'string' ? JSON.parse(args.blocks) : args.blocks;
        if (Array.isArray(blocks)) message.blocks = blocks;
        this.streaming.delete(`${message.channel}:${message.ts}`);
        this.streamCalls.push({ method: 'chat.stopStream', text });
        return { channel: message.channel, ts: message.ts, message: { ...message } };
      },
      'assistant.threads.setStatus': (args) => {
        if (typeof args.status !== 'string') throw this.fail('invalid_arguments');
        this.thread(args).statuses.push(args.status);
        return {};
      },
      'assistant.threads.setTitle': (args) => {
        if (typeof args.title !== 'string' || !args.title) throw this.fail('invalid_arguments');
        this.thread(args).title = args.title;
        return {};
      },
      'assistant.threads.setSuggestedPrompts': (args) => {
        const prompts = (typeof args.prompts === 'string' ? JSON.parse(args.prompts) : args.prompts) as unknown;
        if (!Array.isArray(prompts) || prompts.length < 1 || prompts.length > 4) throw this.fail('invalid_arguments');
        const thread = this.thread(args);
        thread.prompts = prompts as AssistantThread['prompts'];
        if (typeof args.title === 'string') thread.promptsTitle = args.title;
        return {};
      },
    };
  }

  /** The user opens the assistant pane (while looking at `contextChannel`): a new thread in their DM with the app. */
  async open(user: string, contextChannel?: string): Promise<AssistantThread> {
    const im = this.slack.workspace.imWith(user);
    // Slack starts the pane's thread with a root message of its own in the DM.
    const root = this.slack.workspace.addMessage({ channel: im.id, user, text: 'New Assistant Thread' });
    const thread: AssistantThread = {
      user,
      channel: im.id,
      threadTs: root.ts,
      context: {
        ...(contextChannel ? { channel_id: contextChannel } : {}),
        team_id: this.slack.workspace.teamId,
        enterprise_id: null,
      },
      statuses: [],
    };
    this.threads.set(`${im.id}:${root.ts}`, thread);
    await this.slack.event({
      type: 'assistant_thread_started',
      assistant_thread: { user_id: user, context: thread.context, channel_id: im.id, thread_ts: root.ts },
      event_ts: this.slack.workspace.nextTs(),
    });
    return thread;
  }

  /** The user moves to another channel with the pane open. */
  async changeContext(thread: AssistantThread, channel: string): Promise<void> {
    thread.context = { channel_id: channel, team_id: this.slack.workspace.teamId, enterprise_id: null };
    await this.slack.event({
      type: 'assistant_thread_context_changed',
      assistant_thread: {
        user_id: thread.user,
        context: thread.context,
        channel_id: thread.channel,
        thread_ts: thread.threadTs,
      },
      event_ts: this.slack.workspace.nextTs(),
    });
  }

  /** The user types in the pane: a message in the DM's thread (channel_type im), as Slack sends it. */
  say(thread: AssistantThread, text: string) {
    return this.slack.userPosts({ user: thread.user, channel: thread.channel, text, thread_ts: thread.threadTs });
  }

  /** The app's replies in the pane's thread. */
  replies(thread: AssistantThread) {
    return this.slack
      .messagesIn(thread.channel)
      .filter((m) => m.thread_ts === thread.threadTs && m.user === this.slack.workspace.botUserId);
  }
}
