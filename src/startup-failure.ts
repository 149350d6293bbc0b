import { redactText } from './observability/redact.js';
import { StoreStartError } from './store/start-error.js';
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
 * The one line to print for a start-up failure the operator must fix outside em-agent (configuration, the database
 * server, the data directory) and the exit code, or undefined for anything else (a bug, logged with its stack).
 * 78 (EX_CONFIG) is a setting to fix; 75 (EX_TEMPFAIL) what may pass by itself (the server down, DATA_DIR in use).
 */
export function startupFailure(err: unknown): { line: string; exitCode: number } | undefined {
  if (err instanceof SourcesError || err instanceof YamlFileError)
    return { line: `em-agent: ${err.message}`, exitCode: 78 };
  if (err instanceof StoreStartError) return { line: redactText(err.message), exitCode: err.exitCode };
  const slack = err as { code?: string; data?: { error?: string } } | undefined;
  if (slack?.code === 'slack_webapi_platform_error' && REJECTED_TOKEN.has(slack.data?.error ?? ''))
    return {
      line: `em-agent failed to start: Slack rejected the token (${slack.data?.error}); check SLACK_BOT_TOKEN and SLACK_APP_TOKEN`,
      exitCode: 78,
    };
  return undefined;
}
