// A local stand-in for the OpenAI API (chat completions and embeddings) as LangChain's client calls it. Responses
// follow OpenAI's documented shapes: a `chat.completion` with `refusal`, `logprobs` and `usage` (with its details);
// with `stream: true`, `chat.completion.chunk` server-sent events ending in `data: [DONE]`, the usage in a last chunk
// with no choices when `stream_options.include_usage` asks for it; errors as `{ error: { message, type, param,
// code } }` with their status (429 with `retry-after`). Requests OpenAI refuses with 400 are refused here too: a tool
// result that answers no tool call, tool calls left unanswered, a function name outside `^[a-zA-Z0-9_-]{1,64}$`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HashingEmbeddings } from '../../src/ask/embeddings.js';
import { type LocalServer, listenLocal } from '../local-server.js';

const body = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>;
};

/** An error OpenAI answers with instead of a completion. */
export interface ScriptedError {
  status: number;
  message?: string;
  type?: string;
  code?: string | null;
  /** Seconds, sent as `retry-after` (OpenAI sends it with 429s). */
  retryAfter?: number;
}

/** One turn of a scripted model: text, or function calls (OpenAI's `tool_calls`), or an error. */
export interface ScriptedTurn {
  /** The model never answers this request (the connection stays open until the client gives up or the stand-in stops). */
  hang?: boolean;
  content?: string;
  /** Arguments as an object are sent as JSON; a string is sent as it is (a model's malformed JSON). */
  tool_calls?: { name: string; arguments: Record<string, unknown> | string }[];
  error?: ScriptedError;
  /** The usage to report instead of the estimate; null: no `usage` at all (as some compatible servers do). */
  usage?: { prompt_tokens: number; completion_tokens: number } | null;
  /** `length` when the model was cut at `max_tokens` (default: `tool_calls` with calls, else `stop`). */
  finish_reason?: 'stop' | 'length' | 'tool_calls' | 'content_filter';
}

/** A message as OpenAI's chat completions receive it, tool calls and tool results included. */
export interface ChatMessage {
  role: string;
  content: string | null;
  tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

/** Roughly OpenAI's count: a token is about four characters. */
export const approxTokens = (text: string) => Math.ceil(text.length / 4);

const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** Why OpenAI would refuse these messages and tools with 400, or null. */
function invalidRequest(messages: ChatMessage[], tools: { function?: { name?: string } }[]): string | null {
  if (!Array.isArray(messages) || messages.length === 0)
    return "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.";
  for (const [i, t] of tools.entries())
    if (!FUNCTION_NAME.test(String(t.function?.name ?? '')))
      return `Invalid 'tools[${i}].function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`;
  let open: Set<string> | null = null;
  for (const m of messages) {
    if (m.role === 'tool') {
      if (!open?.has(String(m.tool_call_id)))
        return "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.";
      open.delete(String(m.tool_call_id));
      continue;
    }
    if (open?.size)
      return `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...open].join(', ')}`;
    open = m.role === 'assistant' && m.tool_calls?.length ? new Set(m.tool_calls.map((c) => c.id)) : null;
  }
  if (open?.size)
    return `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...open].join(', ')}`;
  return null;
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'invalid_request_error',
  429: 'requests',
  500: 'server_error',
  503: 'server_error',
};

export class OpenAIStandIn {
  /**
   * A model that calls functions: sees the messages (with tool results) and the offered tools' names, and answers
   * with text, tool calls or an error. When unset, `reply` answers with text.
   */
  respond?: (messages: ChatMessage[], tools: string[]) => ScriptedTurn;
  /** Tokens the stand-in reported, summed (prompt + completion). */
  tokensReported = 0;
  server?: LocalServer;
  /** What the "model" replies; a function sees the messages it was sent. */
  reply: (messages: { role: string; content: string }[]) => string = () => 'I could not find this in the docs.';
  readonly chats: { role: string; content: string }[][] = [];
  /** Every chat completion request body as sent (model, tools, tool_choice...). */
  readonly chatRequests: Record<string, unknown>[] = [];
  /** Requests refused with 400, and why (a stand-in for what OpenAI would refuse). */
  readonly refused: string[] = [];
  embeddingCalls = 0;

  get url(): string {
    return `${this.server?.url}/v1`;
  }

  async start(): Promise<this> {
    this.server = await listenLocal(async (req, res) => {
      const json = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(payload));
      };
      const error = (e: ScriptedError) =>
        json(
          e.status,
          {
            error: {
              message:
                e.message ??
                (e.status === 429
                  ? `Rate limit reached for requests per min (RPM). Please try again in ${e.retryAfter ?? 1}s.`
                  : 'The server had an error while processing your request. Sorry about that!'),
              type: e.type ?? ERROR_TYPES[e.status] ?? 'server_error',
              param: null,
              code: e.code !== undefined ? e.code : e.status === 429 ? 'rate_limit_exceeded' : null,
            },
          },
          e.retryAfter !== undefined ? { 'retry-after': String(e.retryAfter) } : {},
        );
      if (req.headers.authorization !== 'Bearer sk-test') {
        // OpenAI's 401 echoes the key it was given, masked in the middle.
        const key = String(req.headers.authorization ?? '').replace(/^Bearer\s+/, '');
        const masked = `${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`;
        return error({
          status: 401,
          message: `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`,
          code: 'invalid_api_key',
        });
      }
      const request = await body(req);
      if (req.url?.endsWith('/chat/completions')) {
        const messages = request.messages as ChatMessage[];
        const offered = (request.tools ?? []) as { function: { name: string } }[];
        this.chats.push(messages as { role: string; content: string }[]);
        this.chatRequests.push(request);
        const invalid = invalidRequest(messages, offered);
        if (invalid) {
          this.refused.push(invalid);
          return error({ status: 400, message: invalid });
        }
        const turn: ScriptedTurn = this.respond
          ? this.respond(
              messages,
              offered.map((t) => t.function.name),
            )
          : { content: this.reply(messages as { role: string; content: string }[]) };
        if (turn.hang) return;
        if (turn.error) return error(turn.error);
        return this.complete(res, request, messages, turn);
      }
      if (req.url?.endsWith('/embeddings')) {
        this.embeddingCalls += 1;
        const input = (Array.isArray(request.input) ? request.input : [request.input]) as string[];
        const dims = Number(request.dimensions ?? 1536);
        const vectors = await new HashingEmbeddings(dims).embedDocuments(input.map(String));
        const tokens = input.reduce((sum, text) => sum + approxTokens(String(text)), 0);
        return json(200, {
          object: 'list',
          // The OpenAI SDK asks for base64 (little-endian float32) unless told otherwise.
          data: vectors.map((vector, index) => ({
            object: 'embedding',
            index,
            embedding:
              request.encoding_format === 'base64'
                ? Buffer.from(new Float32Array(vector).buffer).toString('base64')
                : vector,
          })),
          model: request.model,
          usage: { prompt_tokens: tokens, total_tokens: tokens },
        });
      }
      json(404, { error: { message: `no route ${req.url}`, type: 'invalid_request_error', param: null, code: null } });
    });
    return this;
  }

  /** A completion (or its stream) for one scripted turn, with its usage counted. */
  private complete(res: ServerResponse, request: Record<string, unknown>, messages: ChatMessage[], turn: ScriptedTurn) {
    const calls = (turn.tool_calls ?? []).map((c, i) => ({
      id: `call_${this.chats.length}_${i}`,
      type: 'function' as const,
      function: {
        name: c.name,
        arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments),
      },
    }));
    const content = turn.content ?? null;
    // OpenAI counts the tools' definitions as prompt tokens too.
    const prompt = turn.usage
      ? turn.usage.prompt_tokens
      : approxTokens(JSON.stringify(messages) + (request.tools ? JSON.stringify(request.tools) : ''));
    const completion = turn.usage
      ? turn.usage.completion_tokens
      : approxTokens((content ?? '') + JSON.stringify(calls));
    const usage =
      turn.usage === null
        ? null
        : {
            prompt_tokens: prompt,
            completion_tokens: completion,
            total_tokens: prompt + completion,
            prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
            completion_tokens_details: {
              reasoning_tokens: 0,
              audio_tokens: 0,
              accepted_prediction_tokens: 0,
              rejected_prediction_tokens: 0,
            },
          };
    if (usage) this.tokensReported += usage.total_tokens;
    const finish = turn.finish_reason ?? (calls.length ? 'tool_calls' : 'stop');
    const head = {
      id: `chatcmpl-${this.chats.length}`,
      created: Math.floor(Date.now() / 1000),
      model: String(request.model),
      system_fingerprint: 'fp_standin',
      service_tier: 'default',
    };
    if (!request.stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          ...head,
          object: 'chat.completion',
          choices: [
            {
              index: 0,
              message: {
                role: 'assistant',
                content,
                refusal: null,
                annotations: [],
                ...(calls.length ? { tool_calls: calls } : {}),
              },
              logprobs: null,
              finish_reason: finish,
            },
          ],
          ...(usage ? { usage } : {}),
        }),
      );
      return;
    }
    // Streamed: the role, the content in pieces, each tool call (its name, then its arguments in pieces), the finish
    // reason, and with include_usage a last chunk with no choices that carries the usage (null on every other chunk).
    const withUsage = Boolean((request.stream_options as { include_usage?: boolean } | undefined)?.include_usage);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const send = (choices: unknown[], chunkUsage: unknown = null) =>
      res.write(
        `data: ${JSON.stringify({ ...head, object: 'chat.completion.chunk', choices, ...(withUsage ? { usage: chunkUsage } : {}) })}\n\n`,
      );
    const delta = (d: Record<string, unknown>, finishReason: string | null = null) =>
      send([{ index: 0, delta: d, logprobs: null, finish_reason: finishReason }]);
    const pieces = (text: string) => text.match(/[\s\S]{1,16}/g) ?? [];
    delta({ role: 'assistant', content: calls.length && !content ? null : '', refusal: null });
    for (const piece of pieces(content ?? '')) delta({ content: piece });
    calls.forEach((call, index) => {
      delta({
        tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }],
      });
      for (const piece of pieces(call.function.arguments))
        delta({ tool_calls: [{ index, function: { arguments: piece } }] });
    });
    delta({}, finish);
    if (withUsage && usage) send([], usage);
    res.end('data: [DONE]\n\n');
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }
}
