// em-agent's tools as an MCP server for one token: the tools its scope allows (read and propose for propose-scoped
// tokens, decide only for decide-scoped ones), with their zod schemas and descriptions, run as the token's person.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { WebClient } from '@slack/web-api';
import { type ApiPrincipal, scopeAllows } from '../api/tokens.js';
import { TOKEN_TOOLS_PREFIX } from '../api/tools.js';
import type { AnyTool, ToolContext } from '../capabilities/tool.js';
import { isStopping, RESTARTING } from '../lib/stopping.js';
import type { Logger } from '../observability/logger.js';
import type { Db } from '../store/db.js';

export interface McpDeps {
  db: Db;
  logger: Logger;
  tools: AnyTool[];
  slack: () => WebClient | undefined;
}

/** The tools a token may see and run: never the token tools themselves (only Slack mints tokens). */
export function toolsFor(principal: ApiPrincipal, tools: AnyTool[]): AnyTool[] {
  return tools.filter((t) => !t.name.startsWith(TOKEN_TOOLS_PREFIX) && scopeAllows(principal.scope, t.kind));
}

export function mcpServerFor(principal: ApiPrincipal, deps: McpDeps): McpServer {
  const server = new McpServer({ name: 'em-agent', version: '1.0.0' });
  const ctx = (): ToolContext => ({
    person: { slackId: principal.slackUserId },
    db: deps.db,
    logger: deps.logger.child({ via: 'mcp', token: principal.tokenId }),
    slack: deps.slack(),
    via: 'mcp',
  });
  for (const tool of toolsFor(principal, deps.tools)) {
    server.registerTool(
      tool.name,
      {
        description: `${tool.description} (kind: ${tool.kind})`,
        inputSchema: tool.input,
        annotations: { readOnlyHint: tool.kind === 'read', destructiveHint: false },
      },
      async (input: unknown) => {
        const output = await tool.run(ctx(), input).catch((err: unknown) => {
          if (isStopping(err)) throw new Error(RESTARTING);
          // A refusal meant for the caller (no such team: its statusCode says so) keeps its words; anything else is
          // logged and answered as an internal error, never with its own message (a database's, a vendor's).
          const status = (err as { statusCode?: unknown })?.statusCode;
          if (typeof status === 'number' && status < 500) throw err;
          deps.logger.error({ err, tool: tool.name, token: principal.tokenId }, 'mcp tool failed');
          throw new Error('Internal error.');
        });
        const json = JSON.parse(JSON.stringify(output ?? null));
        return {
          content: [{ type: 'text' as const, text: JSON.stringify(json, null, 2) }],
          ...(json && typeof json === 'object' && !Array.isArray(json) ? { structuredContent: json } : {}),
        };
      },
    );
  }
  return server;
}
