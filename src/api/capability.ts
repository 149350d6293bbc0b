import { type Capability, ownSubcommand } from '../capabilities/capability.js';
import type { CapabilityModule } from '../kernel.js';
import { parseTokenArgs, TOKEN_COMMAND_TOOLS, TOKEN_USAGE, tokenCommand } from './token-command.js';
import { ApiTokens } from './tokens.js';
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

export const apiModule: CapabilityModule = {
  name: 'api',
  start: (k) => apiCapability(new ApiTokens(k.db)),
};
