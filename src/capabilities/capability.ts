// A capability is one thing em-agent does (reports, signals, approvals, incidents, ask, sync, identity). It
// exports one value of this type from its `capability.ts`; `src/app.ts` lists them, and every door (the Slack app,
// the job scheduler, the HTTP server) iterates over them without naming any.
import type { JobDefinition } from '../jobs/scheduler.js';
import type { RouteHandler } from '../observability/http.js';
import type { CommandHandler } from '../slack/commands.js';
import type { SlackSurfaceOf } from '../slack/deps.js';
import type { EmCommandName } from '../slack/em-command.js';
import type { HomeSectionProvider } from '../slack/home.js';
import type { AnyTool } from './tool.js';

/** An `/em` subcommand: the handler renders what the named tools return. */
export interface Subcommand {
  name: EmCommandName;
  handler: CommandHandler;
  /** The tools it runs, by name: every door reaches the same operations. */
  tools: readonly string[];
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

/** Keeps each subcommand's handler typed by its own parsed command. */
export function subcommand<Name extends EmCommandName>(
  name: Name,
  handler: CommandHandler<Name>,
  tools: readonly string[],
): Subcommand {
  return { name, handler: handler as unknown as CommandHandler, tools };
}
