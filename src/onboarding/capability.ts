import { type Capability, ownSubcommand } from '../capabilities/capability.js';
import type { CapabilityModule } from '../kernel.js';
import { ONBOARD_HELP, parseOnboardArgs, parseOnboardingArgs } from './args.js';
import { onboardingJob } from './jobs.js';
import { onboardCommand, onboardingCommand, onboardingHomeSection, onboardingSurface } from './listeners.js';
import { OnboardingService } from './service.js';
import { TemplateBook } from './templates.js';
import { onboardingToolViews } from './tool-views.js';
import { onboardingListTool, onboardingProgressTool, onboardingStartTool } from './tools.js';

/**
 * Onboarding autopilot: `/em onboard` starts a plan from onboarding/*.yml (welcome checklist DM, access requests
 * through approvals), `/em onboarding` lists the running plans, a Home section, and a job that hands overdue tasks
 * to the digest and summarises ended plans to the manager.
 */
export function onboardingCapability(service: OnboardingService, options: { tickEvery?: string } = {}): Capability {
  return {
    name: 'onboarding',
    tools: [onboardingListTool(service), onboardingStartTool(service), onboardingProgressTool(service)],
    commands: [
      ownSubcommand({
        name: 'onboard',
        ...ONBOARD_HELP.onboard,
        parse: parseOnboardArgs,
        handler: onboardCommand(service),
        tools: ['onboarding.start'],
      }),
      ownSubcommand({
        name: 'onboarding',
        ...ONBOARD_HELP.onboarding,
        parse: parseOnboardingArgs,
        handler: onboardingCommand(service),
        tools: ['onboarding.list'],
      }),
    ],
    home: [onboardingHomeSection(service)],
    slack: onboardingSurface(service),
    jobs: [onboardingJob(service, options.tickEvery)],
  };
}

export const onboardingModule: CapabilityModule = {
  name: 'onboarding',
  start: (k) => ({
    toolViews: onboardingToolViews,
    ...onboardingCapability(
      new OnboardingService({
        db: k.db,
        logger: k.logger,
        slack: k.slack,
        templates: new TemplateBook(k.config.ONBOARDING_DIR),
        policies: k.policies,
        approvals: k.approvals,
        notifications: k.notifications,
      }),
    ),
  }),
};
