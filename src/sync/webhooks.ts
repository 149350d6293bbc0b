import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteHandler } from '../observability/http.js';
import type { Logger } from '../observability/logger.js';
import type { Queryable } from '../store/db.js';
import { insertEvents, lastDeletedAt } from './store.js';
import { deleteWorkItem } from './work-items-store.js';

// What every tracker's webhook shares: the raw body (signatures are over its bytes), an HMAC check in constant
// time, the answer codes, and deletions remembered so that a late update cannot bring a deleted item back.

const MAX_BODY = 5 * 1024 * 1024;

/** The request's bytes as sent (signatures are over them; decoding first is not byte-faithful). */
export function readBody(req: IncomingMessage, max = MAX_BODY): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > max ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Hex HMAC-SHA256 of the body with the secret. */
export function hmacSha256Hex(secret: string, body: Buffer): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/** Compares a received signature with the expected one in constant time (case-insensitive hex). */
export function signatureMatches(received: string, expected: string): boolean {
  const a = Buffer.from(received.trim().toLowerCase(), 'utf8');
  const b = Buffer.from(expected.toLowerCase(), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** What a delivery's handler decided: stored, or acknowledged and ignored (with why). */
export type WebhookOutcome = { stored: true } | { ignored: string };

export interface SignedWebhookOptions {
  source: string;
  logger: Logger;
  /** null when the delivery is authentic, else why it is refused (answered 401). */
  verify(body: Buffer, headers: IncomingMessage['headers']): string | null;
  /** Runs after the signature check on the parsed body; a thrown error answers 500 (the vendor retries). */
  handle(payload: unknown, headers: IncomingMessage['headers']): Promise<WebhookOutcome>;
}

/** A webhook route: 413 too large, 401 not signed by the secret, 400 not JSON, 202 ignored, 200 stored, 500 failed. */
export function signedWebhookRoute(options: SignedWebhookOptions): RouteHandler {
  const { source, logger } = options;
  return async (req: IncomingMessage, res: ServerResponse) => {
    const reply = (status: number, text: string) => {
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(text);
    };
    const body = await readBody(req);
    if (body === undefined) return reply(413, 'payload too large');
    const refused = options.verify(body, req.headers);
    if (refused) {
      logger.warn({ source, why: refused }, 'webhook delivery refused');
      return reply(401, refused);
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      return reply(400, 'body is not JSON');
    }
    try {
      const outcome = await options.handle(payload, req.headers);
      if ('ignored' in outcome) {
        logger.info({ source, why: outcome.ignored }, 'webhook delivery acknowledged and ignored');
        return reply(202, `ignored: ${outcome.ignored}`);
      }
      reply(200, 'ok');
    } catch (err) {
      logger.error({ err, source }, 'webhook delivery failed');
      reply(500, 'failed; the delivery can be retried');
    }
  };
}

/**
 * A tracker said an item was deleted at `at`: the deletion is kept as an event (stored once however often it is
 * delivered) and the work item goes, unless it was updated after the deletion.
 */
export async function recordDeletion(
  db: Queryable,
  source: string,
  key: string,
  at: string,
  raw: unknown,
): Promise<void> {
  await insertEvents(db, [
    {
      source,
      kind: 'issue_deleted',
      externalId: `${key}@deleted@${new Date(at).toISOString()}`,
      occurredAt: at,
      subject: key,
      normalized: {},
      raw,
    },
  ]);
  await deleteWorkItem(db, source, key, at);
}

/** True when the item was deleted at or after `updatedAt`: a late update of it is ignored. */
export async function deletedSince(db: Queryable, source: string, key: string, updatedAt: string): Promise<boolean> {
  const at = await lastDeletedAt(db, source, key);
  return at != null && new Date(at).getTime() >= Date.parse(updatedAt);
}
