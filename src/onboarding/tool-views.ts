import { notice } from '../../blocks/notice.js';
import { planCountsMessage } from '../../blocks/onboarding.js';
import type { ToolView } from '../capabilities/capability.js';

type Plans = Parameters<typeof planCountsMessage>[0];

export const onboardingToolViews: Record<string, ToolView> = {
  'onboarding.list': {
    label: 'onboarding plans',
    example: 'who is onboarding right now?',
    render: (output) => planCountsMessage((output as { plans: Plans }).plans),
  },
  'onboarding.progress': {
    label: 'onboarding progress',
    example: 'how far along is @dan with onboarding?',
    render: (output) => {
      const plan = output as { person: string; tasks: { status: string }[] } | null;
      if (!plan) return notice('There is no onboarding plan for that person.');
      const done = plan.tasks.filter((t) => t.status === 'done').length;
      return notice(`<@${plan.person}>: ${done} of ${plan.tasks.length} onboarding tasks done.`);
    },
  },
  'onboarding.start': { label: 'an onboarding plan' },
};
