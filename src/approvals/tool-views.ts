import type { z } from 'zod';
import { approvalsListMessage, auditMessage, policyMessage } from '../../blocks/approvals/messages.js';
import { notice } from '../../blocks/notice.js';
import type { ToolView } from '../capabilities/capability.js';
import type { approvalsListOutput, auditOutput, policyExplainOutput, proposeOutput } from './tools.js';

export const approvalsToolViews: Record<string, ToolView> = {
  'approvals.list': {
    label: 'approvals waiting',
    example: "what's waiting for my approval?",
    render: (output) => approvalsListMessage(output as z.output<typeof approvalsListOutput>),
  },
  'approvals.audit': {
    label: 'the audit log',
    example: 'who approved what recently?',
    render: (output) => {
      const audit = output as z.output<typeof auditOutput>;
      return audit.allowed
        ? auditMessage(audit.lines)
        : notice('Only approvers named in policies/ can read the audit log.', ':lock:');
    },
  },
  'policy.explain': {
    label: 'the policies',
    example: 'would a GitHub comment need approval?',
    render: (output) => {
      const p = output as z.output<typeof policyExplainOutput>;
      return policyMessage(p.action, p.mode, p.reason, p.dryRun, p.problems);
    },
  },
  'approvals.propose': {
    label: 'a proposal for approval',
    example: 'nudge @bob about the auth PR',
    render: (output) => {
      const p = output as z.output<typeof proposeOutput>;
      // The tool's message starts with its own emoji.
      const [, emoji = ':information_source:', text = p.message] = /^(:[a-z_]+:) (.*)$/s.exec(p.message) ?? [];
      return notice(text, emoji);
    },
  },
};
