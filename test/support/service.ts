import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SlackEmulator } from '../../dev/slack/emulator.js';
import { type App, startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger, type Logger } from '../../src/observability/logger.js';

/**
 * The whole service (real config, Bolt over the emulator's WebSocket, the embedded store in `dir/data`), with the
 * given policies file and no rules; `env` overrides settings, `logger` replaces the silent one.
 */
export function startServiceOnEmulator(
  emulator: SlackEmulator,
  dir: string,
  options: { policies: string; env?: Record<string, string>; logger?: Logger },
): Promise<App> {
  const policies = path.join(dir, 'policies');
  rmSync(policies, { recursive: true, force: true });
  mkdirSync(policies);
  writeFileSync(path.join(policies, 'policies.yml'), options.policies);
  mkdirSync(path.join(dir, 'rules'), { recursive: true });
  return startApp(
    loadConfig({
      SLACK_BOT_TOKEN: emulator.botToken,
      SLACK_APP_TOKEN: emulator.appToken,
      SLACK_API_URL: emulator.apiUrl,
      DATA_DIR: path.join(dir, 'data'),
      SOURCES_FILE: path.join(dir, 'sources.yml'),
      RULES_DIR: path.join(dir, 'rules'),
      POLICIES_DIR: policies,
      HTTP_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      JOBS_POLL_MS: '100',
      JOBS_LOCK_LIFETIME_MS: '2000',
      ...options.env,
    }),
    options.logger ?? createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
  );
}
