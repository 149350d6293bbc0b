import type { JobDefinition } from '../jobs/scheduler.js';
import type { ApprovalService } from './service.js';

/**
 * How long the approvals tick keeps its job lock without a touch. A run touches it every quarter of this, so only a
 * dead process lets it lapse; then another replica takes the tick over at its next poll. (With the scheduler's
 * default lock of 10 minutes, a replica killed mid-action held the tick, and so the action, for 10 minutes.)
 */
export const APPROVALS_TICK_LOCK_MS = 20_000;

/**
 * Expires proposals past their time-to-live and retries approved actions whose back-off is over, or whose executing
 * process died (its 15 s claim lapsed, and the tick's 20 s job lock with it). Measured by
 * test/security/claim-recovery.test.ts: see README, "Security model".
 */
export function approvalsJob(service: ApprovalService, every = '10 seconds'): JobDefinition {
  return {
    name: 'approvals:tick',
    every,
    lockLifetimeMs: APPROVALS_TICK_LOCK_MS,
    async run({ touch }) {
      const keep = setInterval(() => void touch().catch(() => {}), APPROVALS_TICK_LOCK_MS / 4);
      try {
        await service.expire();
        await service.runDue();
        // A user group named as approvers deleted or emptied in Slack, a policy file edited: said in the log.
        await service.checkApprovers();
      } finally {
        clearInterval(keep);
      }
    },
  };
}
