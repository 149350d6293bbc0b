import type { WebClient } from '@slack/web-api';
import type { SlackMessage } from '../../blocks/help.js';
import type { ToolContext } from '../capabilities/tool.js';
import type { Logger } from '../observability/logger.js';
import type { Db } from '../store/db.js';
import { COMMANDS, type CommandHelp, type EmCommand, type EmCommandName, type OwnSyntax } from './em-command.js';

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
  team: 'the teams, their members, managers, repositories and boards',
};

/** Capabilities register their `/em` subcommands here; the router finds them by name. */
export class CommandRegistry {
  private readonly handlers = new Map<string, CommandHandler>();
  private readonly toolNames = new Map<string, readonly string[]>();
  private readonly own: OwnSyntax[] = [];

  /** `tools`: the tools the subcommand runs (parse → tool.run → render), so that every door reaches the same. */
  register<Name extends EmCommandName>(name: Name, handler: CommandHandler<Name>, tools: readonly string[] = []): this {
    this.handlers.set(name, handler as unknown as CommandHandler);
    this.toolNames.set(name, tools);
    return this;
  }

  /** A subcommand that brings its own syntax (name, help line, parser) with its handler. */
  registerOwn(syntax: OwnSyntax, handler: CommandHandler, tools: readonly string[] = []): this {
    const taken = COMMANDS.some((c) => c.name === syntax.name) || this.own.some((o) => o.name === syntax.name);
    if (taken) throw new Error(`/em ${syntax.name} is registered twice`);
    this.own.push(syntax);
    this.handlers.set(syntax.name, handler);
    this.toolNames.set(syntax.name, tools);
    return this;
  }

  /** Registers every subcommand of the given capabilities, in order. */
  registerAll(
    subcommands: readonly { name: string; handler: CommandHandler; tools: readonly string[]; syntax?: OwnSyntax }[],
  ): this {
    for (const { name, handler, tools, syntax } of subcommands)
      if (syntax) this.registerOwn(syntax, handler, tools);
      else this.register(name as EmCommandName, handler, tools);
    return this;
  }

  /** The parsers of the subcommands capabilities brought with their own syntax. */
  syntaxes(): readonly OwnSyntax[] {
    return this.own;
  }

  /** Every subcommand's help line: the built-in ones, then the registered ones, `help` last. */
  help(): CommandHelp[] {
    const builtIn = COMMANDS.filter((c) => c.name !== 'help');
    const own = this.own.map(({ name, usage, summary }) => ({ name, usage, summary }));
    return [...builtIn, ...own, ...COMMANDS.filter((c) => c.name === 'help')];
  }

  /** The registered subcommands and the tools each runs. */
  tools(): Map<string, readonly string[]> {
    return new Map(this.toolNames);
  }

  get(name: string): CommandHandler | undefined {
    return this.handlers.get(name);
  }
}
