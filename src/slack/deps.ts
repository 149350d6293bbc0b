import type { ApprovalService } from '../approvals/service.js';
import type { AskService } from '../ask/service.js';
import type { IncidentService } from '../incidents/service.js';
import type { NotificationService } from '../notifications/service.js';
import type { Logger } from '../observability/logger.js';
import type { Db } from '../store/db.js';
import type { CommandRegistry } from './commands.js';
import type { HomeSectionProvider } from './home.js';

/** What the thin Slack listeners need: the store, a logger, and what capabilities registered. */
export interface SlackDeps {
  db: Db;
  logger: Logger;
  commands: CommandRegistry;
  home: HomeSectionProvider[];
  /** Present when policies are loaded: approve/reject buttons and the reject modal go here. */
  approvals?: ApprovalService;
  /** Present when Slack is connected: the incident co-pilot's buttons, modals and channel events go here. */
  incidents?: IncidentService;
  /** Present when `ask` runs: feedback buttons and follow-ups in answer threads go here. */
  ask?: AskService;
  /** Present when the notification pipeline runs: snooze/mute/done buttons and the preferences modal go here. */
  notifications?: NotificationService;
}
