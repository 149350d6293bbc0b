import { sourcesMessage } from '../../blocks/sources.js';
import type { CommandHandler } from '../slack/commands.js';
import { listSyncStatus } from './status.js';

/** `/em sources`: each source scope, last success, rate limit left, the last error in plain words. */
export function sourcesCommand(configured: string[]): CommandHandler<'sources'> {
  return async (ctx) => sourcesMessage(await listSyncStatus(ctx.db), configured);
}
