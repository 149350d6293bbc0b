import type { KnownBlock } from '@slack/types';
import { Blocks, Message } from 'slack-block-builder';
import type { CommandHelp } from '../src/slack/em-command.js';
import { builtBlocks } from './kit.js';
import { escapeMrkdwn, quoteInline, truncate, userText } from './text.js';

/** A message: the notification text (shown where blocks are not) and its blocks, all of kinds Slack knows. */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

export interface HelpData {
  commands: CommandHelp[];
  /** What went wrong with the user's input, shown above the list. */
  problem?: string;
  /** The command the user probably meant. */
  suggestion?: string;
}

export function helpMessage(data: HelpData): SlackMessage {
  const lines = data.commands.map((c) => `• \`/em ${c.usage}\` — ${escapeMrkdwn(c.summary)}`);
  // The problem may quote what the user typed; userText is idempotent, so already-escaped quotes stay as they are.
  const problem = data.problem ? userText(truncate(data.problem, 500)) : undefined;
  const intro = problem
    ? `:warning: ${problem}${data.suggestion ? `\nDid you mean \`/em ${data.suggestion}\`?` : ''}`
    : '*EM Agent* keeps an eye on your team’s PRs, tickets, deploys and incidents.';
  const message = Message({ text: problem ? `${problem.replaceAll('`', '')} — see /em help` : 'EM Agent commands' })
    .blocks(
      Blocks.Section({ text: intro }),
      Blocks.Section({ text: lines.join('\n') }),
      Blocks.Context().elements(
        'Shortcuts: *Ask EM Agent* (⚡ menu), *Declare incident* and *Ask about this message* (message ⋮ menu). The Home tab is a live dashboard.',
        'Or ask in plain words: `/em what’s blocking payments this week?`, a DM, an @mention, or the assistant pane.',
      ),
    )
    .buildToObject();
  return { text: message.text ?? '', blocks: builtBlocks(message.blocks) };
}

export function unknownCommandMessage(commands: CommandHelp[], input: string, suggestion?: string): SlackMessage {
  return helpMessage({ commands, problem: `I don't know ${quoteInline(input)}.`, suggestion });
}
