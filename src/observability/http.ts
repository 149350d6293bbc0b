import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyRequest,
} from 'fastify';
import type { Logger } from './logger.js';
import { metrics } from './metrics.js';

/** Named readiness checks; the service is ready when every one resolves true. */
export type ReadinessChecks = Record<string, () => Promise<boolean> | boolean>;

/** A route that reads the raw request itself (a webhook receiver verifying a signature over the exact bytes). */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

export interface HttpServer {
  readonly port: number;
  close(): Promise<void>;
}

export interface HttpServerOptions {
  host: string;
  port: number;
  logger: Logger;
  readiness: ReadinessChecks;
  /** Extra raw routes by "METHOD /path" (e.g. a webhook receiver); their bodies are left unread for them. */
  routes?: Record<string, RouteHandler>;
  /** Fastify plugins on the same port (the REST API under /v1, the MCP server at /mcp). */
  plugins?: FastifyPluginAsync[];
  /** Extra information for /ready that does not decide readiness (e.g. each source's sync health). */
  details?: () => Promise<Record<string, unknown>>;
  /**
   * METRICS_TOKEN: when set, /metrics and the details of /ready need `Authorization: Bearer <token>`; when unset,
   * /metrics is open and /ready never shows details (only its status code and `ready`/`unready`).
   */
  token?: string;
  /** Limits against slow or piled-up clients (tests shorten them). */
  limits?: Partial<HttpLimits>;
}

export interface HttpLimits {
  /** All request headers must arrive within this time. */
  headersTimeoutMs: number;
  /** The whole request (headers and body) must arrive within this time. */
  requestTimeoutMs: number;
  /** Connections beyond this are refused at once. */
  maxConnections: number;
}

export const HTTP_LIMITS: HttpLimits = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, maxConnections: 64 };

/**
 * Whether a request presents the token (compared in constant time). Without a configured token nobody is authorized:
 * /metrics stays open (see its route) but the details of /ready are never shown.
 */
function authorized(req: FastifyRequest, token: string | undefined): boolean {
  if (!token) return false;
  const given = Buffer.from(String(req.headers.authorization ?? ''));
  const wanted = Buffer.from(`Bearer ${token}`);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** A client that went away mid-request: routine, not an error worth a stack trace. */
const aborted = (req: IncomingMessage, err: unknown) =>
  req.destroyed ||
  ['ECONNRESET', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE'].includes((err as { code?: string })?.code ?? '');

/** /health (the process answers), /ready (its dependencies answer), /metrics (Prometheus), on Fastify. */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const limits = { ...HTTP_LIMITS, ...options.limits };
  const app: FastifyInstance = Fastify({
    logger: false,
    forceCloseConnections: true,
    // Node's own limits, as before the move to Fastify: headers and the whole request within their timeouts.
    serverFactory: (handler) =>
      createServer(
        {
          headersTimeout: limits.headersTimeoutMs,
          requestTimeout: limits.requestTimeoutMs,
          // How often Node looks for requests past those timeouts (its default is every 30 s).
          connectionsCheckingInterval: Math.max(50, Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4),
        },
        handler,
      ),
  });
  const server: Server = app.server;
  server.maxConnections = limits.maxConnections;
  // Keep-alive sockets must not hold shutdown open.
  server.keepAliveTimeout = 5_000;

  // Node's requestTimeout stops counting once a handler runs; a body trickled in byte by byte is cut here.
  app.addHook('onRequest', async (request, reply) => {
    const deadline = setTimeout(() => {
      if (!request.raw.complete) request.raw.socket.destroy();
    }, limits.requestTimeoutMs);
    reply.raw.once('close', () => clearTimeout(deadline));
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'not found' }));
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const path = request.url.split('?')[0];
    if (aborted(request.raw, err)) {
      options.logger.debug({ path }, 'http request aborted by the client');
      return reply.code(err.statusCode ?? 400).send({ error: err.statusCode ? err.message : 'aborted' });
    }
    if (err.statusCode && err.statusCode < 500) return reply.code(err.statusCode).send({ error: err.message });
    options.logger.error({ err, path }, 'http handler failed');
    return reply.code(500).send({ error: 'internal error' });
  });

  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async (request, reply) => {
    const checks = await runChecks(options.readiness);
    const ready = Object.values(checks).every(Boolean);
    const status = ready ? 'ready' : 'unready';
    reply.code(ready ? 200 : 503);
    // Which check failed and each source's error text are details: only for holders of METRICS_TOKEN.
    if (!authorized(request, options.token)) return { status };
    // Each source's health comes from the database too: what has not come by the deadline is left out.
    const details = options.details
      ? await withDeadline(
          options.details().catch(() => ({})),
          {},
        )
      : {};
    return { status, checks, ...details };
  });
  app.get('/metrics', async (request, reply) => {
    if (options.token && !authorized(request, options.token))
      return reply.code(401).send({ error: 'METRICS_TOKEN required' });
    return reply.type(metrics.contentType).send(await metrics.metrics());
  });

  // Raw routes read their own bodies: no parser here, and the reply is theirs.
  const raw = options.routes ?? {};
  if (Object.keys(raw).length)
    await app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
      for (const [key, handler] of Object.entries(raw)) {
        const [method = 'GET', url = '/'] = key.split(' ');
        scope.route({
          method: method as 'POST',
          url,
          handler: async (request, reply) => {
            reply.hijack();
            const res = reply.raw;
            try {
              await handler(request.raw, res);
            } catch (err) {
              if (aborted(request.raw, err))
                return void options.logger.debug({ path: url }, 'http request aborted by the client');
              options.logger.error({ err, path: url }, 'http handler failed');
              if (!res.headersSent) {
                res.writeHead(500, { 'content-type': 'application/json' });
                res.end(JSON.stringify({ error: 'internal error' }));
              } else res.end();
            }
          },
        });
      }
    });
  for (const plugin of options.plugins ?? []) await app.register(plugin);

  await app.listen({ port: options.port, host: options.host });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: async () => {
      const closing = app.close();
      server.closeAllConnections();
      await closing;
    },
  };
}

/**
 * A check that has not answered by then counts as down: a database behind a network partition never answers, and
 * /ready must still say 503 (to a load balancer or a person with curl, not only to a probe with its own timeout).
 */
export const READY_CHECK_TIMEOUT_MS = 2_000;

/** Checks still running from an earlier /ready: a new one waits on them instead of taking another connection. */
const inFlight = new WeakMap<ReadinessChecks, Map<string, Promise<boolean>>>();

async function runChecks(checks: ReadinessChecks): Promise<Record<string, boolean>> {
  const running = inFlight.get(checks) ?? new Map<string, Promise<boolean>>();
  inFlight.set(checks, running);
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      let answer = running.get(name);
      if (!answer) {
        const started = (async () => (await check()) === true)().catch(() => false);
        answer = started;
        running.set(name, started);
        void started.finally(() => running.delete(name));
      }
      return [name, await withDeadline(answer, false)] as const;
    }),
  );
  return Object.fromEntries(entries);
}

async function withDeadline<T>(answer: Promise<T>, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), READY_CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([answer, late]);
  } finally {
    clearTimeout(timer);
  }
}
