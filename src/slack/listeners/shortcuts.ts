import type { AllMiddlewareArgs, SlackShortcutMiddlewareArgs } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import type { SlackDeps } from '../deps.js';
import { describeSlackError } from '../errors.js';
import { firstDelivery } from './once.js';

export type ShortcutArgs = SlackShortcutMiddlewareArgs & AllMiddlewareArgs;

/** Opens a modal for a shortcut; it must be opened within 3 s of the click (trigger_id), so right after the ack. */
export async function openModalFromShortcut(deps: SlackDeps, args: ShortcutArgs, view: ModalView) {
  await args.ack();
  if (!(await firstDelivery(deps, args.body))) return;
  try {
    await args.client.views.open({ trigger_id: args.shortcut.trigger_id, view });
  } catch (err) {
    deps.logger.warn({ err, callbackId: args.shortcut.callback_id }, 'could not open modal');
    await args.client.chat
      .postMessage({ channel: args.shortcut.user.id, text: describeSlackError(err) })
      .catch(() => undefined);
  }
}
