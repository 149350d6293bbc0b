// A capability is one thing em-agent does (reports, signals, approvals, incidents, ask, sync, identity). It
// exports one value of this type from its `capability.ts`; `src/app.ts` lists them, and every door (the Slack app,
// the job scheduler, the HTTP server) iterates over them without naming any.
import type { SlackMessage } from '../../blocks/help.js';
import type { JobDefinition } from '../jobs/scheduler.js';
import type { RouteHandler } from '../observability/http.js';
import type { CommandContext, CommandHandler, CommandReply } from '../slack/commands.js';
import type { SlackSurfaceOf } from '../slack/deps.js';
import type { OwnSyntax } from '../slack/em-command.js';
import type { HomeSectionProvider } from '../slack/home.js';
import type { CapabilityServices } from './services.js';
import type { AnyTool } from './tool.js';

/** An `/em` subcommand: the handler renders what the named tools return. */
export interface Subcommand {
  name: string;
  handler: CommandHandler;
  /** The tools it runs, by name: every door reaches the same operations. */
  tools: readonly string[];
  /** Its help line and argument parser (see `ownSubcommand`). */
  syntax: OwnSyntax;
}

export interface Capability {
  name: string;
  tools?: AnyTool[];
  commands?: Subcommand[];
  /** App Home sections; one with the id of a placeholder (approvals, signals, dora, sprint, incidents) replaces it. */
  home?: HomeSectionProvider[];
  slack?: SlackSurfaceOf;
  jobs?: JobDefinition<never>[];
  /** HTTP routes as "METHOD /path" (webhooks). */
  routes?: Record<string, RouteHandler>;
  /** How the agent names and shows its tools' output in Slack, by tool name. */
  toolViews?: Record<string, ToolView>;
  /** Things owed by a person that wait for their daily digest (incident action items, …). */
  digestFeeds?: DigestFeed[];
  /** Extra detail for `/ready` (never makes the bot unready). */
  readiness?: () => Promise<Record<string, unknown>>;
  /** Services other code reaches through the started app (see `CapabilityServices`). */
  services?: Partial<CapabilityServices>;
}

/** A tool as the agent shows it: what it looked at, an example request, and its output as a Slack message. */
export interface ToolView {
  label: string;
  /** A request a person could type that runs this tool (the agent's "I can …" help). */
  example?: string;
  /**
   * The output as a message. `args` are what the planner or model asked for (a repository, people); a view narrows
   * the output by them where it can and pushes a sentence to `notes` where it cannot.
   */
  render?(output: unknown, args: Record<string, unknown>, notes: string[], now: Date): SlackMessage;
}

/** One thing a person owes, kept in their digest until the feed no longer lists it. */
export interface DigestFeedItem {
  /** Unique within the feed; the digest's subject is `<feed name>:<key>`. */
  key: string;
  recipient: string;
  /** The digest group it is listed under (see notifications' GROUPS). */
  group: string;
  title: string;
  reason: { rule: string; kind: string; text: string; since: string };
}

/** A source of digest items owned by a capability; the notification pipeline syncs every feed before digests. */
export interface DigestFeed {
  name: string;
  /** Every item open now. */
  open(): Promise<DigestFeedItem[]>;
  /** Of these keys (items the digest still lists), the ones no longer open. */
  closed(keys: string[]): Promise<string[]>;
  /** The person pressed "Done" on the item in their digest. */
  done?(key: string): Promise<void>;
  /**
   * The item's title as `reader` (not its owner: a lead it is escalated to) may read it; undefined when it is no
   * longer open. Without it, the owner's title is shown.
   */
  titleFor?(key: string, reader: string): Promise<string | undefined>;
}

/**
 * A subcommand that brings its own syntax: `/em <name> …` is parsed by `parse` (the words after the name), listed
 * in help with `usage` and `summary`, and handled by `handler` with what `parse` returned. The `/em` router knows
 * nothing else of it.
 */
export function ownSubcommand<Command extends Record<string, unknown>>(
  spec: OwnSyntax<Command> & {
    handler(ctx: CommandContext, command: Command & { name: string }): Promise<CommandReply>;
    tools: readonly string[];
  },
): Subcommand {
  const { handler, tools, ...syntax } = spec;
  return {
    name: syntax.name,
    handler: handler as unknown as CommandHandler,
    tools,
    syntax: syntax as OwnSyntax,
  };
}
