import type { JobDefinition } from '../jobs/scheduler.js';
import type { ApprovalService } from './service.js';

/** Expires proposals past their time-to-live and retries approved actions whose back-off is over. */
export function approvalsJob(service: ApprovalService, every = '30 seconds'): JobDefinition {
  return {
    name: 'approvals:tick',
    every,
    async run() {
      await service.expire();
      await service.runDue();
    },
  };
}
