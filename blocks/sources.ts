import { Blocks, Message } from 'slack-block-builder';
import type { SlackMessage } from './help.js';
import { builtBlocks } from './kit.js';
import { escapeMrkdwn, truncate } from './text.js';

export interface SourceLine {
  source: string;
  scope: string;
  lastSuccessAt: Date | null;
  lastError: string | null;
  rateLimitRemaining: number | null;
  recordsRejected: number;
  lastSkip?: string | null;
}

const ago = (date: Date, now: Date) => {
  const minutes = Math.round((now.getTime() - date.getTime()) / 60_000);
  return minutes < 1 ? 'just now' : minutes < 120 ? `${minutes} min ago` : `${Math.round(minutes / 60)} h ago`;
};

export function sourcesMessage(lines: SourceLine[], configured: string[], now = new Date()): SlackMessage {
  const body = lines.length
    ? lines
        .slice(0, 40)
        .map((l) => {
          const health = l.lastError
            ? ':red_circle:'
            : l.recordsRejected
              ? ':large_yellow_circle:'
              : ':large_green_circle:';
          const last = l.lastSuccessAt ? `last success ${ago(l.lastSuccessAt, now)}` : 'never synced';
          const limit = l.rateLimitRemaining === null ? '' : ` · rate limit left ${l.rateLimitRemaining}`;
          const rejected = l.recordsRejected
            ? ` · ${l.recordsRejected} malformed records skipped${l.lastSkip ? ` (last: ${escapeMrkdwn(truncate(l.lastSkip, 200))})` : ''}`
            : '';
          const error = l.lastError ? `\n      _${escapeMrkdwn(truncate(l.lastError, 200))}_` : '';
          return `${health} *${escapeMrkdwn(l.source)}* \`${escapeMrkdwn(l.scope)}\` — ${last}${limit}${rejected}${error}`;
        })
        .join('\n')
    : configured.length
      ? '_Sources are configured but have not synced yet._'
      : '_No sources are configured. Add GitHub, Jira, Linear, Shortcut or Confluence to sources.yml._';
  const message = Message({ text: 'Source sync status' })
    .blocks(Blocks.Section({ text: '*Sources*' }), Blocks.Section({ text: truncate(body, 2900) }))
    .buildToObject();
  return { text: message.text ?? '', blocks: builtBlocks(message.blocks) };
}
