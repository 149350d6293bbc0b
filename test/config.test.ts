import { ConfigError, loadConfig } from '../src/config.js';
import { runTs } from './support/processes.js';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('configuration', () => {
  test('an empty environment is valid and runs embedded, on port 3000, with data in ./data', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ DATA_DIR: './data', HTTP_PORT: 3000, LOG_LEVEL: 'info' });
    expect(config.DATABASE_URL).toBeUndefined();
  });

  test.each([
    [{ HTTP_PORT: 'eighty' }, 'HTTP_PORT must be a number'],
    [{ HTTP_PORT: '70000' }, 'HTTP_PORT must be between 0 and 65535'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ DATABASE_URL: 'mysql://db/test' }, 'DATABASE_URL must be a postgres:// or postgresql:// connection string'],
    [
      { SLACK_BOT_TOKEN: 'xapp-1-abc', SLACK_APP_TOKEN: 'xapp-1-def' },
      'SLACK_BOT_TOKEN must be a bot token starting with xoxb-',
    ],
    [{ SLACK_BOT_TOKEN: 'xoxb-1-abc' }, 'SLACK_APP_TOKEN is required when SLACK_BOT_TOKEN is set'],
    [{ SLACK_API_URL: 'not a url' }, 'SLACK_API_URL must be a URL'],
    [{ JOBS_POLL_MS: '-5' }, 'JOBS_POLL_MS must be positive'],
    [{ GITHUB_APP_ID: '12', GITHUB_PRIVATE_KEY: '' }, 'GITHUB_PRIVATE_KEY is required when GITHUB_APP_ID is set'],
    [
      { JIRA_HOST: 'https://acme.atlassian.net', JIRA_EMAIL: 'em@acme.dev' },
      'JIRA_API_TOKEN is required when JIRA_HOST is set',
    ],
    [{ DATABASE_SCHEMA: 'Robert"); DROP' }, 'DATABASE_SCHEMA must be a lower-case SQL identifier'],
  ])('%o is refused with a specific message', (env, message) => {
    expect(problems(env as Record<string, string>).join('\n')).toContain(message);
  });

  test('every problem is listed at once', () => {
    const found = problems({ HTTP_PORT: 'x', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x' });
    expect(found).toHaveLength(3);
  });

  test('the process exits non-zero with the problems and never prints the secret value', async () => {
    const secret = 'xoxb-123456-SUPERSECRETVALUE';
    const child = runTs('src/main.ts', { SLACK_BOT_TOKEN: secret, HTTP_PORT: 'abc', DATA_DIR: '/tmp/never-used' });
    const { code } = await child.exited();
    expect(code).toBe(78);
    expect(child.output()).toContain('SLACK_APP_TOKEN is required');
    expect(child.output()).toContain('HTTP_PORT must be a number');
    expect(child.output()).not.toContain('SUPERSECRETVALUE');
  });
});
