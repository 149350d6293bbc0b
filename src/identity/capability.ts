import type { WebClient } from '@slack/web-api';
import type { Capability } from '../capabilities/capability.js';
import type { CapabilityModule } from '../kernel.js';
import { linkSlackUsersJob } from './jobs.js';

/** Who is who across Slack, GitHub, Jira and Linear: links people to Slack users by e-mail. */
export function identityCapability(slack: () => WebClient | undefined): Capability {
  return { name: 'identity', jobs: [linkSlackUsersJob(slack)] };
}

export const identityModule: CapabilityModule = {
  name: 'identity',
  start: (k) => identityCapability(k.slack),
};
