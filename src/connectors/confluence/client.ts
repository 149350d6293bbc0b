import { sourceApiCalls } from '../../observability/metrics.js';

// Confluence Cloud's REST API (v1 content) over fetch. confluence.js, used until 2026-12-08, threw only the body of
// an error answer: its status and Retry-After were lost, so a 401 was retried for 15 s and shown as the vendor's text,
// a 429 was retried after a second whatever Atlassian asked, and an unreachable site failed with "Cannot read
// properties of undefined (reading 'data')". Here an error keeps its status and Retry-After, and a listing's next page
// is read from the `_links.next` Confluence gives (its pages may be shorter than asked).

export interface ConfluenceCredentials {
  host: string;
  email: string;
  apiToken: string;
}

/** An answer other than 2xx: its status, and Retry-After (seconds) when it came with one. */
export class ConfluenceHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'ConfluenceHttpError';
  }
}

export interface ConfluenceClient {
  /** The site, e.g. https://acme.atlassian.net. */
  readonly host: string;
  /** GET a path under the site's /wiki (e.g. `/rest/api/content?…`, or a listing's `_links.next`), as JSON. */
  get<T>(path: string, signal?: AbortSignal): Promise<T>;
}

const TIMEOUT_MS = 30_000;

/** Retry-After in seconds: a number of seconds or an HTTP date. */
function retryAfterOf(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

export function createConfluenceClient(credentials: ConfluenceCredentials): ConfluenceClient {
  const host = credentials.host.replace(/\/+$/, '');
  const wiki = `${host}/wiki`;
  const origin = new URL(host).origin;
  const authorization = `Basic ${Buffer.from(`${credentials.email}:${credentials.apiToken}`).toString('base64')}`;
  return {
    host,
    async get<T>(path: string, signal?: AbortSignal): Promise<T> {
      const url = new URL(path.startsWith('/wiki/') ? `${host}${path}` : `${wiki}${path}`);
      // The credentials go to the configured site only, whatever a link says.
      if (url.origin !== origin) throw new Error(`Confluence link leaves the site: ${url.origin}`);
      const timeout = AbortSignal.timeout(TIMEOUT_MS);
      let response: Response;
      try {
        response = await fetch(url, {
          headers: { authorization, accept: 'application/json' },
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
      } catch (err) {
        sourceApiCalls.inc({ source: 'confluence', status: 'network' });
        if (signal?.aborted) throw signal.reason;
        // fetch says only "fetch failed"; the socket's code (ECONNREFUSED, ENOTFOUND…) is in its cause.
        const cause = (err as { cause?: { code?: unknown } }).cause;
        throw Object.assign(
          new Error(`Confluence cannot be reached (${String(cause?.code ?? (err as Error).message)})`),
          {
            code: typeof cause?.code === 'string' ? cause.code : undefined,
          },
        );
      }
      sourceApiCalls.inc({ source: 'confluence', status: String(response.status) });
      const text = await response.text();
      if (!response.ok) {
        let detail = '';
        try {
          const body = JSON.parse(text) as { message?: unknown };
          if (typeof body.message === 'string') detail = `: ${body.message.slice(0, 200)}`;
        } catch {
          // Not JSON (a proxy's page): the status says enough.
        }
        throw new ConfluenceHttpError(
          response.status,
          `Confluence answered ${response.status}${detail}`,
          retryAfterOf(response.headers.get('retry-after')),
        );
      }
      return JSON.parse(text) as T;
    },
  };
}
