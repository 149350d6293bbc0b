import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SlackEmulator } from '../../dev/slack/emulator.js';
import { runTs } from '../support/processes.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'em-sec-start-'));
  dirs.push(dir);
  return dir;
}

const BOMB = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
for (let i = 1; i < 9; i += 1)
  BOMB.push(
    `a${i}: &a${i} [${Array(10)
      .fill(`*a${i - 1}`)
      .join(', ')}]`,
  );

/** One line on stderr naming the problem, no stack trace. */
function expectOneCleanLine(output: string, line: string) {
  expect(output).toContain(line);
  expect(output).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

describe('start-up failures end with one clear line and exit code 78', () => {
  test.each(['SOURCES_FILE', 'REPORTS_FILE'])('an alias bomb in %s names the file and line', async (setting) => {
    const dir = tempDir();
    const file = path.join(dir, 'bomb.yml');
    writeFileSync(file, `${BOMB.join('\n')}\n`);
    const child = runTs('src/main.ts', {
      [setting]: file,
      DATA_DIR: path.join(dir, 'data'),
      HTTP_PORT: '0',
      SLACK_BOT_TOKEN: 'xoxb-1-unused',
      SLACK_APP_TOKEN: 'xapp-1-unused',
      SLACK_API_URL: 'http://127.0.0.1:9/api/',
    });
    const { code } = await child.exited();
    expectOneCleanLine(child.output(), `${file}:1: Excessive alias count indicates a resource exhaustion attack`);
    expect(code).toBe(78);
  });

  test('a Slack token Slack rejects (invalid_auth) stops start-up cleanly and closes the database', async () => {
    const emulator = await new SlackEmulator().start();
    const dir = tempDir();
    try {
      const child = runTs('src/main.ts', {
        DATA_DIR: path.join(dir, 'data'),
        HTTP_PORT: '0',
        SLACK_BOT_TOKEN: 'xoxb-1-revoked-SECRETPART',
        SLACK_APP_TOKEN: emulator.appToken,
        SLACK_API_URL: emulator.apiUrl,
      });
      const { code } = await child.exited();
      expectOneCleanLine(child.output(), 'em-agent failed to start: Slack rejected the token (invalid_auth)');
      expect(child.output()).not.toContain('SECRETPART');
      expect(child.output()).toContain('"msg":"store closed"');
      expect(code).toBe(78);
    } finally {
      await emulator.stop();
    }
  });
});
