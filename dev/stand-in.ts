import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type LocalServer, listenLocal } from './local-server.js';

export interface Fault {
  match: RegExp;
  status: number;
  times: number;
  retryAfter?: number;
  message?: string;
  /** The request takes effect, but its response is lost: the client sees `status` (as after a proxy timeout). */
  afterEffect?: boolean;
}

/** What every vendor stand-in shares: a loopback server and faults injected on demand. */
export abstract class StandIn {
  url = '';
  private server?: LocalServer;
  private faults: Fault[] = [];

  /** Appended to the server's address to make `url` (e.g. /graphql). */
  protected readonly urlPath: string = '';

  protected abstract route(req: IncomingMessage, res: ServerResponse): Promise<void> | void;

  async start(): Promise<this> {
    this.server = await listenLocal((req, res) => this.route(req, res));
    this.url = `${this.server.url}${this.urlPath}`;
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }

  /** The next `times` requests whose path (and query) match answer `status`, with retry-after when given. */
  failNext(
    match: RegExp,
    status: number,
    options: { times?: number; retryAfter?: number; message?: string; afterEffect?: boolean } = {},
  ): void {
    this.faults.push({
      match,
      status,
      times: options.times ?? 1,
      retryAfter: options.retryAfter,
      message: options.message,
      afterEffect: options.afterEffect,
    });
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** The fault armed for this request, if any (it is used up). */
  protected takeFault(target: string, method = 'GET'): Fault | undefined {
    // A fault's pattern may name the method too ("POST /repos/...").
    const fault = this.faults.find((f) => f.times > 0 && (f.match.test(target) || f.match.test(`${method} ${target}`)));
    if (fault) fault.times -= 1;
    return fault;
  }
}

/** Hex HMAC-SHA256 of a body, as GitHub, Jira Cloud and Linear sign their webhooks. */
export function hmacHex(secret: string, body: string, algorithm: 'sha256' | 'sha1' = 'sha256'): string {
  return createHmac(algorithm, secret).update(body, 'utf8').digest('hex');
}

/** Posts a webhook delivery as the vendor does: JSON body, the vendor's headers; answers the receiver's reply. */
export async function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  return { status: res.status, text: await res.text() };
}
