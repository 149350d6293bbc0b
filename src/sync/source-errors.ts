// Why a source's sync failed, in words. The vendor's own text (an error body, a proxy's page) may carry what not every
// reader may see: credentials echoed back, the name of a private repository or project. It is kept for the operator
// (the log, /ready with METRICS_TOKEN); every other reader sees only the plain reasons below.
import { statusOf } from '../connectors/atlassian/retry.js';
import { redactText } from '../observability/redact.js';

const REASONS = {
  apiKey: 'authentication failed: check the API key',
  unauthorized: 'authentication failed (401): check the credentials',
  forbidden: 'forbidden or rate-limited (403): the account may lack access to this scope',
  notFound: 'not found (404): the scope does not exist or is not shared with the account',
  rateLimited: 'rate-limited (429) past the retries; it will be retried with back-off',
  unreachable: 'the source cannot be reached',
};
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'ECONNRESET',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const serverError = (status: number) => `the source answered ${status}; it will be retried with back-off`;

/** A short reason a person can act on; never a token or a stack. The vendor's text, redacted, when none fits. */
export function describeSourceError(err: unknown): string {
  const e = err as { message?: string; code?: string; type?: string; cause?: { code?: string } };
  const status = statusOf(err);
  if (e.type === 'AuthenticationError') return REASONS.apiKey;
  if (status === 401) return REASONS.unauthorized;
  if (status === 403) return REASONS.forbidden;
  if (status === 404) return REASONS.notFound;
  if (status === 429) return REASONS.rateLimited;
  if (status && status >= 500) return serverError(status);
  // Node's fetch (Linear's SDK, Confluence) says "fetch failed" and keeps the socket's code in `cause`.
  const code = e.code ?? e.cause?.code;
  if (code && UNREACHABLE.has(code)) return REASONS.unreachable;
  return redactText((e.message ?? String(err)).slice(0, 200));
}

/** What the sources.status tool shows in place of a vendor's text. */
export const UNSHOWN_SOURCE_ERROR =
  'the last run failed; the source’s own message is in the service log and in /ready (METRICS_TOKEN)';

const PLAIN: RegExp[] = [
  /^the source answered \d{3}; it will be retried with back-off$/,
  // A source configured without its credentials: "JIRA_HOST, JIRA_EMAIL and JIRA_API_TOKEN are not set".
  /^[A-Z][A-Z_]*(?:, [A-Z][A-Z_]*)*(?: and [A-Z][A-Z_]*)? (?:is|are) not set$/,
];

/** A stored failure as any reader may see it: a plain reason as it is, a vendor's text as UNSHOWN_SOURCE_ERROR. */
export function shownSourceError(error: string | null): string | null {
  if (error === null) return null;
  if (Object.values(REASONS).includes(error) || PLAIN.some((p) => p.test(error))) return error;
  return UNSHOWN_SOURCE_ERROR;
}
