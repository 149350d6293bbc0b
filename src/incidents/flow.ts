import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { ApprovalService } from '../approvals/service.js';
import type { ModelUsage } from '../lib/chat-model.js';
import type { Logger } from '../observability/logger.js';
import type { Db } from '../store/db.js';
import type { IncidentSettings } from './settings.js';
import type { IncidentSlack } from './slack-port.js';

/** What every incident flow works with: the store, Slack (through its port), the settings of the moment. */
export interface IncidentFlow {
  db: Db;
  logger: Logger;
  /** Slack, through the incident port; throws when Slack is not connected. */
  slack(): IncidentSlack;
  /** The `incidents:` policy section as the files say now. */
  settings(): IncidentSettings;
  /** The time zone incidents are reported in. */
  timezone(): string;
  approvals?: ApprovalService;
  model?: () => Promise<BaseChatModel>;
  /** Each person's model tokens today: the postmortem's narrative is paid from the resolver's. */
  modelUsage?: ModelUsage;
  /** The notification pipeline's say on a DM nudge (pauses, quiet hours, the daily cap); without it all are sent. */
  dmGate?: (recipient: string, kind: string) => Promise<boolean>;
}

/** People and user groups (@handle or S…) as the Slack users they are. */
export function expandPeople(flow: IncidentFlow, people: string[]): Promise<string[]> {
  return flow.approvals ? flow.approvals.expandApprovers(people) : Promise.resolve(people);
}
