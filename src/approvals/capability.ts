import { APPROVE_ACTION, REJECT_ACTION, REJECT_MODAL } from '../../blocks/approvals/messages.js';
import { type Capability, ownSubcommand } from '../capabilities/capability.js';
import type { CapabilityModule } from '../kernel.js';
import { approvalsSyntax, auditSyntax, policySyntax } from './args.js';
import { approvalsJob } from './jobs.js';
import {
  approvalsCommand,
  approvalsHomeSection,
  approveClicked,
  auditCommand,
  policyCommand,
  rejectClicked,
  rejectSubmitted,
} from './listeners.js';
import type { ApprovalService } from './service.js';
import { approvalsToolViews } from './tool-views.js';
import {
  approvalsAuditTool,
  approvalsDecideTool,
  approvalsListTool,
  approvalsProposeTool,
  policyExplainTool,
} from './tools.js';

/** Human in the loop: proposals, Approve/Reject, `/em approvals|policy|audit`, and running what was approved. */
export function approvalsCapability(service: ApprovalService): Capability {
  return {
    name: 'approvals',
    tools: [
      approvalsListTool(service),
      policyExplainTool(service),
      approvalsAuditTool(service),
      approvalsProposeTool(service),
      approvalsDecideTool(service),
    ],
    commands: [
      ownSubcommand({ ...approvalsSyntax, handler: approvalsCommand(service), tools: ['approvals.list'] }),
      ownSubcommand({ ...policySyntax, handler: policyCommand(service), tools: ['policy.explain'] }),
      ownSubcommand({ ...auditSyntax, handler: auditCommand(service), tools: ['approvals.audit'] }),
    ],
    home: [approvalsHomeSection(service)],
    slack: (slackDeps) => {
      const deps = { ...slackDeps, approvals: service };
      return {
        actions: { [APPROVE_ACTION]: approveClicked(deps), [REJECT_ACTION]: rejectClicked(deps) },
        views: { [REJECT_MODAL]: rejectSubmitted(deps) },
      };
    },
    jobs: [approvalsJob(service)],
  };
}

export const approvalsModule: CapabilityModule = {
  name: 'approvals',
  start: (k) => ({ ...approvalsCapability(k.approvals), toolViews: approvalsToolViews }),
};
