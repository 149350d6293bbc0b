import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { plainText } from '../../../blocks/text.js';
import { type EmulatorOptions, SlackEmulator } from '../../../dev/slack/emulator.js';
import { createLogger } from '../../../src/observability/logger.js';
import { createSlackBot, type SlackBot } from '../../../src/slack/bot.js';
import { CommandRegistry } from '../../../src/slack/commands.js';
import type { SlackDeps, SlackSurfaceOf } from '../../../src/slack/deps.js';
import { placeholderSections } from '../../../src/slack/home.js';
import type { Db } from '../../../src/store/db.js';
import { openStore } from '../../../src/store/open.js';
import { everySubcommandSyntax } from './surfaces.js';

export interface BotHarness {
  emulator: SlackEmulator;
  bot: SlackBot;
  db: Db;
  deps: SlackDeps;
  users: { alice: string; bob: string };
  channels: { eng: string; leads: string; privateOps: string };
  stop(): Promise<void>;
}

/** The real bot (Bolt in Socket Mode) on an embedded store, connected to a fresh emulator over its WebSocket. */
export async function startBotHarness(
  options: {
    emulator?: EmulatorOptions;
    register?: (commands: CommandRegistry) => void;
    /** Capabilities' buttons, modals, shortcuts and events (none by default: only `/em` and the Home tab). */
    surfaces?: SlackSurfaceOf[];
    /** A store of the test's own (e.g. a describeEachEngine freshDb); the harness then leaves it open. */
    db?: Db;
  } = {},
): Promise<BotHarness> {
  const emulator = await new SlackEmulator(options.emulator).start();
  const ws = emulator.workspace;
  const alice = ws.addUser({ name: 'alice', real_name: 'Alice Smith', email: 'alice@acme.dev' }).id;
  const bob = ws.addUser({ name: 'bob', real_name: 'Bob Jones', email: 'bob@acme.dev' }).id;
  const eng = ws.addChannel('eng', { members: [alice, bob, ws.botUserId] }).id;
  const leads = ws.addChannel('eng-leads', { members: [alice] }).id;
  const privateOps = ws.addChannel('ops-private', { members: [alice], isPrivate: true }).id;

  const dir = mkdtempSync(path.join(tmpdir(), 'em-slack-'));
  const db = options.db ?? (await openStore({ DATA_DIR: dir }));
  const commands = new CommandRegistry();
  options.register?.(commands);
  // The subcommands a test does not register are listed and parsed, and answered "not configured yet".
  for (const syntax of everySubcommandSyntax())
    if (syntax.placeholder && !commands.has(syntax.name)) commands.declare(syntax);
  const deps: SlackDeps = {
    db,
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    commands,
    home: placeholderSections(),
    surfaces: options.surfaces ?? [],
  };
  const bot = createSlackBot(
    { botToken: emulator.botToken, appToken: emulator.appToken, apiUrl: emulator.apiUrl, clientPingTimeoutMs: 1000 },
    deps,
  );
  await bot.start();
  return {
    emulator,
    bot,
    db,
    deps,
    users: { alice, bob },
    channels: { eng, leads, privateOps },
    async stop() {
      await bot.stop();
      await emulator.stop();
      if (!options.db) await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Plain text of everything a Block Kit payload shows, for assertions a reader can follow. */
export function visibleText(payload: { text?: string; blocks?: unknown[] } | undefined): string {
  if (!payload) return '';
  return plainText(payload.blocks ?? []) || (payload.text ?? '');
}
