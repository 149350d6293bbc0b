// Webhook bodies whose bytes are not the text they decode to: a vendor signs the bytes it sends, so a receiver must
// check the signature over those bytes, not over the text it decodes them to.
import { createHmac } from 'node:crypto';

/**
 * The JSON of `payload` with `marker` (in one string field) as a byte that is not UTF-8, and as the U+FFFD that
 * byte decodes to: other bytes, the same text.
 */
export function notUtf8(payload: unknown, marker: string): { invalid: Buffer; decoded: Buffer } {
  const parts = JSON.stringify(payload).split(marker);
  if (parts.length !== 2) throw new Error(`the marker ${marker} must be in the payload once`);
  const [before, after] = parts as [string, string];
  const around = (middle: Buffer) => Buffer.concat([Buffer.from(before), middle, Buffer.from(after)]);
  return { invalid: around(Buffer.from([0xff])), decoded: around(Buffer.from('\uFFFD')) };
}

export const hmacOf = (secret: string, bytes: Buffer) => createHmac('sha256', secret).update(bytes).digest('hex');

/** POSTs exactly these bytes as a JSON delivery. */
export async function postBytes(
  url: string,
  body: Buffer,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  const res = await fetch(url, {
    method: 'POST',
    body: new Uint8Array(body),
    headers: { 'content-type': 'application/json', ...headers },
  });
  return { status: res.status, text: await res.text() };
}
