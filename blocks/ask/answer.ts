import { Blocks, Elements, Message } from 'slack-block-builder';
import type { Citation } from '../../src/ask/answer.js';
import type { SlackMessage } from '../help.js';
import { builtBlocks } from '../kit.js';
import { escapeMrkdwn, link, truncate, userText } from '../text.js';

export const ASK_HELPFUL = 'ask_helpful';
export const ASK_NOT_HELPFUL = 'ask_not_helpful';

const SOURCE_LABEL: Record<string, string> = {
  confluence: 'Confluence',
  github: 'GitHub',
  postmortem: 'Postmortem',
  standup: 'Standup',
  answer: 'Earlier answer',
};

type CitationLine = Pick<Citation, 'n' | 'title' | 'heading' | 'url' | 'source'>;

function citationLine(c: CitationLine): string {
  const where = escapeMrkdwn(truncate(c.heading || c.title, 120));
  return `[${c.n}] ${c.url ? link(c.url, where) : where} · ${SOURCE_LABEL[c.source] ?? c.source}`;
}

/** An answer: the question, the cited answer, its sources, and Helpful / Not helpful. */
export function answerMessage(answer: {
  id: number;
  question: string;
  text: string;
  mode: string;
  citations: CitationLine[];
  askedBy?: string;
}): SlackMessage {
  const mode =
    answer.mode === 'model'
      ? 'Written by the model from the sources below'
      : answer.mode === 'extractive'
        ? 'The passages that answer it, from the sources below'
        : 'Try other words, or `source:`/`space:` to narrow it';
  const built = Message({ text: `${userText(truncate(answer.question, 300))}: ${truncate(answer.text, 300)}` })
    .blocks(
      Blocks.Section({
        text: `${answer.askedBy ? `<@${answer.askedBy}> asked: ` : ''}*${userText(truncate(answer.question, 300))}*`,
      }),
      Blocks.Section({ text: truncate(answer.text, 2900) }),
      ...(answer.citations.length
        ? [Blocks.Context().elements(truncate(answer.citations.map(citationLine).join('\n'), 2900))]
        : []),
      Blocks.Context().elements(mode),
      Blocks.Actions({ blockId: 'ask_feedback' }).elements(
        Elements.Button({ text: 'Helpful', actionId: ASK_HELPFUL, value: String(answer.id) }),
        Elements.Button({ text: 'Not helpful', actionId: ASK_NOT_HELPFUL, value: String(answer.id) }),
      ),
    )
    .buildToObject();
  return { text: built.text ?? '', blocks: builtBlocks(built.blocks) };
}
