import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SlackEmulator } from '../../dev/slack/emulator.js';
import type { App } from '../../src/app.js';
import { channelMembership } from '../../src/slack/membership.js';
import { dropSchemas, SERVER_URL, serverUp, uniqueSchema } from './engines.js';
import { startServiceOnEmulator } from './service.js';
import { visibleText } from './slack/harness.js';

type Workspace = SlackEmulator['workspace'];

/**
 * The stores a whole service runs on in the security suites: the embedded PGlite always, and a fresh schema on the
 * PostgreSQL server when one is reachable. Use with `describe.each(SERVICE_ENGINES)`.
 */
export const SERVICE_ENGINES: [string, () => Record<string, string>][] = [
  ['pglite', () => ({})],
  ...(serverUp
    ? ([['postgres', () => ({ DATABASE_URL: SERVER_URL, DATABASE_SCHEMA: uniqueSchema('sec') })]] as [
        string,
        () => Record<string, string>,
      ][])
    : []),
];

export interface SecurityWorkspace<People> {
  emulator: SlackEmulator;
  app: App;
  /** What `people` returned: the user and channel ids the test set up. */
  people: People;
  /**
   * Runs `/em <text>` as `user` in `channel` and resolves with the visible text of its first reply that matches
   * `marker` (the "Working on…" placeholder is never the reply).
   */
  replyTo(user: string, channel: string, text: string, marker: RegExp): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A new Slack workspace (people and channels from `people`, set up before the service connects) and the whole
 * service on it, with the given policies, on the given store (`storeEnv`, from SERVICE_ENGINES).
 */
export async function startSecurityWorkspace<People>(options: {
  name: string;
  people: (ws: Workspace) => People;
  policies: string;
  storeEnv?: Record<string, string>;
  env?: Record<string, string>;
}): Promise<SecurityWorkspace<People>> {
  channelMembership.clear(); // each emulator is a new workspace whose channel ids repeat the last one's
  const emulator = await new SlackEmulator().start();
  const people = options.people(emulator.workspace);
  const dir = mkdtempSync(path.join(tmpdir(), `em-sec-${options.name}-`));
  const schema = options.storeEnv?.DATABASE_SCHEMA;
  const app = await startServiceOnEmulator(emulator, dir, {
    policies: options.policies,
    env: { ...options.storeEnv, ...options.env },
  });
  return {
    emulator,
    app,
    people,
    async replyTo(user, channel, text, marker) {
      const before = emulator.responseUrlPosts.length;
      await emulator.command({ user, channel, text });
      return emulator.waitFor(() =>
        emulator.responseUrlPosts
          .slice(before)
          .map((p) => visibleText(p.body as never))
          .find((t) => marker.test(t) && !/Working on/.test(t)),
      );
    },
    async stop() {
      await app.stop();
      await emulator.stop();
      rmSync(dir, { recursive: true, force: true });
      if (schema) await dropSchemas([schema]);
    },
  };
}
