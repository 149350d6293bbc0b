import { Blocks, Elements, Modal } from 'slack-block-builder';
import { builtModal, type SlackModal } from '../kit.js';
import { truncate, userText } from '../text.js';

export const ASK_MODAL = 'ask_modal';
export const ASK_QUESTION_BLOCK = 'ask_question';
export const ASK_QUESTION_ACTION = 'question';

export interface AskModalData {
  /** Text of the message the question is about (message shortcut). */
  aboutMessage?: { channel: string; ts: string; text: string };
}

export function askModal(data: AskModalData = {}): SlackModal {
  const context = data.aboutMessage
    ? [
        Blocks.Section({
          text: `*About this message:*\n>${userText(truncate(data.aboutMessage.text || '(no text)', 500)).replaceAll('\n', '\n>')}`,
        }),
      ]
    : [];
  return builtModal(
    Modal({
      title: 'Ask EM Agent',
      submit: 'Ask',
      close: 'Cancel',
      callbackId: ASK_MODAL,
      privateMetaData: JSON.stringify(
        data.aboutMessage
          ? {
              channel: data.aboutMessage.channel,
              ts: data.aboutMessage.ts,
              text: truncate(data.aboutMessage.text, 1500),
            }
          : {},
      ),
    }).blocks(
      ...context,
      Blocks.Input({ label: 'Your question', blockId: ASK_QUESTION_BLOCK }).element(
        Elements.TextInput({ actionId: ASK_QUESTION_ACTION, placeholder: 'How do we roll back a deploy?' })
          .multiline()
          .maxLength(2000),
      ),
    ),
  );
}
