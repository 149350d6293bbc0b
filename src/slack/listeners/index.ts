import type { App } from '@slack/bolt';
import { APPROVE_ACTION, REJECT_ACTION, REJECT_MODAL } from '../../../blocks/approvals/messages.js';
import { ASK_HELPFUL, ASK_NOT_HELPFUL } from '../../../blocks/ask/answer.js';
import { ASK_MODAL } from '../../../blocks/ask/modal.js';
import { HOME_REFRESH_ACTION } from '../../../blocks/home.js';
import { CAUSE_ACTIONS, INCIDENT_ACTIONS } from '../../../blocks/incidents/card.js';
import { DECLARE_MODAL } from '../../../blocks/incidents/declare-modal.js';
import { INCIDENT_MODALS } from '../../../blocks/incidents/modals.js';
import { ACTION_ITEM_TICKET } from '../../../blocks/incidents/reports.js';
import {
  REQUEST_REVIEW_MODAL,
  TRIAGE_NUDGE_ACTION,
  TRIAGE_REQUEST_REVIEW_ACTION,
} from '../../../blocks/reports/triage.js';
import { approveClicked, rejectClicked, rejectSubmitted } from '../../approvals/listeners.js';
import { feedbackClicked } from '../../ask/listeners.js';
import {
  actionItemTicket,
  causeAnswered,
  DECLARE_FROM_HOME,
  declareFromHome,
  declareSubmitted,
  incidentButton,
  incidentModals,
} from '../../incidents/listeners.js';
import { notificationListeners } from '../../notifications/listeners.js';
import { requestReviewSubmitted, triageNudge, triageRequestReview } from '../../reports/listeners.js';
import type { SlackDeps } from '../deps.js';
import { homeRefresh } from './actions.js';
import { emCommand } from './commands.js';
import { appHomeOpened, memberJoined, memberLeft, messagePosted, reactionAdded, reactionRemoved } from './events.js';
import { onceEvents } from './once.js';
import {
  ASK_ABOUT_MESSAGE_SHORTCUT,
  ASK_SHORTCUT,
  askAboutMessage,
  askShortcut,
  DECLARE_INCIDENT_SHORTCUT,
  declareIncidentFromMessage,
} from './shortcuts.js';
import { askSubmitted } from './views.js';

// biome-ignore lint/suspicious/noExplicitAny: Bolt's listener types differ per kind; each factory is typed where it is written.
type Handler = (args: any) => Promise<void>;

/** Every listener the bot has, by kind and id. The manifest test reads this table. */
export function listenerTable(deps: SlackDeps) {
  return {
    commands: { '/em': emCommand(deps) } as Record<string, Handler>,
    actions: {
      [HOME_REFRESH_ACTION]: homeRefresh(deps),
      [APPROVE_ACTION]: approveClicked(deps),
      [REJECT_ACTION]: rejectClicked(deps),
      [TRIAGE_NUDGE_ACTION]: triageNudge(deps),
      [TRIAGE_REQUEST_REVIEW_ACTION]: triageRequestReview(deps),
      ...Object.fromEntries(Object.values(INCIDENT_ACTIONS).map((id) => [id, incidentButton(deps, id)])),
      [CAUSE_ACTIONS.confirm]: causeAnswered(deps, 'confirm'),
      [CAUSE_ACTIONS.pick]: causeAnswered(deps, 'pick'),
      [CAUSE_ACTIONS.none]: causeAnswered(deps, 'none'),
      [ACTION_ITEM_TICKET]: actionItemTicket(deps),
      [DECLARE_FROM_HOME]: declareFromHome(),
      [ASK_HELPFUL]: feedbackClicked(deps, true),
      [ASK_NOT_HELPFUL]: feedbackClicked(deps, false),
      ...notificationListeners(deps).actions,
    } as Record<string, Handler>,
    views: {
      [ASK_MODAL]: askSubmitted(deps),
      [DECLARE_MODAL]: declareSubmitted(deps),
      [REJECT_MODAL]: rejectSubmitted(deps),
      [REQUEST_REVIEW_MODAL]: requestReviewSubmitted(deps),
      ...notificationListeners(deps).views,
      ...Object.fromEntries(
        Object.entries(incidentModals(deps)).map(([key, handler]) => [
          INCIDENT_MODALS[key as keyof typeof INCIDENT_MODALS],
          handler,
        ]),
      ),
    } as Record<string, Handler>,
    shortcuts: {
      global: { [ASK_SHORTCUT]: askShortcut(deps) } as Record<string, Handler>,
      message: {
        [ASK_ABOUT_MESSAGE_SHORTCUT]: askAboutMessage(deps),
        [DECLARE_INCIDENT_SHORTCUT]: declareIncidentFromMessage(deps),
      } as Record<string, Handler>,
    },
    events: {
      app_home_opened: appHomeOpened(deps),
      message: messagePosted(deps),
      reaction_added: reactionAdded(deps),
      reaction_removed: reactionRemoved(deps),
      member_joined_channel: memberJoined(deps),
      member_left_channel: memberLeft(),
    } as Record<string, Handler>,
  };
}

export function registerListeners(app: App, deps: SlackDeps): void {
  app.use(onceEvents(deps));
  const table = listenerTable(deps);
  for (const [command, handler] of Object.entries(table.commands)) app.command(command, handler);
  for (const [actionId, handler] of Object.entries(table.actions)) app.action(actionId, handler);
  for (const [callbackId, handler] of Object.entries(table.views)) app.view(callbackId, handler);
  for (const [callbackId, handler] of Object.entries(table.shortcuts.global))
    app.shortcut({ callback_id: callbackId, type: 'shortcut' }, handler);
  for (const [callbackId, handler] of Object.entries(table.shortcuts.message))
    app.shortcut({ callback_id: callbackId, type: 'message_action' }, handler);
  for (const [event, handler] of Object.entries(table.events)) app.event(event, handler);
}
