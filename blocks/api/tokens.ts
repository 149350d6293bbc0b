// `/em token`: a new token (shown once), the list of live tokens, a revocation. Pure: data in, Block Kit out.
import type { SlackMessage } from '../help.js';
import { notice } from '../notice.js';
import { escapeMrkdwn, slackDate } from '../text.js';

export interface TokenListing {
  name: string;
  scope: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export function tokenCreatedMessage(name: string, scope: string, token: string): SlackMessage {
  const text =
    `Your token *${escapeMrkdwn(name)}* (${scope}) is below. It is shown this once: copy it now. ` +
    'It acts as you, with your rights, through the REST API (`Authorization: Bearer …`) and the MCP server.';
  return {
    text: `Your token ${name} (${scope}), shown once.`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      { type: 'section', text: { type: 'mrkdwn', text: `\`${token}\`` } },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `Revoke it with \`/em token revoke ${escapeMrkdwn(name)}\`.` }],
      },
    ],
  };
}

export function tokenListMessage(tokens: TokenListing[]): SlackMessage {
  if (tokens.length === 0)
    return notice('You have no API tokens. Create one with `/em token create <name> [read|propose|decide]`.');
  const lines = tokens.map(
    (t) =>
      `• *${escapeMrkdwn(t.name)}* (${t.scope}, \`ema_${t.prefix}_…\`), created ${slackDate(t.createdAt)}, ` +
      (t.lastUsedAt ? `last used ${slackDate(t.lastUsedAt)}` : 'never used'),
  );
  return {
    text: `Your API tokens: ${tokens.map((t) => t.name).join(', ')}`,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `*Your API tokens*\n${lines.join('\n')}` } }],
  };
}

export function tokenNameTakenMessage(name: string): SlackMessage {
  return notice(
    `You already have a token named *${escapeMrkdwn(name)}*; revoke it first or pick another name.`,
    ':warning:',
  );
}

export function tokenRevokedMessage(name: string, revoked: boolean): SlackMessage {
  return revoked
    ? notice(
        `Token *${escapeMrkdwn(name)}* is revoked; requests with it are refused from now on.`,
        ':white_check_mark:',
      )
    : notice(`You have no live token named *${escapeMrkdwn(name)}*.`, ':warning:');
}
