import { createHash } from 'node:crypto';
import { z } from 'zod';
import { defineTool, positiveId, timestamp } from '../capabilities/tool.js';
import { ACTION_PARAMS } from './executors.js';
import { asTheirOwn } from './personal-proposals.js';
import { type ApprovalService, approvalView, describeProposal } from './service.js';
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
    input: z.object({
      limit: z.number().int().min(1).max(50).default(50),
      before: positiveId('before must be a proposal id', { max: 2_147_483_647 })
        .optional()
        .describe('The next page: only proposals listed after this one (the last id of the page before).'),
      id: positiveId('id must be a proposal id', { max: 2_147_483_647 }).optional().describe('Only this proposal.'),
    }),
    output: approvalsListOutput,
    run: async (ctx, input) => {
      const pending = await listApprovals(ctx.db, 'proposed', input.limit, { before: input.before, id: input.id });
      const me = ctx.person.slackId;
      return Promise.all(
        pending.map(async (row) => ({
          view: approvalView(row),
          canDecide: await service.mayDecide(me, row),
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
  /** Who decided: `opa` or `yaml`; `fallback` says why OPA (when configured) did not. */
  source: z.enum(['opa', 'yaml']),
  fallback: z.string().optional(),
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
      const decision = await book.resolve({ action: input.action });
      return {
        action: input.action,
        mode: decision.mode,
        reason: decision.reason,
        dryRun: decision.dryRun,
        // The files' own problems, and approvers Slack does not have (a deleted or empty group, an unknown user).
        problems: [...book.problems, ...(await service.approverProblems().catch(() => []))],
        source: decision.source ?? 'yaml',
        ...(decision.fallback ? { fallback: decision.fallback } : {}),
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
        /** The entry's id: `before` takes the last one of a page for the next. */
        id: z.number(),
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
    description:
      'The latest proposals, decisions and executions (the audit log). Approvers only, and only privately: never ' +
      'where a channel reads the answer.',
    kind: 'read',
    privately: 'The audit log is only shown privately: ask me in a DM, or use /em audit.',
    input: z.object({
      limit: z.number().int().min(1).max(200).default(20),
      before: positiveId('before must be an audit entry id')
        .optional()
        .describe('The next page: only entries listed after this one (the last id of the page before).'),
    }),
    output: auditOutput,
    run: async (ctx, input) => {
      if (!(await service.isApprover(ctx.person.slackId, service.policies.reload().allApprovers())))
        return { allowed: false as const };
      const rows = await listAudit(ctx.db, input.limit, { before: input.before });
      return {
        allowed: true as const,
        lines: rows.map((r) => ({
          id: Number(r.id),
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

const actionKinds = Object.keys(ACTION_PARAMS) as [keyof typeof ACTION_PARAMS, ...(keyof typeof ACTION_PARAMS)[]];

export const proposeOutput = z.object({
  outcome: z.enum(['proposed', 'executed', 'failed', 'retrying', 'duplicate', 'denied', 'dry_run', 'invalid']),
  approvalId: z.number().nullable(),
  /** What happens next, in one line a person can read. */
  message: z.string(),
  approvers: z.array(z.string()),
});

/**
 * Proposes one action as the acting person. Policy decides: it runs at once (auto), waits for the approvers it
 * names (the usual Approve/Reject message is posted), or is refused. The same proposal twice is one proposal.
 */
export function approvalsProposeTool(service: ApprovalService) {
  return defineTool({
    name: 'approvals.propose',
    description:
      'Proposes an action (a Slack DM or post, a GitHub comment, review request or label, a Jira or Linear comment or ' +
      'ticket) on behalf of the acting person. Nothing runs unless policy allows it alone; otherwise it waits for ' +
      'the approvers named by policy, who get Approve/Reject buttons in Slack. `params` depend on the action: ' +
      Object.keys(ACTION_PARAMS).join(', ') +
      '.',
    kind: 'propose',
    input: z.object({
      action: z.enum(actionKinds),
      params: z.record(z.string(), z.unknown()),
      summary: z.string().trim().min(1).max(300),
      /** Only for an action on a repository (its params name it): the same repository, never another. */
      repo: z
        .string()
        .regex(/^[\w.-]+\/[\w.-]+$/)
        .optional(),
    }),
    output: proposeOutput,
    run: async (ctx, input) => {
      const params = ACTION_PARAMS[input.action].safeParse(input.params);
      if (!params.success)
        return {
          outcome: 'invalid' as const,
          approvalId: null,
          approvers: [],
          message: `The parameters for ${input.action} are not valid: ${params.error.issues
            .map((i) => `${i.path.join('.') || 'params'} ${i.message}`)
            .join('; ')}`.slice(0, 300),
        };
      // Policy matches the repository the action acts on: a proposal cannot name a milder one beside it.
      const acted = (params.data as { repo?: unknown }).repo;
      const target = typeof acted === 'string' ? acted : undefined;
      if (input.repo && target && input.repo.toLowerCase() !== target.toLowerCase())
        return {
          outcome: 'invalid' as const,
          approvalId: null,
          approvers: [],
          message: `repo ${input.repo} is not the repository the action acts on (${target}).`.slice(0, 300),
        };
      // A repository the action does not act on would only choose which policy matches (a milder one): refused.
      if (input.repo && !target)
        return {
          outcome: 'invalid' as const,
          approvalId: null,
          approvers: [],
          message: `${input.action} does not act on a repository: leave out repo (${input.repo}).`,
        };
      const person = ctx.person.slackId;
      const own = await asTheirOwn(ctx, input.action, params.data as Record<string, unknown>);
      if ('refused' in own)
        return { outcome: 'invalid' as const, approvalId: null, approvers: [], message: own.refused };
      const key = createHash('sha256')
        .update(JSON.stringify([person, input.action, params.data, input.summary]))
        .digest('hex')
        .slice(0, 32);
      const result = await service.propose({
        action: input.action,
        params: own.params,
        summary: input.summary,
        repo: target ?? null,
        requestedBy: person,
        idempotencyKey: `person:${key}`,
        via: ctx.via,
        again: true,
      });
      const approval = 'approval' in result ? result.approval : undefined;
      const earlier = result.outcome === 'duplicate' ? result.existing : undefined;
      return {
        outcome: result.outcome,
        approvalId: approval?.id ?? earlier?.id ?? null,
        approvers: approval?.approvers ?? result.decision.approvers ?? [],
        message: describeProposal(result, {
          done: 'Done: policy lets this run without approval.',
          pending: `${approval ? `#${approval.id} is waiting` : 'Waiting'} for ${(approval?.approvers ?? []).join(', ') || 'an approver'} to approve it.${'stuck' in result && result.stuck ? ` ${result.stuck}` : ''}`,
          duplicate: earlier
            ? `You already proposed this: #${earlier.id} (${earlier.status})${earlier.status === 'executed' ? ', a few minutes ago; ask again later for it to run again' : ''}.`
            : 'The same proposal already exists.',
          failed: 'Policy allowed it, but it failed',
        }),
      };
    },
  });
}

export const decideOutput = z.object({
  outcome: z.enum(['approved', 'rejected', 'vote_recorded', 'refused', 'already_decided', 'expired', 'not_found']),
  approvalId: z.number(),
  status: z.string().nullable(),
  message: z.string(),
});

/** Approves or rejects a proposal as the acting person: the same approver, four-eyes and audit rules as the buttons. */
export function approvalsDecideTool(service: ApprovalService) {
  return defineTool({
    name: 'approvals.decide',
    description:
      'Approves or rejects a proposed action as the acting person. Only approvers named by the policy may decide, ' +
      'never on their own request or work unless the policy allows it; every decision is audited.',
    kind: 'decide',
    input: z.object({
      id: z.number().int().positive(),
      vote: z.enum(['approve', 'reject']),
      reason: z.string().trim().max(500).optional(),
    }),
    output: decideOutput,
    run: async (ctx, input) => {
      const result = await service.decide(input.id, ctx.person.slackId, input.vote, input.reason, ctx.via);
      const status = 'approval' in result ? result.approval.status : null;
      const message =
        result.outcome === 'refused'
          ? result.message
          : result.outcome === 'not_found'
            ? `There is no proposal ${input.id}.`
            : result.outcome === 'already_decided'
              ? `Proposal ${input.id} was already decided (${status}).`
              : result.outcome === 'expired'
                ? `Proposal ${input.id} expired before a decision.`
                : result.outcome === 'vote_recorded'
                  ? 'Your approval is recorded; the policy needs more approvals.'
                  : `Proposal ${input.id} is ${status}.`;
      return { outcome: result.outcome, approvalId: input.id, status, message };
    },
  });
}
