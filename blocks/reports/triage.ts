import { Blocks, Elements, Message, Modal } from 'slack-block-builder';
import type { TriageGroup } from '../../src/reports/triage.js';
import type { SlackMessage } from '../help.js';
import { builtBlocks, builtModal, type SlackModal } from '../kit.js';
import { escapeMrkdwn, link, truncate } from '../text.js';

export const TRIAGE_NUDGE_ACTION = 'triage_nudge';
export const TRIAGE_REQUEST_REVIEW_ACTION = 'triage_request_review';
export const REQUEST_REVIEW_MODAL = 'request_review_modal';
const PER_GROUP = 5;
const MAX_BLOCKS = 48;

/**
 * The items' text together stays under this many characters: Slack refuses a message whose blocks hold more than about
 * 12,000 characters of text in all (`msg_blocks_too_long`, reported at 12-13k; the limit is undocumented).
 */
export const TRIAGE_ITEMS_BUDGET = 8000;

/** How long each item's text may be so that the items shown, with their links, fit the budget together. */
function itemLength(groups: TriageGroup[]): number {
  const shown = groups.flatMap((g) => g.items.slice(0, PER_GROUP));
  for (const max of [280, 200, 140, 100, 70]) {
    const total = shown.reduce(
      (n, item) => n + escapeMrkdwn(truncate(item.text, max)).length + (item.url ? item.url.length + 3 : 0),
      0,
    );
    if (total <= TRIAGE_ITEMS_BUDGET) return max;
  }
  return 50;
}

/** `/em triage`: ranked groups; each item links to its source, and nudgeable ones have a Nudge button. */
export function triageMessage(groups: TriageGroup[], options: { buttons?: boolean } = {}): SlackMessage {
  const max = itemLength(groups);
  const blocks = groups.flatMap((g) => {
    const shown = g.items.slice(0, PER_GROUP);
    const more = g.items.length > PER_GROUP ? ` _(+${g.items.length - PER_GROUP} more)_` : '';
    return [
      Blocks.Section({ text: `*${escapeMrkdwn(g.title)}* (${g.items.length})${more}` }),
      ...shown.flatMap((item) => {
        const text = escapeMrkdwn(truncate(item.text, max));
        const section = Blocks.Section({ text: item.url ? link(item.url, text) : text });
        if (options.buttons === false || !item.signalId || !item.nudge) return [section];
        const nudge = Elements.Button({ text: 'Nudge', actionId: TRIAGE_NUDGE_ACTION, value: String(item.signalId) });
        if (!item.requestReview) return [section.accessory(nudge)];
        const request = Elements.Button({
          text: 'Request review',
          actionId: TRIAGE_REQUEST_REVIEW_ACTION,
          value: String(item.signalId),
        });
        return [section, Blocks.Actions().elements(nudge, request)];
      }),
    ];
  });
  const built = Message({ text: groups.length ? 'Triage: what needs attention now' : 'Nothing needs attention now' })
    .blocks(
      Blocks.Section({ text: '*Triage* — what needs attention now, most urgent first' }),
      ...(blocks.length
        ? blocks.slice(0, MAX_BLOCKS)
        : [Blocks.Section({ text: ':white_check_mark: Nothing needs attention now.' })]),
    )
    .buildToObject();
  return { text: built.text ?? '', blocks: builtBlocks(built.blocks) };
}

/** Pick a reviewer for a stale PR; the request goes through policy like any other action. */
export function requestReviewModal(signalId: number, prTitle: string): SlackModal {
  return builtModal(
    Modal({
      title: 'Request review',
      submit: 'Request',
      close: 'Cancel',
      callbackId: REQUEST_REVIEW_MODAL,
      privateMetaData: String(signalId),
    }).blocks(
      // Cut before escaping, short enough that escaping (`&` is five characters) keeps it under Slack's 3,000.
      Blocks.Section({ text: escapeMrkdwn(truncate(prTitle, 500)) }),
      Blocks.Input({ label: 'Reviewer', blockId: 'reviewer' }).element(
        Elements.UserSelect({ actionId: 'reviewer', placeholder: 'Who should review it?' }),
      ),
    ),
  );
}
