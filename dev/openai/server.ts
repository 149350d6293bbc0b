// A local stand-in for the OpenAI API (chat completions and embeddings) as LangChain's client calls it.
import type { IncomingMessage } from 'node:http';
import { HashingEmbeddings } from '../../src/ask/embeddings.js';
import { type LocalServer, listenLocal } from '../local-server.js';

const body = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>;
};

/** One turn of a scripted model: text, or function calls (OpenAI's `tool_calls`). */
export interface ScriptedTurn {
  /** The model never answers this request (the connection stays open until the client gives up or the stand-in stops). */
  hang?: boolean;
  content?: string;
  tool_calls?: { name: string; arguments: Record<string, unknown> }[];
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

export class OpenAIStandIn {
  /**
   * A model that calls functions: sees the messages (with tool results) and the offered tools' names, and answers
   * with text or tool calls. When unset, `reply` answers with text.
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
  embeddingCalls = 0;

  get url(): string {
    return `${this.server?.url}/v1`;
  }

  async start(): Promise<this> {
    this.server = await listenLocal(async (req, res) => {
      const json = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (req.headers.authorization !== 'Bearer sk-test') {
        // OpenAI's 401 echoes the key it was given, masked in the middle.
        const key = String(req.headers.authorization ?? '').replace(/^Bearer\s+/, '');
        const masked = `${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`;
        return json(401, {
          error: {
            message: `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`,
            type: 'invalid_request_error',
            param: null,
            code: 'invalid_api_key',
          },
        });
      }
      const request = await body(req);
      if (req.url?.endsWith('/chat/completions')) {
        const messages = request.messages as { role: string; content: string }[];
        this.chats.push(messages);
        this.chatRequests.push(request);
        if (this.respond) {
          const tools = ((request.tools ?? []) as { function: { name: string } }[]).map((t) => t.function.name);
          const turn = this.respond(messages as ChatMessage[], tools);
          if (turn.hang) return;
          const calls = (turn.tool_calls ?? []).map((c, i) => ({
            id: `call_${this.chats.length}_${i}`,
            type: 'function' as const,
            function: { name: c.name, arguments: JSON.stringify(c.arguments) },
          }));
          const prompt = approxTokens(JSON.stringify(messages));
          const completion = approxTokens((turn.content ?? '') + JSON.stringify(calls));
          this.tokensReported += prompt + completion;
          return json(200, {
            id: `chatcmpl-${this.chats.length}`,
            object: 'chat.completion',
            created: Math.floor(Date.now() / 1000),
            model: request.model,
            choices: [
              {
                index: 0,
                message: {
                  role: 'assistant',
                  content: turn.content ?? null,
                  ...(calls.length ? { tool_calls: calls } : {}),
                },
                finish_reason: calls.length ? 'tool_calls' : 'stop',
              },
            ],
            usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
          });
        }
        return json(200, {
          id: `chatcmpl-${this.chats.length}`,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: request.model,
          choices: [{ index: 0, message: { role: 'assistant', content: this.reply(messages) }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        });
      }
      if (req.url?.endsWith('/embeddings')) {
        this.embeddingCalls += 1;
        const input = (Array.isArray(request.input) ? request.input : [request.input]) as string[];
        const dims = Number(request.dimensions ?? 1536);
        const vectors = await new HashingEmbeddings(dims).embedDocuments(input.map(String));
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
          usage: { prompt_tokens: 1, total_tokens: 1 },
        });
      }
      json(404, { error: { message: `no route ${req.url}` } });
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }
}
