// The doors for other programs on the HTTP port: the REST API (/v1) and the MCP server (/mcp). Neither offers the
// token tools: a token never mints, lists or revokes tokens.
import type { FastifyPluginAsync } from 'fastify';
import { mcpPlugin } from '../mcp/http.js';
import type { ApiOptions } from './context.js';
import { databaseRateBudget } from './rate-budget.js';
import { apiPlugin } from './server.js';
import { TOKEN_TOOLS_PREFIX } from './tools.js';

export function httpDoors(options: ApiOptions): FastifyPluginAsync[] {
  const tools = options.tools.filter((t) => !t.name.startsWith(TOKEN_TOOLS_PREFIX));
  // One budget per token, whichever door a request comes through and whichever replica answers it.
  const rateStore = options.rateStore ?? databaseRateBudget(options.db);
  return [apiPlugin({ ...options, tools, rateStore }), mcpPlugin({ ...options, tools, rateStore })];
}
