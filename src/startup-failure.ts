import { SourcesError } from './sync/sources.js';
import { YamlFileError } from './yaml-file.js';

/** Slack's answers for a token it will not accept (https://api.slack.com/methods/auth.test#errors). */
const REJECTED_TOKEN = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'not_allowed_token_type',
]);

/**
 * The one line to print for a start-up failure the operator must fix in configuration (exit 78, EX_CONFIG),
 * or undefined for anything else (a bug or an outage, logged with its stack).
 */
export function configFailureLine(err: unknown): string | undefined {
  if (err instanceof SourcesError || err instanceof YamlFileError) return `em-agent: ${err.message}`;
  const slack = err as { code?: string; data?: { error?: string } } | undefined;
  if (slack?.code === 'slack_webapi_platform_error' && REJECTED_TOKEN.has(slack.data?.error ?? ''))
    return `em-agent failed to start: Slack rejected the token (${slack.data?.error}); check SLACK_BOT_TOKEN and SLACK_APP_TOKEN`;
  return undefined;
}
