import { CAUSE_ACTIONS, INCIDENT_ACTIONS } from '../../blocks/incidents/card.js';
import { DECLARE_MODAL } from '../../blocks/incidents/declare-modal.js';
import { INCIDENT_MODALS } from '../../blocks/incidents/modals.js';
import { ACTION_ITEM_TICKET } from '../../blocks/incidents/reports.js';
import { type Capability, ownSubcommand } from '../capabilities/capability.js';
import type { CapabilityModule } from '../kernel.js';
import { incidentSyntax } from './args.js';
import { INCIDENT_COMMAND_TOOLS, incidentCommand } from './command.js';
import { actionItemsFeed } from './digest-feed.js';
import { incidentsJob } from './jobs.js';
import {
  actionItemTicket,
  causeAnswered,
  DECLARE_FROM_HOME,
  DECLARE_INCIDENT_SHORTCUT,
  declareFromHome,
  declareIncidentFromMessage,
  incidentButton,
  incidentChannelEvents,
  incidentsHomeSection,
} from './listeners.js';
import { IncidentService } from './service.js';
import { INCIDENT_POLICY_SECTION } from './settings.js';
import { declareSubmitted, incidentModals } from './submissions.js';
import { incidentsToolViews } from './tool-views.js';
import { incidentTools } from './tools.js';

/** The incident co-pilot: `/em incident`, its channel, card buttons and modals, reminders, the Home section. */
export function incidentsCapability(service: IncidentService, options: { remindEvery: string }): Capability {
  return {
    name: 'incidents',
    tools: incidentTools(service),
    commands: [ownSubcommand({ ...incidentSyntax, handler: incidentCommand(service), tools: INCIDENT_COMMAND_TOOLS })],
    home: [incidentsHomeSection()],
    slack: (slackDeps) => {
      const deps = { ...slackDeps, incidents: service };
      return {
        actions: {
          ...Object.fromEntries(Object.values(INCIDENT_ACTIONS).map((id) => [id, incidentButton(deps, id)])),
          [CAUSE_ACTIONS.confirm]: causeAnswered(deps, 'confirm'),
          [CAUSE_ACTIONS.pick]: causeAnswered(deps, 'pick'),
          [CAUSE_ACTIONS.none]: causeAnswered(deps, 'none'),
          [ACTION_ITEM_TICKET]: actionItemTicket(deps),
          [DECLARE_FROM_HOME]: declareFromHome(),
        },
        views: {
          [DECLARE_MODAL]: declareSubmitted(deps),
          ...Object.fromEntries(
            Object.entries(incidentModals(deps)).map(([key, handler]) => [
              INCIDENT_MODALS[key as keyof typeof INCIDENT_MODALS],
              handler,
            ]),
          ),
        },
        messageShortcuts: { [DECLARE_INCIDENT_SHORTCUT]: declareIncidentFromMessage(deps) },
        events: incidentChannelEvents(service),
      };
    },
    jobs: [incidentsJob(service, options.remindEvery)],
  };
}

declare module '../capabilities/services.js' {
  interface CapabilityServices {
    incidents: IncidentService;
  }
}

export const incidentsModule: CapabilityModule = {
  name: 'incidents',
  policySections: INCIDENT_POLICY_SECTION,
  start(k) {
    const incidents = new IncidentService({
      db: k.db,
      logger: k.logger,
      slack: k.slack,
      policies: k.policies,
      approvals: k.approvals,
      timezone: k.config.REPORTS_TIMEZONE,
      model: k.model,
      modelUsage: k.modelUsage,
      dmGate: k.notifications.gate,
    });
    return {
      ...incidentsCapability(incidents, { remindEvery: k.every(k.config.INCIDENTS_TICK_MS) }),
      toolViews: incidentsToolViews(() => incidents.timezone),
      digestFeeds: [actionItemsFeed(k.db, k.slack)],
      services: { incidents },
    };
  },
};
