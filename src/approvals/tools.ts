import { z } from 'zod';
import { defineTool, timestamp } from '../capabilities/tool.js';
import { type ApprovalService, approvalView } from './service.js';
import { listApprovals, listAudit } from './store.js';

const view = z.object({
  id: z.number(),
  action: z.string(),
  summary: z.string(),
  evidence: z.record(z.string(), z.unknown()),
  rule: z.string().nullable(),
  severity: z.string().nullable(),
  status: z.string(),
  policyReason: z.string().optional(),
  requestedBy: z.string(),
  approvers: z.array(z.string()),
  minApprovals: z.number(),
  expiresAt: timestamp.nullable(),
  decidedBy: z.string().nullable(),
  decidedAt: timestamp.nullable(),
  reason: z.string().nullable(),
  lastError: z.string().nullable(),
  attempts: z.number(),
});

export const approvalsListOutput = z.array(z.object({ view, canDecide: z.boolean() }));

export function approvalsListTool(service: ApprovalService) {
  return defineTool({
    name: 'approvals.list',
    description:
      'Proposed actions waiting for a decision, newest first, each with whether the acting person may decide it ' +
      '(an approver, and not the requester or subject owner unless the policy allows self-approval).',
    kind: 'read',
    input: z.object({ limit: z.number().int().min(1).max(50).default(50) }),
    output: approvalsListOutput,
    run: async (ctx, input) => {
      const pending = await listApprovals(ctx.db, 'proposed', input.limit);
      const me = ctx.person.slackId;
      return Promise.all(
        pending.map(async (row) => ({
          view: approvalView(row),
          canDecide:
            (await service.isApprover(me, row.approvers)) &&
            (row.allow_self_approval || (me !== row.subject_owner && me !== row.requested_by)),
        })),
      );
    },
  });
}

export const policyExplainOutput = z.object({
  action: z.string(),
  mode: z.enum(['auto', 'approve', 'deny']),
  reason: z.string(),
  dryRun: z.boolean(),
  problems: z.array(z.string()),
});

export function policyExplainTool(service: ApprovalService) {
  return defineTool({
    name: 'policy.explain',
    description:
      'What the policies in policies/ decide for an action kind (run automatically, ask for approval, or deny), and ' +
      'why. Nothing is run.',
    kind: 'read',
    input: z.object({ action: z.string().min(1) }),
    output: policyExplainOutput,
    run: async (_ctx, input) => {
      const book = service.policies.reload();
      const decision = book.decide({ action: input.action });
      return {
        action: input.action,
        mode: decision.mode,
        reason: decision.reason,
        dryRun: decision.dryRun,
        problems: book.problems,
      };
    },
  });
}

export const auditOutput = z.discriminatedUnion('allowed', [
  z.object({ allowed: z.literal(false) }),
  z.object({
    allowed: z.literal(true),
    lines: z.array(
      z.object({
        at: timestamp,
        actor: z.string(),
        event: z.string(),
        approvalId: z.number().nullable(),
        action: z.string().nullable(),
        detail: z.string(),
      }),
    ),
  }),
]);

export function approvalsAuditTool(service: ApprovalService) {
  return defineTool({
    name: 'approvals.audit',
    description: 'The latest proposals, decisions and executions (the audit log). Approvers only.',
    kind: 'read',
    input: z.object({ limit: z.number().int().min(1).max(200).default(20) }),
    output: auditOutput,
    run: async (ctx, input) => {
      if (!(await service.isApprover(ctx.person.slackId, service.policies.reload().allApprovers())))
        return { allowed: false as const };
      const rows = await listAudit(ctx.db, input.limit);
      return {
        allowed: true as const,
        lines: rows.map((r) => ({
          at: r.at,
          actor: r.actor,
          event: r.event,
          approvalId: r.approval_id,
          action: r.action,
          detail: String(r.detail.reason ?? r.detail.summary ?? r.detail.error ?? r.detail.message ?? ''),
        })),
      };
    },
  });
}
