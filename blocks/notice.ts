import { Blocks, Message } from 'slack-block-builder';
import type { SlackMessage } from './help.js';
import { builtBlocks } from './kit.js';
import { truncate } from './text.js';

/** A one-line answer: a confirmation, a refusal or an error, as a user sees it. */
export function notice(text: string, emoji = ':information_source:'): SlackMessage {
  const short = truncate(text, 2900);
  const message = Message({ text: short })
    .blocks(Blocks.Section({ text: `${emoji} ${short}` }))
    .buildToObject();
  return { text: short, blocks: builtBlocks(message.blocks) };
}

export function workingOn(what: string): SlackMessage {
  return notice(`Working on ${what}…`, ':hourglass_flowing_sand:');
}

export function failure(text: string): SlackMessage {
  return notice(text, ':warning:');
}

/** The honest answer of a command whose capability has not been set up in this installation. */
export function notConfigured(command: string, whatItWillDo: string): SlackMessage {
  return notice(
    `\`/em ${command}\` is not configured yet in this workspace. When it is, it will show ${whatItWillDo}.`,
    ':construction:',
  );
}
