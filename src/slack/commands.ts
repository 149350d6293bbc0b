import type { WebClient } from '@slack/web-api';
import type { SlackMessage } from '../../blocks/help.js';
import type { ToolContext } from '../capabilities/tool.js';
import type { Logger } from '../observability/logger.js';
import type { Db } from '../store/db.js';
import { type CommandHelp, HELP, type OwnCommand, type OwnSyntax } from './em-command.js';

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

/** What a tool sees of a button or a modal: the person who pressed or submitted it, and their workspace. */
export function actorContext(
  deps: { db: Db; logger: Logger },
  args: { body: { user: { id: string } }; client: ToolContext['slack'] },
): ToolContext {
  return { person: { slackId: args.body.user.id }, db: deps.db, logger: deps.logger, slack: args.client, via: 'slack' };
}

/** A reply; when the router posts it to a channel (`post #channel`, or a DM from a modal) it says where. */
export interface CommandReply extends SlackMessage {
  onPosted?(channel: string, ts: string): Promise<void>;
}

/** A subcommand's handler, typed by what its parser returns (plus the subcommand's name). */
export type CommandHandler<Command = OwnCommand> = (ctx: CommandContext, command: Command) => Promise<CommandReply>;

/**
 * Capabilities register their `/em` subcommands here, each with its syntax (name, help line, parser); the router
 * parses, suggests, lists and dispatches by name and knows none of them.
 */
export class CommandRegistry {
  private readonly handlers = new Map<string, CommandHandler>();
  private readonly toolNames = new Map<string, readonly string[]>();
  private readonly own: OwnSyntax[] = [];

  /** `tools`: the tools the subcommand runs (parse → tool.run → render), so that every door reaches the same. */
  registerOwn<Command>(
    syntax: OwnSyntax<Command>,
    handler: CommandHandler<NoInfer<Command> & { name: string }>,
    tools: readonly string[] = [],
  ): this {
    this.add(syntax);
    this.handlers.set(syntax.name, handler as unknown as CommandHandler);
    this.toolNames.set(syntax.name, tools);
    return this;
  }

  /**
   * A subcommand whose capability is not set up in this installation: parsed and listed in help like the others,
   * and answered "not configured yet" with its `placeholder`.
   */
  declare(syntax: OwnSyntax<unknown>): this {
    this.add(syntax);
    return this;
  }

  private add(syntax: OwnSyntax<unknown>): void {
    const taken = syntax.name === HELP.name || this.own.some((o) => o.name === syntax.name);
    if (taken) throw new Error(`/em ${syntax.name} is registered twice`);
    this.own.push(syntax as OwnSyntax);
  }

  /** Registers every subcommand of the given capabilities, in order. */
  registerAll(subcommands: readonly { handler: CommandHandler; tools: readonly string[]; syntax: OwnSyntax }[]): this {
    for (const { handler, tools, syntax } of subcommands) this.registerOwn(syntax, handler, tools);
    return this;
  }

  /** Whether a subcommand of this name is registered or declared. */
  has(name: string): boolean {
    return this.own.some((o) => o.name === name);
  }

  /** The parsers of the registered (and declared) subcommands, in help order. */
  syntaxes(): readonly OwnSyntax[] {
    // A stable sort: those with an order first, by it; the others after them, as registered.
    const rank = (syntax: OwnSyntax) => syntax.order ?? Number.MAX_SAFE_INTEGER;
    return [...this.own].sort((a, b) => rank(a) - rank(b));
  }

  /** Every subcommand's help line, in help order, `help` last. */
  help(): CommandHelp[] {
    return [...this.syntaxes().map(({ name, usage, summary }) => ({ name, usage, summary })), HELP];
  }

  /** What a subcommand will show once its capability is set up, for its "not configured yet" answer. */
  placeholder(name: string): string {
    const syntax = this.own.find((o) => o.name === name);
    return syntax?.placeholder ?? syntax?.summary ?? 'its results';
  }

  /** The registered subcommands and the tools each runs. */
  tools(): Map<string, readonly string[]> {
    return new Map(this.toolNames);
  }

  get(name: string): CommandHandler | undefined {
    return this.handlers.get(name);
  }
}
