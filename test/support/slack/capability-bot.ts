import type { SlackEmulator } from '../../../dev/slack/emulator.js';
import type { Capability } from '../../../src/capabilities/capability.js';
import type { Logger } from '../../../src/observability/logger.js';
import { createSlackBot, type SlackBot } from '../../../src/slack/bot.js';
import { CommandRegistry } from '../../../src/slack/commands.js';
import type { Db } from '../../../src/store/db.js';

/** The real bot serving one capability's commands, Home sections and Slack surfaces, started against the emulator. */
export async function startCapabilityBot(
  emulator: SlackEmulator,
  deps: { db: Db; logger: Logger },
  capability: Capability,
): Promise<SlackBot> {
  const bot = createSlackBot(
    {
      botToken: emulator.botToken,
      appToken: emulator.appToken,
      apiUrl: emulator.apiUrl,
      clientPingTimeoutMs: 1000,
    },
    {
      ...deps,
      commands: new CommandRegistry().registerAll(capability.commands ?? []),
      home: capability.home ?? [],
      surfaces: capability.slack ? [capability.slack] : [],
    },
  );
  await bot.start();
  return bot;
}
