// Passages found in the docs, as the agent shows `ask.search`'s output.
import { type BlockBuilder, Blocks, Message } from 'slack-block-builder';
import type { SlackMessage } from '../help.js';
import { builtBlocks } from '../kit.js';
import { escapeMrkdwn, link, truncate } from '../text.js';

const built = (text: string, blocks: BlockBuilder[]) => {
  const m = Message({ text: truncate(text, 2900) })
    .blocks(...blocks)
    .buildToObject();
  return { text: m.text ?? '', blocks: builtBlocks(m.blocks) };
};

/** Passages found in the docs, each with its title and link (document text is escaped: it is data). */
export function docHitsMessage(
  hits: { title: string; url: string | null; heading: string; content: string }[],
): SlackMessage {
  if (!hits.length)
    return built('I could not find this in the docs.', [
      Blocks.Section({ text: 'I could not find this in the docs.' }),
    ]);
  const lines = hits.slice(0, 5).map((h, i) => {
    const title = escapeMrkdwn(truncate(h.title, 120));
    const where = h.url ? link(h.url, title) : title;
    return `[${i + 1}] *${where}*${h.heading ? ` › ${escapeMrkdwn(truncate(h.heading, 80))}` : ''}\n>${escapeMrkdwn(truncate(h.content.replace(/\s+/g, ' '), 280))}`;
  });
  return built(`From the docs: ${hits.map((h) => h.title).join(', ')}`, [
    Blocks.Section({ text: '*From the docs*' }),
    Blocks.Section({ text: truncate(lines.join('\n'), 2900) }),
  ]);
}
