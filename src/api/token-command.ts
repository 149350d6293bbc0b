// `/em token create <name> [read|propose|decide]`, `/em token list`, `/em token revoke <name>`: always answered
// privately (the router's replies are ephemeral), so a new token is seen once and by its creator only.
import {
  tokenCreatedMessage,
  tokenListMessage,
  tokenNameTakenMessage,
  tokenRevokedMessage,
} from '../../blocks/api/tokens.js';
import { runTool } from '../capabilities/tool.js';
import { type CommandContext, type CommandReply, toolContextOf } from '../slack/commands.js';
import type { ApiTokens } from './tokens.js';
import { tokensCreateTool, tokensListTool, tokensRevokeTool } from './tools.js';

export const TOKEN_COMMAND_TOOLS = ['tokens.create', 'tokens.list', 'tokens.revoke'];

export type TokenCommand =
  | { action: 'list' }
  | { action: 'revoke'; token: string }
  | { action: 'create'; token: string; scope: 'read' | 'propose' | 'decide' };

export const TOKEN_USAGE = 'token create <name> [read|propose|decide] | token list | token revoke <name>';

/** The words after `/em token`. */
export function parseTokenArgs(words: string[]): { ok: true; command: TokenCommand } | { ok: false; message: string } {
  const [action = '', tokenName, scope, ...extra] = words;
  const usage = {
    ok: false as const,
    message: 'usage: `/em token create <name> [read|propose|decide]`, `/em token list`, `/em token revoke <name>`',
  };
  if (action === 'list') return words.length === 1 ? { ok: true, command: { action } } : usage;
  if ((action !== 'create' && action !== 'revoke') || !tokenName || extra.length) return usage;
  if (!/^[a-z0-9][a-z0-9_.-]{0,39}$/i.test(tokenName))
    return { ok: false, message: 'a token name is up to 40 letters, digits, `.`, `_` or `-`, e.g. `grafana`' };
  if (action === 'revoke') return scope ? usage : { ok: true, command: { action, token: tokenName } };
  const wanted = (scope ?? 'read').toLowerCase();
  if (wanted !== 'read' && wanted !== 'propose' && wanted !== 'decide')
    return { ok: false, message: 'the scope is `read`, `propose` or `decide`' };
  return { ok: true, command: { action, token: tokenName, scope: wanted } };
}

export function tokenCommand(tokens: ApiTokens): (ctx: CommandContext, command: TokenCommand) => Promise<CommandReply> {
  const list = tokensListTool(tokens);
  const create = tokensCreateTool(tokens);
  const revoke = tokensRevokeTool(tokens);
  return async (ctx, command) => {
    const tool = toolContextOf(ctx);
    if (command.action === 'list') return tokenListMessage(await runTool(list, tool, {}));
    const name = command.token;
    if (command.action === 'revoke') return tokenRevokedMessage(name, (await runTool(revoke, tool, { name })).revoked);
    const made = await runTool(create, tool, { name, scope: command.scope });
    return made.created ? tokenCreatedMessage(made.name, made.scope, made.token) : tokenNameTakenMessage(name);
  };
}
