// The product's tools as the planner sees them (name, description, kind), built from the real tool factories.
// Their services are not needed to read those three fields, so none is made.
import type { PlannerTool } from '../../src/agent/planner.js';
import {
  approvalsAuditTool,
  approvalsDecideTool,
  approvalsListTool,
  approvalsProposeTool,
  policyExplainTool,
} from '../../src/approvals/tools.js';
import { askSearchTool } from '../../src/ask/tools.js';
import { incidentsListTool } from '../../src/incidents/tools.js';
import { doraReportTool, sprintHealthTool, standupReportTool, triageListTool } from '../../src/reports/tools.js';
import { signalsListTool } from '../../src/signals/tools.js';
import { sourcesStatusTool } from '../../src/sync/tools.js';

export function agentToolCatalogue(): PlannerTool[] {
  const none = undefined as never;
  return [
    sourcesStatusTool([]),
    signalsListTool(none),
    approvalsListTool(none),
    policyExplainTool(none),
    approvalsAuditTool(none),
    approvalsProposeTool(none),
    approvalsDecideTool(none),
    doraReportTool({ bandSet: '2023', timezone: 'UTC' }),
    triageListTool(none),
    standupReportTool(),
    sprintHealthTool(),
    incidentsListTool(),
    askSearchTool(),
  ].map(({ name, description, kind }) => ({ name, description, kind }));
}
