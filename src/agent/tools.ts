import { z } from 'zod';
import { plainText } from '../../blocks/text.js';
import { defineTool } from '../capabilities/tool.js';
import type { AgentService } from './service.js';

export const agentRunOutput = z.object({
  outcome: z.enum(['answered', 'chose', 'unservable', 'rate_limited', 'over_budget', 'failed', 'timeout']),
  /** The answer as plain text (what the Slack message shows). */
  answer: z.string(),
  tools: z.array(z.object({ tool: z.string(), args: z.record(z.string(), z.unknown()), ok: z.boolean() })),
  tokens: z.number(),
});

/** The agent for other programs (`POST /v1/agent/run`, MCP): a plain-language request, as the acting person. */
export function agentRunTool(agent: AgentService) {
  return defineTool({
    name: 'agent.run',
    description:
      'Answers a request in plain language ("sprint health and stale PRs", "who is overloaded on reviews?") by ' +
      "choosing and running em-agent's tools as the acting person, and says which it ran. What it proposes waits for " +
      'an approver; it never decides. Rate limits and token budgets per person apply.',
    kind: 'propose',
    input: z.object({ query: z.string().trim().min(1).max(4000) }),
    output: agentRunOutput,
    run: async (ctx, input) => {
      const result = await agent.handle({
        person: ctx.person.slackId,
        text: input.query,
        // The door the request came through: REST (`api`) or MCP (`mcp`), recorded in agent_runs.
        door: ctx.via === 'mcp' ? 'mcp' : 'api',
        threadKey: null,
        slack: ctx.slack,
      });
      return {
        outcome: result.outcome,
        answer: plainText(result.message.blocks ?? []) || result.message.text,
        tools: result.tools,
        tokens: result.tokens,
      };
    },
  });
}
