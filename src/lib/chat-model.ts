import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { BaseMessageLike } from '@langchain/core/messages';
import type { Queryable } from '../store/db.js';
import { recordTokens, tokensUsedOn } from './model-usage-store.js';

/** The optional narrative model: only when OPENAI_API_KEY is set (and loaded on first use). */
export function chatModelFactory(config: {
  OPENAI_API_KEY?: string;
  OPENAI_BASE_URL?: string;
  OPENAI_MODEL?: string;
}): (() => Promise<BaseChatModel>) | undefined {
  const { OPENAI_API_KEY: apiKey, OPENAI_BASE_URL: baseURL, OPENAI_MODEL: model } = config;
  if (!apiKey) return undefined;
  let made: Promise<BaseChatModel> | undefined;
  return () => {
    made ??= import('@langchain/openai').then(
      ({ ChatOpenAI }) =>
        new ChatOpenAI({
          apiKey,
          model: model ?? 'gpt-4o-mini',
          temperature: 0,
          timeout: 15_000,
          maxRetries: 1,
          ...(baseURL ? { configuration: { baseURL } } : {}),
        }),
    );
    return made;
  };
}

/**
 * A reply's text. OpenAI-compatible servers may answer with content parts instead of a string: their text parts are
 * joined (anything else in them is not text for a person to read).
 */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (typeof part === 'string' ? part : (part as { type?: string; text?: unknown })?.text))
    .filter((text): text is string => typeof text === 'string')
    .join('');
}

/** About OpenAI's count: a token is roughly four characters of what was sent or received. */
export const estimateTokens = (value: unknown): number =>
  Math.ceil((typeof value === 'string' ? value : (JSON.stringify(value) ?? '')).length / 4);

/**
 * The tokens one call used: the provider's `usage`, or, when it reports none (some OpenAI-compatible servers do), an
 * estimate from what was sent and received, so that budgets still count the call.
 */
export function tokensUsed(reply: { usage_metadata?: { total_tokens?: number } }, sent: unknown, received: unknown) {
  const reported = reply.usage_metadata?.total_tokens;
  return typeof reported === 'number' && reported > 0 ? reported : estimateTokens(sent) + estimateTokens(received);
}

const utcDay = (d: Date) => d.toISOString().slice(0, 10);

/**
 * The one ledger of model tokens per person and UTC day, whatever used them: the agent, `ask` answers, report
 * narratives, postmortem drafts. AGENT_TOKENS_PER_DAY bounds their sum.
 */
export class ModelUsage {
  constructor(
    private readonly db: Queryable,
    readonly tokensPerDay: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  usedToday(person: string): Promise<number> {
    return tokensUsedOn(this.db, person, utcDay(this.now()));
  }

  /** Tokens the person may still use today. */
  async left(person: string): Promise<number> {
    return Math.max(0, this.tokensPerDay - (await this.usedToday(person)));
  }

  async record(person: string, purpose: string, tokens: number): Promise<void> {
    if (!(tokens > 0)) return;
    await recordTokens(this.db, { person, day: utcDay(this.now()), purpose, tokens: Math.round(tokens) });
  }
}

/** Whom a model call is for, counted against their daily tokens (none: not counted, as in tests of one piece). */
export interface ModelMeter {
  usage?: ModelUsage;
  person: string;
  purpose: string;
}

/**
 * `work` given up after `ms`: its signal is aborted and the promise rejects then, whatever `work` is waiting for.
 * (LangChain's retries sleep without looking at the signal: a 429 asking to retry after 50 s would otherwise hold
 * the caller 50 s more.)
 */
export async function withDeadline<T>(ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`the model did not answer within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([work(controller.signal), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** How long a model may take to write a part of an answer (an answer, a narrative) before the answer goes without it. */
export const WRITING_DEADLINE_MS = 20_000;

/**
 * One model call that writes text for a person (an `ask` answer, a narrative): null when their tokens for today are
 * spent (the caller answers without the model); its tokens counted against them after; given up after
 * `WRITING_DEADLINE_MS` whatever the client's own retries would wait (a 429's retry-after, a hanging server).
 * Throws what the model throws.
 */
export async function writeWithModel(
  model: () => Promise<BaseChatModel>,
  messages: { role: 'system' | 'user'; content: string }[],
  meter?: ModelMeter,
  deadlineMs = WRITING_DEADLINE_MS,
): Promise<string | null> {
  if (meter?.usage && (await meter.usage.left(meter.person)) <= 0) return null;
  const chat = await model();
  const reply = await withDeadline(deadlineMs, (signal) => chat.invoke(messages as BaseMessageLike[], { signal }));
  const text = textOf(reply.content);
  await meter?.usage?.record(meter.person, meter.purpose, tokensUsed(reply, messages, reply.content));
  return text;
}
