// `/em token create <name> [read|propose|decide]`, `/em token list`, `/em token revoke <name>`: always answered
// privately (the router's replies are ephemeral), so a new token is seen once and by its creator only.
import {
  tokenCreatedMessage,
  tokenListMessage,
  tokenNameTakenMessage,
  tokenRevokedMessage,
} from '../../blocks/api/tokens.js';
import { runTool } from '../capabilities/tool.js';
import { type CommandHandler, toolContextOf } from '../slack/commands.js';
import type { ApiTokens } from './tokens.js';
import { tokensCreateTool, tokensListTool, tokensRevokeTool } from './tools.js';

export const TOKEN_COMMAND_TOOLS = ['tokens.create', 'tokens.list', 'tokens.revoke'];

export function tokenCommand(tokens: ApiTokens): CommandHandler<'token'> {
  const list = tokensListTool(tokens);
  const create = tokensCreateTool(tokens);
  const revoke = tokensRevokeTool(tokens);
  return async (ctx, command) => {
    const tool = toolContextOf(ctx);
    if (command.action === 'list') return tokenListMessage(await runTool(list, tool, {}));
    const name = command.token as string;
    if (command.action === 'revoke') return tokenRevokedMessage(name, (await runTool(revoke, tool, { name })).revoked);
    const made = await runTool(create, tool, { name, scope: command.scope });
    return made.created ? tokenCreatedMessage(made.name, made.scope, made.token) : tokenNameTakenMessage(name);
  };
}
