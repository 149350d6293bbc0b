import type { WebClient } from '@slack/web-api';
import type { SlackMessage } from '../../blocks/help.js';
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
};

/** Capabilities register their `/em` subcommands here; the router finds them by name. */
export class CommandRegistry {
  private readonly handlers = new Map<EmCommandName, CommandHandler>();

  register<Name extends EmCommandName>(name: Name, handler: CommandHandler<Name>): this {
    this.handlers.set(name, handler as unknown as CommandHandler);
    return this;
  }

  get(name: EmCommandName): CommandHandler | undefined {
    return this.handlers.get(name);
  }
}
