import { Blocks, Elements, Message } from 'slack-block-builder';
import type { TriageGroup } from '../../src/reports/triage.js';
import type { SlackMessage } from '../help.js';
import { escapeMrkdwn, truncate } from '../text.js';

export const TRIAGE_NUDGE_ACTION = 'triage_nudge';
const PER_GROUP = 5;
const MAX_BLOCKS = 48;

/** `/em triage`: ranked groups; each item links to its source, and nudgeable ones have a Nudge button. */
export function triageMessage(groups: TriageGroup[], options: { buttons?: boolean } = {}): SlackMessage {
  const blocks = groups.flatMap((g) => {
    const shown = g.items.slice(0, PER_GROUP);
    const more = g.items.length > PER_GROUP ? ` _(+${g.items.length - PER_GROUP} more)_` : '';
    return [
      Blocks.Section({ text: `*${g.title}* (${g.items.length})${more}` }),
      ...shown.map((item) => {
        const text = escapeMrkdwn(truncate(item.text, 280));
        const section = Blocks.Section({ text: item.url ? `<${item.url}|${text}>` : text });
        return options.buttons !== false && item.nudge && item.signalId
          ? section.accessory(
              Elements.Button({ text: 'Nudge', actionId: TRIAGE_NUDGE_ACTION, value: String(item.signalId) }),
            )
          : section;
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
  return { text: built.text ?? '', blocks: built.blocks ?? [] };
}
