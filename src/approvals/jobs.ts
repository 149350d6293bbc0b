import type { JobDefinition } from '../jobs/scheduler.js';
import type { ApprovalService } from './service.js';

/**
 * Expires proposals past their time-to-live and retries approved actions whose back-off is over, or whose executing
 * process died (its 15 s claim lapsed): recovery within about 25 s.
 */
export function approvalsJob(service: ApprovalService, every = '10 seconds'): JobDefinition {
  return {
    name: 'approvals:tick',
    every,
    async run() {
      await service.expire();
      await service.runDue();
    },
  };
}
