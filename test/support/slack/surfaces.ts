// The Slack surfaces of every capability that has one, built without a database or services: building a surface
// only wires functions, and no listener runs, so the manifest and limits tests can read the full listener table.
import { agentCapability } from '../../../src/agent/capability.js';
import { approvalsCapability } from '../../../src/approvals/capability.js';
import { askCapability } from '../../../src/ask/capability.js';
import type { Capability } from '../../../src/capabilities/capability.js';
import { incidentsCapability } from '../../../src/incidents/capability.js';
import { notificationsCapability } from '../../../src/notifications/capability.js';
import { okrsCapability } from '../../../src/okrs/capability.js';
import { onboardingCapability } from '../../../src/onboarding/capability.js';
import { reportsCapability } from '../../../src/reports/capability.js';
import type { SlackSurfaceOf } from '../../../src/slack/deps.js';
import { slackEventLog } from '../../../src/sync/slack-events.js';
import { teamsCapability } from '../../../src/teams/capability.js';

const unused = {} as never;

export function everySlackSurface(): SlackSurfaceOf[] {
  const capabilities: Capability[] = [
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
    okrsCapability({ db: unused, slack: () => undefined, dmGate: async () => false }),
  ];
  // Slack's event log comes first, as in src/app.ts: incident handlers read the messages it records.
  return [slackEventLog, ...capabilities.flatMap((c) => (c.slack ? [c.slack] : []))];
}
