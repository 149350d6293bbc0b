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
}

/** /health (the process answers), /ready (its dependencies answer), /metrics (Prometheus). */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const routes: Record<string, RouteHandler> = {
    'GET /health': (_req, res) => sendJson(res, 200, { status: 'ok' }),
    'GET /ready': async (_req, res) => {
      const checks = await runChecks(options.readiness);
      const ready = Object.values(checks).every(Boolean);
      const details = options.details ? await options.details().catch(() => ({})) : {};
      sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks, ...details });
    },
    'GET /metrics': async (_req, res) => {
      res.writeHead(200, { 'content-type': metrics.contentType });
      res.end(await metrics.metrics());
    },
    ...options.routes,
  };

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const handler = routes[`${req.method} ${path}`];
    if (!handler) return sendJson(res, 404, { error: 'not found' });
    Promise.resolve(handler(req, res)).catch((err: unknown) => {
      options.logger.error({ err, path }, 'http handler failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.end();
    });
  });
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
