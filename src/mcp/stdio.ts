// `npm run mcp`: em-agent's MCP server over stdio for assistants that start a local process. It speaks to the
// running service's /mcp with the personal token from EM_API_TOKEN (EM_API_URL, default http://127.0.0.1:3000),
// so the tools run in the service, as the token's person, under the same rules.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

export async function runStdioBridge(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const token = env.EM_API_TOKEN;
  if (!token) throw new Error('EM_API_TOKEN is not set: create one in Slack with `/em token create <name>`.');
  const base = env.EM_API_URL ?? `http://127.0.0.1:${env.HTTP_PORT ?? 3000}`;
  const remote = new Client({ name: 'em-agent-stdio', version: '1.0.0' });
  await remote.connect(
    new StreamableHTTPClientTransport(new URL('/mcp', base), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  // A pass-through server: the low-level Server, since the tools and their JSON schemas come from the service.
  const server = new Server({ name: 'em-agent', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, (request) => remote.listTools(request.params));
  server.setRequestHandler(CallToolRequestSchema, (request) => remote.callTool(request.params) as never);
  server.onclose = () => void remote.close();
  await server.connect(new StdioServerTransport());
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runStdioBridge().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
