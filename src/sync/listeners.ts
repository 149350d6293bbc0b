import { sourcesMessage } from '../../blocks/sources.js';
import { runTool } from '../capabilities/tool.js';
import { type CommandHandler, toolContextOf } from '../slack/commands.js';
import type { SourcesCommand } from './args.js';
import { sourcesStatusTool } from './tools.js';

/** `/em sources`: each source scope, last success, rate limit left, the last error in plain words. */
export function sourcesCommand(configured: string[]): CommandHandler<SourcesCommand> {
  const tool = sourcesStatusTool(configured);
  return async (ctx) => {
    const status = await runTool(tool, toolContextOf(ctx), {});
    return sourcesMessage(status.scopes, status.configured);
  };
}
