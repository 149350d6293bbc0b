// The MCP server over Streamable HTTP at /mcp, on the API's port: `Authorization: Bearer <personal token>`,
// stateless (a server per request, so any replica answers), the same rate and body limits as the REST API.
import rateLimit from '@fastify/rate-limit';
import type { FastifyPluginAsync } from 'fastify';
import { NUL_REFUSED, nulCharacterAt } from '../api/input-text.js';
import { sendProblem } from '../api/problem.js';
import { type RateStore, sharedRateBudget } from '../api/rate-budget.js';
import type { ApiTokens } from '../api/tokens.js';
import type { McpDeps } from './server.js';

export interface McpHttpOptions extends McpDeps {
  tokens: ApiTokens;
  ratePerMinute: number;
  /** The REST API's store, so that a token's budget is one across both doors. */
  rateStore?: new () => RateStore;
  maxPayloadBytes: number;
}

export function mcpPlugin(options: McpHttpOptions): FastifyPluginAsync {
  const rateStore = options.rateStore ?? sharedRateBudget();
  return async (root) => {
    await root.register(async (scope) => {
      scope.decorateRequest('principal', null);
      scope.addHook('onRequest', async (request, reply) => {
        const principal = await options.tokens.verify(request.headers.authorization);
        if (!principal) {
          reply.header('www-authenticate', 'Bearer');
          return sendProblem(reply, 401, 'Send a personal token: Authorization: Bearer <token> (/em token create).');
        }
        request.principal = principal;
      });
      await scope.register(rateLimit, {
        max: options.ratePerMinute,
        timeWindow: 60_000,
        hook: 'preHandler',
        store: rateStore,
        keyGenerator: (request) => `token:${request.principal?.tokenId ?? request.ip}`,
        errorResponseBuilder: (_request, context) => ({
          statusCode: 429,
          message: `At most ${context.max} requests a minute per token; retry in ${Math.ceil(context.ttl / 1000)} s.`,
        }),
      });
      // What fails before the MCP server sees the request (not JSON, too large, too many) still answers in
      // JSON-RPC, the protocol the client speaks: parse error -32700, invalid request -32600, else -32000.
      scope.setErrorHandler((err: { statusCode?: number; code?: string; message: string }, _request, reply) => {
        const status = err.statusCode ?? 500;
        const code =
          err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ? -32700 : status === 413 || status === 415 ? -32600 : -32000;
        const message =
          code === -32700
            ? 'Parse error: the body is not valid JSON.'
            : status === 413
              ? `Request too large: at most ${options.maxPayloadBytes} bytes.`
              : status >= 500
                ? 'Internal error.'
                : err.message;
        return reply.code(status).send({ jsonrpc: '2.0', error: { code, message }, id: null });
      });
      scope.route({
        method: ['GET', 'POST', 'DELETE'],
        url: '/mcp',
        bodyLimit: options.maxPayloadBytes,
        handler: async (request, reply) => {
          if (request.method !== 'POST') {
            // Stateless: no server-initiated stream, no session to end.
            return reply
              .code(405)
              .header('allow', 'POST')
              .send({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed.' }, id: null });
          }
          const misaddressed = badToolArguments(request.body) ?? nulCharacter(request.body);
          if (misaddressed) return reply.send(misaddressed);
          // A JSON-RPC batch is as many requests as it holds messages: the rest of them count against the budget too.
          const over = await overBudget(request.body, rateStore, `token:${request.principal?.tokenId}`, options);
          if (over) return reply.code(429).send(over);
          // The MCP SDK is loaded on the first MCP request, not at start: most installations never get one.
          const [{ StreamableHTTPServerTransport }, { mcpServerFor }] = await Promise.all([
            import('@modelcontextprotocol/sdk/server/streamableHttp.js'),
            import('./server.js'),
          ]);
          const server = mcpServerFor(request.principal as NonNullable<typeof request.principal>, options);
          const transport = new StreamableHTTPServerTransport({
            sessionIdGenerator: undefined,
            enableJsonResponse: true,
          });
          reply.hijack();
          reply.raw.on('close', () => {
            void transport.close();
            void server.close();
          });
          await server.connect(transport);
          await transport.handleRequest(request.raw, reply.raw, request.body);
        },
      });
    });
  };
}

/**
 * For a batch of n messages, the n - 1 beyond the request the rate limiter already counted: a JSON-RPC error when
 * they take the token past its budget, else undefined.
 */
async function overBudget(body: unknown, rateStore: new () => RateStore, key: string, options: McpHttpOptions) {
  if (!Array.isArray(body) || body.length < 2) return undefined;
  const store = new rateStore();
  let last = { current: 0, ttl: 0 };
  for (let i = 1; i < body.length; i += 1)
    last = await new Promise<{ current: number; ttl: number }>((resolve, reject) =>
      store.incr(key, (err, result) => (err ? reject(err) : resolve(result)), 60_000),
    );
  if (last.current <= options.ratePerMinute) return undefined;
  return {
    jsonrpc: '2.0',
    error: {
      code: -32000,
      message: `At most ${options.ratePerMinute} requests a minute per token (a batch counts each of its ${body.length} messages); retry in ${Math.ceil(last.ttl / 1000)} s.`,
    },
    id: null,
  };
}

/** A NUL character anywhere in the request: invalid params (-32602) naming where, not the database's error. */
function nulCharacter(body: unknown) {
  const at = nulCharacterAt(body, 'request');
  if (!at) return undefined;
  const id = body && typeof body === 'object' && !Array.isArray(body) ? ((body as { id?: unknown }).id ?? null) : null;
  return { jsonrpc: '2.0', id, error: { code: -32602, message: `Invalid params: ${at} ${NUL_REFUSED}.` } };
}

/**
 * A `tools/call` whose arguments are not an object is the caller's mistake: invalid params (-32602) with what is
 * wrong. The SDK's own parse of the request answers it as an internal error (-32603).
 */
function badToolArguments(body: unknown) {
  const message = body as { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: { arguments?: unknown } };
  if (!message || typeof message !== 'object' || message.method !== 'tools/call' || message.id === undefined)
    return undefined;
  const args = message.params?.arguments;
  if (args === undefined || (typeof args === 'object' && args !== null && !Array.isArray(args))) return undefined;
  const was = args === null ? 'null' : Array.isArray(args) ? 'an array' : typeof args;
  return {
    jsonrpc: '2.0',
    id: message.id,
    error: { code: -32602, message: `Invalid params: arguments must be an object of the tool's inputs, not ${was}.` },
  };
}
