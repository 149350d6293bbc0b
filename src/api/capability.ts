import { type Capability, subcommand } from '../capabilities/capability.js';
import { TOKEN_COMMAND_TOOLS, tokenCommand } from './token-command.js';
import type { ApiTokens } from './tokens.js';
import { tokenTools } from './tools.js';

/** Personal API tokens for the REST API and MCP (`/em token create|list|revoke`); the doors are in src/api/doors.ts. */
export function apiCapability(tokens: ApiTokens): Capability {
  return {
    name: 'api',
    tools: tokenTools(tokens),
    commands: [subcommand('token', tokenCommand(tokens), TOKEN_COMMAND_TOOLS)],
  };
}
