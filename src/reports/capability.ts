import type { WebClient } from '@slack/web-api';
import {
  REQUEST_REVIEW_MODAL,
  TRIAGE_NUDGE_ACTION,
  TRIAGE_REQUEST_REVIEW_ACTION,
} from '../../blocks/reports/triage.js';
import type { ApprovalService } from '../approvals/service.js';
import { type Capability, ownSubcommand } from '../capabilities/capability.js';
import type { CapabilityModule } from '../kernel.js';
import type { Logger } from '../observability/logger.js';
import type { SignalEngine } from '../signals/engine.js';
import { doraSyntax, sprintSyntax, standupSyntax, triageSyntax } from './args.js';
import { dashboardGaugesJob } from './gauges.js';
import { scheduledReportsJob } from './jobs.js';
import {
  doraCommand,
  doraHomeSection,
  myWorkHomeSection,
  type ReportSettings,
  requestReviewSubmitted,
  sprintCommand,
  sprintHomeSection,
  standupCommand,
  triageCommand,
  triageNudge,
  triageRequestReview,
} from './listeners.js';
import type { Schedules } from './schedules.js';
import { loadSchedules } from './schedules.js';
import { reportsToolViews } from './tool-views.js';
import { doraReportTool, sprintHealthTool, standupReportTool, triageListTool } from './tools.js';

export interface ReportsCapabilityDeps {
  settings: ReportSettings;
  signals: SignalEngine;
  /** Triage's Nudge and Request review buttons propose through approvals. */
  approvals: ApprovalService;
  schedules: Schedules;
  slack: () => WebClient | undefined;
  logger: Logger;
  /** Whether a person takes a DM of this kind now (their notification preferences). */
  dmGate?: (recipient: string, kind: string) => Promise<boolean>;
}

/** DORA, triage, standup and sprint health: `/em` reports, their Home tiles, triage's buttons, scheduled reports. */
export function reportsCapability(deps: ReportsCapabilityDeps): Capability {
  const { settings, signals } = deps;
  return {
    name: 'reports',
    tools: [
      doraReportTool(settings),
      triageListTool(signals),
      standupReportTool(),
      sprintHealthTool(undefined, settings.timezone),
    ],
    commands: [
      ownSubcommand({ ...doraSyntax, handler: doraCommand(settings), tools: ['dora.report'] }),
      ownSubcommand({ ...triageSyntax, handler: triageCommand(signals), tools: ['triage.list'] }),
      ownSubcommand({ ...standupSyntax, handler: standupCommand(settings), tools: ['standup.report'] }),
      ownSubcommand({ ...sprintSyntax, handler: sprintCommand(settings), tools: ['sprint.health'] }),
    ],
    home: [myWorkHomeSection(), doraHomeSection(settings), sprintHomeSection()],
    slack: (slackDeps) => {
      const withApprovals = { ...slackDeps, approvals: deps.approvals };
      return {
        actions: {
          [TRIAGE_NUDGE_ACTION]: triageNudge(withApprovals),
          [TRIAGE_REQUEST_REVIEW_ACTION]: triageRequestReview(withApprovals),
        },
        views: { [REQUEST_REVIEW_MODAL]: requestReviewSubmitted(withApprovals) },
      };
    },
    jobs: [
      scheduledReportsJob({
        schedules: deps.schedules,
        slack: deps.slack,
        logger: deps.logger,
        dmGate: deps.dmGate,
        timezone: settings.timezone,
      }),
      dashboardGaugesJob(settings),
    ],
  };
}

export const reportsModule: CapabilityModule = {
  name: 'reports',
  start(k) {
    const settings = {
      bandSet: k.config.DORA_BANDS,
      timezone: k.config.REPORTS_TIMEZONE,
      model: k.model,
      modelUsage: k.modelUsage,
    };
    return {
      ...reportsCapability({
        settings,
        signals: k.signals,
        approvals: k.approvals,
        schedules: loadSchedules(k.config.REPORTS_FILE),
        slack: k.slack,
        logger: k.logger,
        dmGate: k.notifications.gate,
      }),
      toolViews: reportsToolViews,
    };
  },
};
