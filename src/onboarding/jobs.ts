import type { JobDefinition } from '../jobs/scheduler.js';
import type { OnboardingService } from './service.js';

/** Every few minutes: plans brought up to date (access granted, ended plans summarised) and overdue tasks handed to the digest. */
export function onboardingJob(service: OnboardingService, every = '5 minutes'): JobDefinition {
  return {
    name: 'onboarding:tick',
    every,
    async run({ logger }) {
      const nudged = await service.nudgeOverdue();
      if (nudged) logger.info({ nudged }, 'overdue onboarding tasks handed to the digest');
    },
  };
}
