import { config as loadDotenv } from 'dotenv';
import { z } from 'zod';
import { DEFAULT_POOL_MAX } from './store/pool-size.js';

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const optionalUrl = optionalString.pipe(z.url({ error: 'must be a URL such as https://example.com/' }).optional());

const port = z.coerce
  .number({ error: 'must be a number' })
  .int({ error: 'must be a whole number' })
  .min(0, { error: 'must be between 0 and 65535' })
  .max(65535, { error: 'must be between 0 and 65535' });

const positiveMs = z.coerce
  .number({ error: 'must be a number of milliseconds' })
  .int()
  .positive({ error: 'must be positive' });

export const configSchema = z.object({
  SLACK_BOT_TOKEN: optionalString.pipe(
    z.string().startsWith('xoxb-', { error: 'must be a bot token starting with xoxb-' }).optional(),
  ),
  SLACK_APP_TOKEN: optionalString.pipe(
    z.string().startsWith('xapp-', { error: 'must be an app-level token starting with xapp-' }).optional(),
  ),
  SLACK_API_URL: optionalUrl,
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, { error: 'must be a postgres:// or postgresql:// connection string' })
      .optional(),
  ),
  DATABASE_SCHEMA: optionalString.pipe(
    z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: 'must be a lower-case SQL identifier' })
      .optional(),
  ),
  DATA_DIR: z.string().trim().min(1).default('./data'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  HTTP_HOST: z.string().trim().min(1).default('0.0.0.0'),
  /** When set, /metrics and the details of /ready need `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: optionalString,
  HTTP_PORT: port.default(3000),
  JOBS_POLL_MS: positiveMs.default(5000),
  JOBS_LOCK_LIFETIME_MS: positiveMs.default(10 * 60 * 1000),
  /**
   * The longest a stop may take: past it the process exits with code 1 (a database or Slack call that never answers
   * would hold it for good). Below Kubernetes' default 30 s grace, so the last log line is ours, not a SIGKILL.
   */
  SHUTDOWN_TIMEOUT_MS: positiveMs.default(25_000),
  SOURCES_FILE: z.string().trim().min(1).default('./sources.yml'),
  RULES_DIR: z.string().trim().min(1).default('./rules'),
  /** Scheduled standups, weekly digests and sprint reports (YAML; a missing file schedules nothing). */
  REPORTS_FILE: z.string().trim().min(1).default('./reports.yml'),
  POLICIES_DIR: z.string().trim().min(1).default('./policies'),
  /** DORA performance bands: the 2023 report (default) or the 2021 one. */
  DORA_BANDS: z.enum(['2023', '2021']).default('2023'),
  /** Where report days start (deployment days, standup windows), e.g. Europe/Berlin. */
  REPORTS_TIMEZONE: z
    .string()
    .trim()
    .default('UTC')
    .refine((tz) => tz === 'UTC' || Intl.supportedValuesOf('timeZone').includes(tz), {
      error: 'must be an IANA time zone such as Europe/Berlin',
    }),
  /** `/em` commands doing their work at once; the rest are acked and wait their turn (slack_commands_waiting). */
  COMMAND_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  // One connection is the job scheduler's LISTEN; the others serve queries (App Home has two more of its own).
  DATABASE_POOL_MAX: z.coerce.number().int().min(2).max(100).default(DEFAULT_POOL_MAX),
  /** How often rules are checked for being due (each rule still runs on its own schedule). */
  SIGNALS_TICK_MS: positiveMs.default(60_000),
  /** How often incident nudges, status-update reminders and archiving are checked. */
  INCIDENTS_TICK_MS: positiveMs.default(30_000),
  /** First wait before an approved action that failed is tried again (doubling, at most 5 attempts). */
  ACTION_RETRY_BASE_MS: positiveMs.default(30_000),
  GITHUB_APP_ID: optionalString.pipe(z.string().regex(/^\d+$/, { error: 'must be the numeric App ID' }).optional()),
  GITHUB_PRIVATE_KEY: optionalString,
  GITHUB_API_URL: optionalUrl,
  GITHUB_WEBHOOK_SECRET: optionalString,
  JIRA_HOST: optionalUrl,
  JIRA_EMAIL: optionalString.pipe(z.email({ error: 'must be an e-mail address' }).optional()),
  JIRA_API_TOKEN: optionalString,
  LINEAR_API_KEY: optionalString,
  LINEAR_API_URL: optionalUrl,
  SHORTCUT_API_TOKEN: optionalString,
  /** Shortcut's API origin (default https://api.app.shortcut.com). */
  SHORTCUT_API_URL: optionalUrl,
  SHORTCUT_WEBHOOK_SECRET: optionalString,
  /** Webhook secrets (issue #25): each turns on its route, POST /webhooks/jira and /webhooks/linear. */
  JIRA_WEBHOOK_SECRET: optionalString,
  LINEAR_WEBHOOK_SECRET: optionalString,
  CONFLUENCE_HOST: optionalUrl,
  CONFLUENCE_EMAIL: optionalString.pipe(z.email({ error: 'must be an e-mail address' }).optional()),
  CONFLUENCE_API_TOKEN: optionalString,
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalUrl,
  OPENAI_MODEL: optionalString,
  /** Embeddings model for `ask` (OpenAI-compatible); without a key, offline hashing embeddings are used. */
  ASK_EMBEDDINGS_MODEL: optionalString,
  /**
   * Without an OpenAI key: `local` ranks `ask` passages by meaning too, with a sentence model run on this machine
   * (all-MiniLM-L6-v2 on a worker thread; about 0.2 s of one core per passage to index); `hashing` by words only.
   */
  ASK_EMBEDDINGS: z.enum(['local', 'hashing'], { error: 'must be local or hashing' }).default('hashing'),
  /** Chunk size and overlap (characters) for `ask`. */
  ASK_CHUNK_SIZE: z.coerce.number().int().min(200).max(8000).default(800),
  ASK_CHUNK_OVERLAP: z.coerce.number().int().min(0).max(2000).default(100),
  /** How often changed documents are re-chunked and embedded. */
  ASK_INDEX_TICK_MS: positiveMs.default(60_000),
  /** REST API and MCP: requests a minute per personal token, and the largest request body in bytes. */
  RATE_LIMIT_PER_MIN: z.coerce.number().int().min(1).max(100_000).default(120),
  MAX_PAYLOAD_BYTES: z.coerce.number().int().min(1024).max(10_000_000).default(65_536),
  /** Teams defined declaratively (read-only in Slack); a missing file leaves teams to Slack. */
  TEAMS_FILE: z.string().trim().min(1).default('./teams.yml'),
  /** Onboarding templates, one per file (onboarding/default.yml, onboarding/<team-key>.yml). */
  ONBOARDING_DIR: z.string().trim().min(1).default('./onboarding'),
  /** Objectives and key results per team and quarter, applied at start (read-only in Slack). */
  OKRS_FILE: z.string().trim().min(1).default('./okrs.yml'),
  /** The agent (plain-language requests): model steps, time and tokens per request; per person per hour and day. */
  AGENT_MAX_STEPS: z.coerce.number().int().min(1).max(20).default(6),
  AGENT_TIMEOUT_MS: positiveMs.default(60_000),
  AGENT_TOKENS_PER_REQUEST: z.coerce.number().int().min(100).default(20_000),
  AGENT_TOKENS_PER_DAY: z.coerce.number().int().min(100).default(200_000),
  AGENT_REQUESTS_PER_HOUR: z.coerce.number().int().min(1).default(30),
  AGENT_MEMORY_TURNS: z.coerce.number().int().min(0).max(50).default(10),
  // Notifications (issue #21): real-time DMs per person per day, digest time, escalation, digest tick.
  NOTIFY_REALTIME_CAP: z.coerce.number().int().min(0).max(50).default(2),
  NOTIFY_DIGEST_TIME: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'must be a time such as 09:30' })
    .default('09:30'),
  NOTIFY_ESCALATE_AFTER_DAYS: z.coerce.number().int().min(0).max(60).default(3),
  NOTIFY_TICK_MS: positiveMs.default(60_000),
  // Event bus (issue #25): every stored event, signal and approval change published to NATS JetStream; off unset.
  NATS_URL: optionalString.pipe(
    z
      .string()
      .regex(/^(nats|tls|ws|wss):\/\/[^,\s]+(,(nats|tls|ws|wss):\/\/[^,\s]+)*$/, {
        error: 'must be nats://host:port (several separated by commas)',
      })
      .optional(),
  ),
  NATS_STREAM: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'must be a stream name (letters, digits, _ and -)' })
    .default('EM_AGENT'),
  NATS_SUBJECT_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, { error: 'must be subject tokens such as em or acme.em' })
    .default('em'),
  EVENT_BUS_DRAIN_MS: positiveMs.default(5_000),
  // Policies from Open Policy Agent (issue #25): its Data API decides; the YAML policies are the fallback.
  OPA_URL: optionalUrl,
  OPA_TIMEOUT_MS: positiveMs.default(2_000),
});

// Settings that only make sense together. Checked on the raw environment so that they are reported
// alongside, not instead of, problems with other fields.
const REQUIRED_TOGETHER: { when: string; needs: string; why: string }[] = [
  { when: 'SLACK_BOT_TOKEN', needs: 'SLACK_APP_TOKEN', why: 'Socket Mode needs both xoxb- and xapp- tokens' },
  { when: 'SLACK_APP_TOKEN', needs: 'SLACK_BOT_TOKEN', why: 'Socket Mode needs both xoxb- and xapp- tokens' },
  { when: 'GITHUB_APP_ID', needs: 'GITHUB_PRIVATE_KEY', why: 'the App signs its token requests with it' },
  { when: 'JIRA_HOST', needs: 'JIRA_EMAIL', why: 'Jira Cloud authenticates with e-mail and API token' },
  { when: 'JIRA_HOST', needs: 'JIRA_API_TOKEN', why: 'Jira Cloud authenticates with e-mail and API token' },
  {
    when: 'CONFLUENCE_HOST',
    needs: 'CONFLUENCE_EMAIL',
    why: 'Confluence Cloud authenticates with e-mail and API token',
  },
  {
    when: 'CONFLUENCE_HOST',
    needs: 'CONFLUENCE_API_TOKEN',
    why: 'Confluence Cloud authenticates with e-mail and API token',
  },
];

function missingCompanions(env: NodeJS.ProcessEnv): string[] {
  const set = (name: string) => Boolean(env[name]?.trim());
  return REQUIRED_TOGETHER.filter((rule) => set(rule.when) && !set(rule.needs)).map(
    (rule) => `${rule.needs} is required when ${rule.when} is set (${rule.why})`,
  );
}

export type Config = z.infer<typeof configSchema>;

/** Names of settings whose values are secrets: they are redacted from every log line. */
export const SECRET_SETTINGS = [
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'DATABASE_URL',
  'GITHUB_PRIVATE_KEY',
  'GITHUB_WEBHOOK_SECRET',
  'JIRA_API_TOKEN',
  'LINEAR_API_KEY',
  'SHORTCUT_API_TOKEN',
  'SHORTCUT_WEBHOOK_SECRET',
  'JIRA_WEBHOOK_SECRET',
  'LINEAR_WEBHOOK_SECRET',
  'CONFLUENCE_API_TOKEN',
  'OPENAI_API_KEY',
  'METRICS_TOKEN',
  'NATS_URL',
] as const satisfies readonly (keyof Config)[];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; on failure throws a ConfigError naming every problem, never a value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = configSchema.safeParse(env);
  const problems = [
    ...(result.success
      ? []
      : result.error.issues.map((issue) => `${issue.path.join('.') || 'environment'} ${issue.message}`)),
    ...missingCompanions(env),
  ];
  if (result.success && problems.length === 0) return result.data;
  throw new ConfigError([...new Set(problems)]);
}

export function slackMode(config: Config): 'slack' | 'demo' {
  return config.SLACK_BOT_TOKEN && config.SLACK_APP_TOKEN ? 'slack' : 'demo';
}

/** Reads `.env` from the working directory into process.env (existing variables win), silently. */
export function loadDotenvFile(): void {
  loadDotenv({ quiet: true });
}
