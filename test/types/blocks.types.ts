// Type-level checks, run by `npx tsc --noEmit -p .` (not by Jest): a malformed block, button or view built in
// blocks/ is a compile error. Each `@ts-expect-error` fails the type-check if its line ever compiles.
import type { InputBlock, KnownBlock, SectionBlock } from '@slack/types';
import type { SlackMessage } from '../../blocks/help.js';
import type { ActionButton, SlackHome, SlackModal } from '../../blocks/kit.js';
import { notice } from '../../blocks/notice.js';

// Well-formed ones compile.
export const message: SlackMessage = {
  text: 'Hi',
  blocks: [
    { type: 'section', text: { type: 'mrkdwn', text: '*Hi*' } },
    { type: 'actions', elements: [{ type: 'button', action_id: 'go', text: { type: 'plain_text', text: 'Go' } }] },
  ],
};
export const modal: SlackModal = { type: 'modal', title: { type: 'plain_text', text: 'Ask' }, blocks: [] };
export const home: SlackHome = { type: 'home', blocks: [{ type: 'divider' }] };

export const wrongType: SlackMessage = {
  text: 'Hi',
  // @ts-expect-error a block type Slack does not know
  blocks: [{ type: 'sektion', text: { type: 'mrkdwn', text: 'Hi' } }],
};

// @ts-expect-error a section whose text object has no text
export const sectionWithoutText: SectionBlock = { type: 'section', text: { type: 'mrkdwn' } };

// @ts-expect-error a text object of a type Slack does not know
export const sectionWrongTextType: KnownBlock = { type: 'section', text: { type: 'markdown', text: 'Hi' } };

// @ts-expect-error a button a listener must hear, without its action_id
export const buttonWithoutAction: ActionButton = { type: 'button', text: { type: 'plain_text', text: 'Go' } };

export const buttonMrkdwnLabel: ActionButton = {
  type: 'button',
  action_id: 'go',
  // @ts-expect-error a button label must be plain text, not mrkdwn
  text: { type: 'mrkdwn', text: '*Go*' },
};

// @ts-expect-error an input block without its element
export const inputWithoutElement: InputBlock = { type: 'input', label: { type: 'plain_text', text: 'Name' } };

// @ts-expect-error a view of the wrong type where a modal is expected
export const homeAsModal: SlackModal = { type: 'home', title: { type: 'plain_text', text: 'Ask' }, blocks: [] };

// @ts-expect-error a modal without its title
export const modalWithoutTitle: SlackModal = { type: 'modal', blocks: [] };

export const homeWithUnknownBlock: SlackHome = {
  type: 'home',
  // @ts-expect-error a Home tab holding a block Slack does not know
  blocks: [{ type: 'banner' }],
};

// What blocks/ functions return is typed the same way: a message from them takes no unknown block either.
export const saved = notice('Saved');
// @ts-expect-error a block Slack does not know, added to a notice
saved.blocks.push({ type: 'sektion' });
