import type { Capability } from '../capabilities/capability.js';
import type { CapabilityModule } from '../kernel.js';
import { listTeams } from '../teams/store.js';
import {
  AGENT_CHOICE_ACTIONS,
  AGENT_CONFIRM_ACTIONS,
  agentChoice,
  agentCommand,
  agentConfirm,
  agentHeardMessage,
  agentMention,
  assistantEvent,
} from './listeners.js';
import { ToolViews } from './render.js';
import { AgentService, agentSettings } from './service.js';
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
        actions: Object.fromEntries([
          ...AGENT_CHOICE_ACTIONS.map((id) => [id, agentChoice(deps)]),
          ...AGENT_CONFIRM_ACTIONS.map((id) => [id, agentConfirm(deps)]),
        ]),
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

declare module '../capabilities/services.js' {
  interface CapabilityServices {
    agent: AgentService;
  }
}

/** The agent runs the other capabilities' tools (never a `decide` one), so it is listed after them. */
export const agentModule: CapabilityModule = {
  name: 'agent',
  start(k) {
    const { db, sources } = k;
    const agent = new AgentService({
      db,
      logger: k.logger,
      tools: k.tools(),
      views: new ToolViews(k.toolViews()),
      model: k.model,
      settings: agentSettings(k.config),
      // Team names the planner recognises: the teams (keys and names), then tracker projects and Linear teams.
      teams: async () =>
        [
          ...(await listTeams(db)).flatMap((t) => [t.key, t.name]),
          ...(sources.jira?.projects ?? []),
          ...(sources.linear?.teams ?? []),
        ].map((t) => t.toLowerCase()),
    });
    return { ...agentCapability(agent), services: { agent } };
  },
};
