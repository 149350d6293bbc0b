// A local stand-in for the OpenAI API (chat completions and embeddings) as LangChain's client calls it.
import type { IncomingMessage } from 'node:http';
import { HashingEmbeddings } from '../../src/ask/embeddings.js';
import { type LocalServer, listenLocal } from '../local-server.js';

const body = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>;
};

export class OpenAIStandIn {
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
