// A capability is one thing em-agent does (reports, signals, approvals, incidents, ask, sync, identity). It
// exports one value of this type from its `capability.ts`; `src/app.ts` lists them, and every door (the Slack app,
// the job scheduler, the HTTP server) iterates over them without naming any.
import type { JobDefinition } from '../jobs/scheduler.js';
import type { RouteHandler } from '../observability/http.js';
import type { CommandContext, CommandHandler, CommandReply } from '../slack/commands.js';
import type { SlackSurfaceOf } from '../slack/deps.js';
import type { OwnSyntax } from '../slack/em-command.js';
import type { HomeSectionProvider } from '../slack/home.js';
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
