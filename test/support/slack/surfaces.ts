// The Slack surfaces and `/em` subcommands of every capability, built without a database or services: building
// them only wires functions, and no listener runs, so the manifest and limits tests can read the full listener
// table, and the bot harness can list every subcommand.
import { agentCapability } from '../../../src/agent/capability.js';
import { apiCapability } from '../../../src/api/capability.js';
import { approvalsCapability } from '../../../src/approvals/capability.js';
import { askCapability } from '../../../src/ask/capability.js';
import type { Capability } from '../../../src/capabilities/capability.js';
import { incidentsCapability } from '../../../src/incidents/capability.js';
import { notificationsCapability } from '../../../src/notifications/capability.js';
import { okrsCapability } from '../../../src/okrs/capability.js';
import { onboardingCapability } from '../../../src/onboarding/capability.js';
import { reportsCapability } from '../../../src/reports/capability.js';
import { signalsCapability } from '../../../src/signals/capability.js';
import { CommandRegistry } from '../../../src/slack/commands.js';
import type { SlackSurfaceOf } from '../../../src/slack/deps.js';
import type { OwnSyntax } from '../../../src/slack/em-command.js';
import { sourcesSyntax } from '../../../src/sync/args.js';
import { slackEventLog } from '../../../src/sync/slack-events.js';
import { teamsCapability } from '../../../src/teams/capability.js';

const unused = {} as never;

/** Every capability but sync, whose value is built from config and sources. */
function everyCapability(): Capability[] {
  return [
    signalsCapability(unused, { evaluateEvery: '1 minute' }),
    approvalsCapability(unused),
    reportsCapability({
      settings: { bandSet: 'dora-2023' as never, timezone: 'UTC' },
      signals: unused,
      approvals: unused,
      schedules: { standups: [], sprint_reports: [] } as never,
      slack: () => undefined,
      logger: unused,
    }),
    incidentsCapability(unused, { remindEvery: '1 minute' }),
    askCapability(unused, { indexEvery: '1 minute' }),
    agentCapability(unused),
    teamsCapability(unused),
    notificationsCapability(unused, { tickEvery: '1 minute' }),
    onboardingCapability(unused),
    apiCapability(unused),
    okrsCapability({ db: unused, slack: () => undefined, dmGate: async () => false }),
  ];
}

export function everySlackSurface(): SlackSurfaceOf[] {
  const capabilities = everyCapability();
  // Slack's event log comes first, as in src/app.ts: incident handlers read the messages it records.
  return [slackEventLog, ...capabilities.flatMap((c) => (c.slack ? [c.slack] : []))];
}

/** Every capability's `/em` subcommand syntax: help line, parser, and what it shows once set up. */
export function everySubcommandSyntax(): OwnSyntax[] {
  return [sourcesSyntax, ...everyCapability().flatMap((c) => (c.commands ?? []).map((s) => s.syntax))];
}

/** A registry that lists and parses every capability's subcommand, each answered "not configured yet". */
export function everySubcommandDeclared(): CommandRegistry {
  const registry = new CommandRegistry();
  for (const syntax of everySubcommandSyntax()) registry.declare(syntax);
  return registry;
}
