import type { AllMiddlewareArgs, MessageShortcut, SlackShortcutMiddlewareArgs } from '@slack/bolt';
import { askModal } from '../../../blocks/ask/modal.js';
import { declareIncidentModal } from '../../../blocks/incidents/declare-modal.js';
import type { SlackDeps } from '../deps.js';
import { describeSlackError } from '../errors.js';
import { firstDelivery } from './once.js';

type ShortcutArgs = SlackShortcutMiddlewareArgs & AllMiddlewareArgs;

export const ASK_SHORTCUT = 'ask_em_agent';
export const ASK_ABOUT_MESSAGE_SHORTCUT = 'ask_about_message';
export const DECLARE_INCIDENT_SHORTCUT = 'declare_incident';

// A modal must be opened within 3 s of the click (trigger_id), so it is opened right after the ack.
async function openModal(deps: SlackDeps, args: ShortcutArgs, view: Record<string, unknown>) {
  await args.ack();
  if (!(await firstDelivery(deps, args.body))) return;
  try {
    await args.client.views.open({ trigger_id: args.shortcut.trigger_id, view: view as never });
  } catch (err) {
    deps.logger.warn({ err, callbackId: args.shortcut.callback_id }, 'could not open modal');
    await args.client.chat
      .postMessage({ channel: args.shortcut.user.id, text: describeSlackError(err) })
      .catch(() => undefined);
  }
}

export function askShortcut(deps: SlackDeps) {
  return (args: ShortcutArgs) => openModal(deps, args, askModal());
}

export function askAboutMessage(deps: SlackDeps) {
  return (args: ShortcutArgs) => {
    const shortcut = args.shortcut as MessageShortcut;
    return openModal(
      deps,
      args,
      askModal({
        aboutMessage: { channel: shortcut.channel.id, ts: shortcut.message_ts, text: shortcut.message.text ?? '' },
      }),
    );
  };
}

export function declareIncidentFromMessage(deps: SlackDeps) {
  return (args: ShortcutArgs) => {
    const shortcut = args.shortcut as MessageShortcut;
    const text = shortcut.message.text ?? '';
    return openModal(
      deps,
      args,
      declareIncidentModal({
        title: text.split('\n')[0],
        description: text,
        fromMessage: { channel: shortcut.channel.id, ts: shortcut.message_ts },
      }),
    );
  };
}
