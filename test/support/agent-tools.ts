// The product's tools as the planner sees them (name, description, kind), taken from the capabilities as src/app.ts
// lists them (test/capabilities/tools.test.ts checks that this is the running agent's own set). Building a capability only wires functions; no service is needed to read these three fields.
import type { PlannerTool } from '../../src/agent/planner.js';
import { apiCapability } from '../../src/api/capability.js';
import { approvalsCapability } from '../../src/approvals/capability.js';
import { askCapability } from '../../src/ask/capability.js';
import { incidentsCapability } from '../../src/incidents/capability.js';
import { notificationsCapability } from '../../src/notifications/capability.js';
import { okrsCapability } from '../../src/okrs/capability.js';
import { onboardingCapability } from '../../src/onboarding/capability.js';
import { reportsCapability } from '../../src/reports/capability.js';
import { signalsCapability } from '../../src/signals/capability.js';
import { sourcesStatusTool } from '../../src/sync/tools.js';
import { teamsCapability } from '../../src/teams/capability.js';

export function agentToolCatalogue(): PlannerTool[] {
  return capabilityTools().map(({ name, description, kind }) => ({ name, description, kind }));
}

/** Each tool's own argument names (its input schema's keys): what reaches the tool when it runs. */
export function agentToolArguments(): Map<string, Set<string>> {
  return new Map(
    capabilityTools().map((tool) => {
      const shape = (tool.input as { shape?: Record<string, unknown> }).shape ?? {};
      return [tool.name, new Set(Object.keys(shape))];
    }),
  );
}

/** The product's tools, wired to nothing: for a door's routes and schemas; running one needs its services. */
export function capabilityTools() {
  const unused = undefined as never;
  return [
    sourcesStatusTool([]),
    ...(signalsCapability(unused, { evaluateEvery: '1 minute' }).tools ?? []),
    ...(approvalsCapability(unused).tools ?? []),
    ...(reportsCapability({
      settings: { bandSet: '2023', timezone: 'UTC' },
      signals: unused,
      approvals: unused,
      schedules: { standups: [], sprint_reports: [] } as never,
      slack: () => undefined,
      logger: unused,
    }).tools ?? []),
    ...(incidentsCapability(unused, { remindEvery: '1 minute' }).tools ?? []),
    ...(askCapability(unused, { indexEvery: '1 minute' }).tools ?? []),
    ...(notificationsCapability(unused, { tickEvery: '1 minute' }).tools ?? []),
    ...(apiCapability(unused).tools ?? []),
    ...(teamsCapability().tools ?? []),
    ...(onboardingCapability(unused).tools ?? []),
    ...(okrsCapability({ db: unused, slack: () => undefined, dmGate: unused }).tools ?? []),
  ];
}
