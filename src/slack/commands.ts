import type { WebClient } from '@slack/web-api';
import type { SlackMessage } from '../../blocks/help.js';
import type { ToolContext } from '../capabilities/tool.js';
import type { Logger } from '../observability/logger.js';
import type { Db } from '../store/db.js';
import type { EmCommand, EmCommandName } from './em-command.js';

export interface CommandContext {
  userId: string;
  channelId: string;
  client: WebClient;
  db: Db;
  logger: Logger;
  /** Present for slash commands: opens a modal within Slack's 3 s. */
  triggerId?: string;
  /** Replaces the "working on it" message with progress text while long work goes on. */
  progress(text: string): Promise<void>;
}

/** What a tool sees of a slash command: the person who typed it, and the workspace to check memberships in. */
export function toolContextOf(ctx: CommandContext): ToolContext {
  return { person: { slackId: ctx.userId }, db: ctx.db, logger: ctx.logger, slack: ctx.client, progress: ctx.progress };
}

/** A reply; when the router posts it to a channel (`post #channel`, or a DM from a modal) it says where. */
export interface CommandReply extends SlackMessage {
  onPosted?(channel: string, ts: string): Promise<void>;
}

export type CommandHandler<Name extends EmCommandName = EmCommandName> = (
  ctx: CommandContext,
  command: Extract<EmCommand, { name: Name }>,
) => Promise<CommandReply>;

/** What each command will show once its capability is set up; the honest answer until then. */
export const NOT_CONFIGURED: Record<Exclude<EmCommandName, 'help'>, string> = {
  triage: 'stale PRs, review bottlenecks, failing main, unassigned urgent tickets and open incidents, ranked',
  standup: 'PRs opened, merged and reviewed, tickets moved and blockers, per person and team',
  sprint: 'committed vs completed, scope change, carry-over risk and a burndown chart',
  dora: 'deployment frequency, lead time, change failure rate and recovery time',
  signals: 'open risk signals from the rules in rules/',
  approvals: 'the actions waiting for your decision',
  ask: 'answers from your Confluence and repository docs, with citations',
  incident: 'the incident co-pilot: channel, roles, timeline, reminders and postmortem',
  sources: 'the sync status of GitHub, Jira, Linear and Confluence',
  policy: 'what the policies in policies/ decide for an action, and why',
  audit: 'the latest proposals, decisions and executions',
  token: 'personal tokens for the REST API and the MCP server',
  team: 'the teams, their members, managers, repositories and boards',
  okr: "OKRs per team and quarter: key results' progress, check-ins, burn-up and unmapped work",
};

/** Capabilities register their `/em` subcommands here; the router finds them by name. */
export class CommandRegistry {
  private readonly handlers = new Map<EmCommandName, CommandHandler>();
  private readonly toolNames = new Map<EmCommandName, readonly string[]>();

  /** `tools`: the tools the subcommand runs (parse → tool.run → render), so that every door reaches the same. */
  register<Name extends EmCommandName>(name: Name, handler: CommandHandler<Name>, tools: readonly string[] = []): this {
    this.handlers.set(name, handler as unknown as CommandHandler);
    this.toolNames.set(name, tools);
    return this;
  }

  /** Registers every subcommand of the given capabilities, in order. */
  registerAll(
    subcommands: readonly { name: EmCommandName; handler: CommandHandler; tools: readonly string[] }[],
  ): this {
    for (const { name, handler, tools } of subcommands) this.register(name, handler, tools);
    return this;
  }

  /** The registered subcommands and the tools each runs. */
  tools(): Map<EmCommandName, readonly string[]> {
    return new Map(this.toolNames);
  }

  get(name: EmCommandName): CommandHandler | undefined {
    return this.handlers.get(name);
  }
}
