import type { Capability } from '../capabilities/capability.js';
import type { CapabilityModule } from '../kernel.js';
import {
  notificationsDoneTool,
  notificationsMuteTool,
  notificationsPreferencesTool,
  notificationsSetPreferencesTool,
  notificationsSnoozeTool,
} from './item-tools.js';
import { notificationsJob } from './jobs.js';
import { notificationListeners, notificationsHomeSection } from './listeners.js';
import type { NotificationService } from './service.js';
import { notificationsToolViews } from './tool-views.js';
import { notificationsDigestTool } from './tools.js';

/** One digest a day, real time only when waiting costs, snooze/mute/done, preferences on the Home tab. */
export function notificationsCapability(service: NotificationService, options: { tickEvery: string }): Capability {
  return {
    name: 'notifications',
    tools: [
      notificationsDigestTool(service),
      notificationsPreferencesTool(service),
      notificationsSetPreferencesTool(service),
      notificationsSnoozeTool(service),
      notificationsDoneTool(service),
      notificationsMuteTool(service),
    ],
    home: [notificationsHomeSection(service)],
    slack: (deps) => notificationListeners({ ...deps, notifications: service }),
    jobs: [notificationsJob(service, options.tickEvery)],
  };
}

/** The pipeline itself is part of the kernel (every capability sends through it); this brings its doors. */
export const notificationsModule: CapabilityModule = {
  name: 'notifications',
  start: (k) => ({
    ...notificationsCapability(k.notifications, { tickEvery: k.every(k.config.NOTIFY_TICK_MS) }),
    toolViews: notificationsToolViews,
  }),
};
