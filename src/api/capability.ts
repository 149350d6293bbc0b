import { type Capability, ownSubcommand } from '../capabilities/capability.js';
import { parseTokenArgs, TOKEN_COMMAND_TOOLS, TOKEN_USAGE, tokenCommand } from './token-command.js';
import type { ApiTokens } from './tokens.js';
import { tokenTools } from './tools.js';

/** Personal API tokens for the REST API and MCP (`/em token create|list|revoke`); the doors are in src/api/doors.ts. */
export function apiCapability(tokens: ApiTokens): Capability {
  return {
    name: 'api',
    tools: tokenTools(tokens),
    commands: [
      ownSubcommand({
        name: 'token',
        usage: TOKEN_USAGE,
        summary: 'personal tokens for the REST API and the MCP server',
        parse: parseTokenArgs,
        handler: tokenCommand(tokens),
        tools: TOKEN_COMMAND_TOOLS,
      }),
    ],
  };
}
