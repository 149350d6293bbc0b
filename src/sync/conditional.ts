// The conditional first page every connector that can uses: the list's first page is asked for with the ETag
// seen last time (If-None-Match); a 304 Not Modified means nothing changed, and costs no rate limit.

/** Whether a source answered 304 Not Modified to a conditional request. */
export const isNotModified = (err: unknown) => (err as { status?: number } | null)?.status === 304;

/**
 * Sends a request, conditional on `etag` when there is one. Null when the source answered 304 (nothing changed);
 * otherwise the response and its own ETag, to be kept in the cursor for next time.
 */
export async function conditionalFirstPage<R extends { headers: Record<string, unknown> }>(
  etag: string | null | undefined,
  send: (headers: Record<string, string>) => Promise<R>,
): Promise<{ response: R; etag: string | undefined } | null> {
  try {
    const response = await send(etag ? { 'if-none-match': etag } : {});
    const next = response.headers.etag;
    return { response, etag: typeof next === 'string' && next ? next : undefined };
  } catch (err) {
    if (etag && isNotModified(err)) return null;
    throw err;
  }
}
