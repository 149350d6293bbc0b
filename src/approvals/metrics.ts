import { Counter, Histogram } from 'prom-client';
import { metrics } from '../observability/metrics.js';

export const approvalDecisions = new Counter({
  name: 'approvals_decisions_total',
  help: 'Approval decisions by outcome (approved, rejected, expired, refused, executed, failed)',
  labelNames: ['status'] as const,
  registers: [metrics],
});

export const approvalLatency = new Histogram({
  name: 'approvals_latency_seconds',
  help: 'Seconds from proposal to a human decision',
  buckets: [10, 60, 300, 900, 3600, 4 * 3600, 24 * 3600, 72 * 3600],
  registers: [metrics],
});

export const approvalOverrides = new Counter({
  name: 'approvals_override_total',
  help: 'Proposals made by a rule that a person rejected (a human overriding the bot)',
  registers: [metrics],
});

export const workflowsByMode = new Counter({
  name: 'workflows_auto_vs_hitl_total',
  help: 'Proposed actions by how policy handled them (auto, hitl, deny, dry_run)',
  labelNames: ['mode'] as const,
  registers: [metrics],
});
