import type { Logger } from '../observability/logger.js';
import type { Db } from '../store/db.js';
import type { CommandRegistry } from './commands.js';
import type { HomeSectionProvider } from './home.js';

/** What the thin Slack listeners need: the store, a logger, and what capabilities registered. */
export interface SlackDeps {
  db: Db;
  logger: Logger;
  commands: CommandRegistry;
  home: HomeSectionProvider[];
}
