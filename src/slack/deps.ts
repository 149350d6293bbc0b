import type { Logger } from '../observability/logger.js';
import type { Db } from '../store/db.js';
import type { CommandSlots } from './command-slots.js';
import type { CommandRegistry } from './commands.js';
import type { HomeSectionProvider } from './home.js';

// biome-ignore lint/suspicious/noExplicitAny: Bolt's listener types differ per kind; each factory is typed where it is written.
export type SlackHandler = (args: any) => Promise<void>;

/**
 * What one capability adds to the Slack app besides its `/em` subcommands and Home sections: buttons (by
 * action_id), modals (by callback_id), shortcuts and events. Several capabilities may listen to the same event;
 * they run in the order the capabilities are listed, after the bot's own handling (recording it).
 */
export interface SlackSurface {
  actions?: Record<string, SlackHandler>;
  /** The options of an external select as the person types (block_suggestion), by action_id. */
  options?: Record<string, SlackHandler>;
  views?: Record<string, SlackHandler>;
  globalShortcuts?: Record<string, SlackHandler>;
  messageShortcuts?: Record<string, SlackHandler>;
  events?: Record<string, SlackHandler>;
  /** `/em <text>` when the text is no subcommand nor a near-miss of one (a question in plain words); one owner. */
  freeText?: SlackHandler;
}

/** Builds a capability's Slack surface once the Slack door's own dependencies exist. */
export type SlackSurfaceOf = (deps: SlackDeps) => SlackSurface;

/** What the thin Slack listeners need: the store, a logger, and what capabilities registered. */
export interface SlackDeps {
  db: Db;
  logger: Logger;
  commands: CommandRegistry;
  home: HomeSectionProvider[];
  /** One per capability that has buttons, modals, shortcuts or events. */
  surfaces?: SlackSurfaceOf[];
  /** Where an `/em` command's work waits for its turn after the ack (default: 4 at a time). */
  commandSlots?: CommandSlots;
}
