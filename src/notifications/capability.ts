import type { Capability } from '../capabilities/capability.js';
import { notificationsJob } from './jobs.js';
import { notificationListeners, notificationsHomeSection } from './listeners.js';
import type { NotificationService } from './service.js';
import { notificationsDigestTool } from './tools.js';

/** One digest a day, real time only when waiting costs, snooze/mute/done, preferences on the Home tab. */
export function notificationsCapability(service: NotificationService, options: { tickEvery: string }): Capability {
  return {
    name: 'notifications',
    tools: [notificationsDigestTool(service)],
    home: [notificationsHomeSection(service)],
    slack: (deps) => notificationListeners({ ...deps, notifications: service }),
    jobs: [notificationsJob(service, options.tickEvery)],
  };
}
