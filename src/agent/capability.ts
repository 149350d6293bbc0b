import type { Capability } from '../capabilities/capability.js';
import {
  AGENT_CHOICE_ACTIONS,
  agentChoice,
  agentCommand,
  agentHeardMessage,
  agentMention,
  assistantEvent,
} from './listeners.js';
import type { AgentService } from './service.js';
import { agentRunTool } from './tools.js';

/**
 * The agent: plain-language requests through DMs, @mentions (answered in thread), replies in its threads, the
 * assistant pane and `/em <free text>`, answered by running the other capabilities' tools; `agent.run` is the same
 * for other programs (REST, MCP).
 */
export function agentCapability(agent: AgentService): Capability {
  return {
    name: 'agent',
    tools: [agentRunTool(agent)],
    slack: (slackDeps) => {
      const deps = { ...slackDeps, agent };
      return {
        actions: Object.fromEntries(AGENT_CHOICE_ACTIONS.map((id) => [id, agentChoice(deps)])),
        events: {
          message: async (args) => void (await agentHeardMessage(deps, args)),
          app_mention: agentMention(deps),
          assistant_thread_started: assistantEvent(deps),
          assistant_thread_context_changed: assistantEvent(deps),
        },
        freeText: (args) => agentCommand(deps, agent, args),
      };
    },
  };
}
