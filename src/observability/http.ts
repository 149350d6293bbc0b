import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from './logger.js';
import { metrics } from './metrics.js';

/** Named readiness checks; the service is ready when every one resolves true. */
export type ReadinessChecks = Record<string, () => Promise<boolean> | boolean>;

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
  /** Extra routes by "METHOD /path" (e.g. a webhook receiver). */
  routes?: Record<string, RouteHandler>;
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
function authorized(req: IncomingMessage, token: string | undefined): boolean {
  if (!token) return false;
  const given = Buffer.from(String(req.headers.authorization ?? ''));
  const wanted = Buffer.from(`Bearer ${token}`);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** A client that went away mid-request: routine, not an error worth a stack trace. */
const aborted = (req: IncomingMessage, err: unknown) =>
  req.destroyed ||
  ['ECONNRESET', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE'].includes((err as { code?: string })?.code ?? '');

/** /health (the process answers), /ready (its dependencies answer), /metrics (Prometheus). */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const routes: Record<string, RouteHandler> = {
    'GET /health': (_req, res) => sendJson(res, 200, { status: 'ok' }),
    'GET /ready': async (req, res) => {
      const checks = await runChecks(options.readiness);
      const ready = Object.values(checks).every(Boolean);
      const status = ready ? 'ready' : 'unready';
      // Which check failed and each source's error text are details: only for holders of METRICS_TOKEN.
      if (!authorized(req, options.token)) return sendJson(res, ready ? 200 : 503, { status });
      const details = options.details ? await options.details().catch(() => ({})) : {};
      sendJson(res, ready ? 200 : 503, { status, checks, ...details });
    },
    'GET /metrics': async (req, res) => {
      if (options.token && !authorized(req, options.token))
        return sendJson(res, 401, { error: 'METRICS_TOKEN required' });
      res.writeHead(200, { 'content-type': metrics.contentType });
      res.end(await metrics.metrics());
    },
    ...options.routes,
  };

  const limits = { ...HTTP_LIMITS, ...options.limits };
  const server: Server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // How often Node looks for requests past those timeouts (its default is every 30 s).
      connectionsCheckingInterval: Math.max(50, Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4),
    },
    (req, res) => {
      // Node's requestTimeout stops counting once the handler runs; a body trickled in byte by byte is cut here.
      const deadline = setTimeout(() => {
        if (!req.complete) req.socket.destroy();
      }, limits.requestTimeoutMs);
      res.once('close', () => clearTimeout(deadline));
      const path = (req.url ?? '/').split('?')[0];
      const handler = routes[`${req.method} ${path}`];
      if (!handler) return sendJson(res, 404, { error: 'not found' });
      Promise.resolve(handler(req, res)).catch((err: unknown) => {
        if (aborted(req, err)) return void options.logger.debug({ path }, 'http request aborted by the client');
        options.logger.error({ err, path }, 'http handler failed');
        if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
        else res.end();
      });
    },
  );
  server.maxConnections = limits.maxConnections;
  // Keep-alive sockets must not hold shutdown open.
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function runChecks(checks: ReadinessChecks): Promise<Record<string, boolean>> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        return [name, (await check()) === true] as const;
      } catch {
        return [name, false] as const;
      }
    }),
  );
  return Object.fromEntries(entries);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
