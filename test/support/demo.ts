// The offline demo (the real app, the Slack emulator and the GitHub and Jira stand-ins, first sync done) for tests
// that need an org with data: one per test file, in a directory of its own, on an ephemeral HTTP port.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type DemoSession, startOfflineDemo } from '../../dev/demo/offline.js';
import { loadConfig } from '../../src/config.js';

export interface TestDemo {
  demo: DemoSession;
  /** Where the demo keeps its store and its log file. */
  dir: string;
  stop(): Promise<void>;
}

/** `env` adds to (or overrides) the settings every such test uses. */
export async function startTestDemo(name: string, env: Record<string, string> = {}): Promise<TestDemo> {
  const dir = mkdtempSync(path.join(tmpdir(), `em-${name}-`));
  const demo = await startOfflineDemo(
    loadConfig({
      DATA_DIR: dir,
      HTTP_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      JOBS_LOCK_LIFETIME_MS: '2000',
      LOG_LEVEL: 'silent',
      ...env,
    }),
  );
  return {
    demo,
    dir,
    async stop() {
      await demo.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
