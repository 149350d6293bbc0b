// The agent's answers in Slack: what it ran and each tool's rendered output, an offer to choose when it is unsure,
// an honest "no tool does this", refusals (rate limit, budget) and the greeting of the assistant pane.
import type { KnownBlock } from '@slack/types';
import { type BlockBuilder, Blocks, Elements, Message } from 'slack-block-builder';
import type { SlackMessage } from '../help.js';
import { builtBlocks } from '../kit.js';
import { escapeMrkdwn, readableText, truncate } from '../text.js';

/** The button that runs one of the offered tools; its value is the planned call as JSON. */
export const AGENT_CHOOSE_ACTION = 'agent_choose';
/** The button that runs a tool the model chose which changes something; its value is the confirmation's id. */
export const AGENT_CONFIRM_ACTION = 'agent_confirm';
/** Confirmations shown under one answer (each its own button). */
export const MAX_CONFIRMATIONS = 5;
/** Slack's limit on blocks in one message. */
const MAX_BLOCKS = 50;

const built = (text: string, blocks: BlockBuilder[]) => {
  const m = Message({ text: truncate(text, 2900) })
    .blocks(...blocks)
    .buildToObject();
  return { text: m.text ?? '', blocks: builtBlocks(m.blocks) };
};

/** "I looked at sprint health and stale PRs." plus each part, cut to Slack's 50 blocks with a note when cut. */
export function agentAnswer(options: {
  ran: string[];
  parts: SlackMessage[];
  notes?: string[];
  /** A model's written answer (already checked), shown first and marked as written by a model. */
  narrative?: string;
  /** Tools the model chose that change something: each waits for the asker's click on its Confirm button. */
  confirm?: { id: number; label: string; args: Record<string, unknown> }[];
}): SlackMessage {
  const ran = options.ran.length ? `I looked at ${joinAnd(options.ran)}.` : 'I did not run any tool.';
  const head = Message({ text: ran })
    .blocks(
      Blocks.Context().elements(`:mag: ${escapeMrkdwn(ran)}`),
      ...(options.narrative
        ? [
            Blocks.Section({ text: truncate(escapeMrkdwn(options.narrative), 2900) }),
            Blocks.Context().elements(':robot_face: Written by a language model; what ran and its results are below.'),
          ]
        : []),
      ...(options.notes ?? []).map((n) => Blocks.Context().elements(`:information_source: ${escapeMrkdwn(n)}`)),
      ...confirmBlocks(options.confirm ?? []),
    )
    .buildToObject().blocks;
  const blocks: KnownBlock[] = builtBlocks(head);
  let cut = false;
  for (const part of options.parts) {
    if (blocks.length + 1 + part.blocks.length > MAX_BLOCKS - 1) {
      cut = true;
      break;
    }
    blocks.push({ type: 'divider' }, ...part.blocks);
  }
  if (cut)
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: 'The rest did not fit in one message: ask for it on its own.' }],
    });
  const text = [ran, options.narrative ?? '', ...options.parts.map((p) => p.text)].filter(Boolean).join('\n');
  // The notification text too pings nobody and disguises no link: Slack reads mentions there as in the blocks.
  return { text: plainFallback(text, 3000), blocks };
}

/** Text for a message's `text` (notifications): Slack's markup read as words, then escaped (never cut mid-entity). */
const plainFallback = (text: string, max: number) =>
  truncate(escapeMrkdwn(readableText(text)), max).replace(/&[a-z]*…$/, '…');

/** What a tool call would do, in a line: its arguments, escaped and short. */
const argsLine = (args: Record<string, unknown>) =>
  Object.entries(args)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');

function confirmBlocks(confirm: { id: number; label: string; args: Record<string, unknown> }[]): BlockBuilder[] {
  if (!confirm.length) return [];
  const shown = confirm.slice(0, MAX_CONFIRMATIONS);
  return [
    Blocks.Section({
      text: ':raised_hand: The model chose something that changes data. Nothing ran: confirm it if it is what you asked for.',
    }),
    ...shown.map((c, i) =>
      Blocks.Section({
        text: truncate(`*${escapeMrkdwn(c.label)}*: ${escapeMrkdwn(truncate(argsLine(c.args), 600))}`, 2900),
      }).accessory(Elements.Button({ text: 'Confirm', actionId: `${AGENT_CONFIRM_ACTION}_${i}`, value: String(c.id) })),
    ),
  ];
}

export function joinAnd(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** Not sure: the two or three closest tools as buttons. */
export function chooseMessage(request: string, choices: { label: string; value: string }[]): SlackMessage {
  return built(`Not sure what you mean by "${request}". Did you mean one of these?`, [
    Blocks.Section({
      text: `:thinking_face: I am not sure what you mean by _${escapeMrkdwn(truncate(request, 200))}_. Did you mean:`,
    }),
    Blocks.Actions().elements(
      ...choices.map((c, i) =>
        Elements.Button({ text: c.label, actionId: `${AGENT_CHOOSE_ACTION}_${i}`, value: c.value }),
      ),
    ),
  ]);
}

/** No tool serves it: say so, and what it can do. */
export function unservableMessage(reason: string, capabilities: { label: string; example: string }[]): SlackMessage {
  const list = capabilities.map((c) => `• ${escapeMrkdwn(c.label)}: _${escapeMrkdwn(c.example)}_`).join('\n');
  return built(`${reason} Here is what I can do.`, [
    Blocks.Section({ text: `:shrug: ${escapeMrkdwn(reason)} Here is what I can do:` }),
    Blocks.Section({ text: truncate(list, 2900) }),
  ]);
}

export function refusalMessage(text: string): SlackMessage {
  return built(text, [Blocks.Section({ text: `:no_entry: ${escapeMrkdwn(text)}` })]);
}

/** The assistant pane's first message. */
export function greetingMessage(): SlackMessage {
  return built('Hi! Ask me about your team in plain words.', [
    Blocks.Section({
      text: 'Hi! Ask me about your team in plain words: what is blocking, how the sprint goes, DORA, incidents, who did what, or your docs.',
    }),
  ]);
}

export const SUGGESTED_PROMPTS = [
  { title: 'What needs attention?', message: 'What needs my attention today?' },
  { title: 'Sprint health', message: 'How is the sprint going, and what is blocked?' },
  { title: 'DORA, last 30 days', message: 'How did our lead time and deploy frequency change over the last 30 days?' },
];
