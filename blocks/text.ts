import type { ContextBlock } from '@slack/types';

/** Escapes text for mrkdwn so user-typed `<!channel>`, `<@U1>` or `&` show as typed and ping nobody. */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/**
 * The one escaping layer for text that came from people (typed in a modal or command, or a Slack message they wrote):
 * whatever it was, it reads as typed and pings or links nothing. Slack's own entities are decoded first, so text
 * Slack already escaped is not escaped twice, and applying it again changes nothing.
 */
export function userText(text: string): string {
  const decoded = text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
  // A link keeps its address in plain sight ("dashboard (https://…)"), so its label cannot disguise where it goes.
  const links = decoded.replace(/<(https?:\/\/[^|>\s]+)(?:\|([^>]*))?>/g, (_, url: string, label?: string) =>
    label && label !== url ? `${label} (${url})` : url,
  );
  return escapeMrkdwn(links);
}

/**
 * Slack text (as a message carries it, or as `userText` stored it) as a person reads it, for places that are not
 * Slack mrkdwn: a form's prefilled field, a Jira ticket, a line the digest escapes itself. People and channels read
 * `@name` and `#name`, a link `label (address)`, entities their characters.
 */
export function readableText(text: string): string {
  return text
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&')
    .replace(/<@([UW][A-Z0-9]+)(?:\|([^>]*))?>/g, (_, id: string, name?: string) => `@${name || id}`)
    .replace(/<#([CG][A-Z0-9]+)(?:\|([^>]*))?>/g, (_, id: string, name?: string) => `#${name || id}`)
    .replace(/<!(channel|here|everyone)(?:\|[^>]*)?>/g, '@$1')
    .replace(/<(https?:\/\/[^|>\s]+)(?:\|([^>]*))?>/g, (_, url: string, label?: string) =>
      label && label !== url ? `${label} (${url})` : url,
    );
}

/** Text `userText` stored, shown in Slack with the people it names as mentions (an action item's owner). */
export function withMentions(stored: string): string {
  return stored.replace(/&lt;@([UW][A-Z0-9]+)(?:\|[^&]*)?&gt;/g, '<@$1>');
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The longest start of `text` of at most `max` UTF-16 units that ends between graphemes (never half an emoji). */
export function graphemePrefix(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = 0;
  for (const { index, segment } of graphemes.segment(text)) {
    if (index + segment.length > max) break;
    end = index + segment.length;
  }
  return text.slice(0, end);
}

/** Shortens text to `max` characters, marking the cut; the cut never splits a surrogate pair or a grapheme. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${graphemePrefix(text, Math.max(0, max - 1))}…`;
}

/** Quotes user text inline, escaped, without letting backticks break out of the code span. */
export function quoteInline(text: string, max = 60): string {
  return `\`${escapeMrkdwn(truncate(text, max)).replaceAll('`', "'")}\``;
}

/** The text a message's blocks show, one line per text object (for summaries and logs). */
export function plainText(blocks: unknown[]): string {
  const parts: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node && typeof node === 'object') {
      const obj = node as Record<string, unknown>;
      if ((obj.type === 'mrkdwn' || obj.type === 'plain_text') && typeof obj.text === 'string') parts.push(obj.text);
      for (const [key, value] of Object.entries(obj)) if (key !== 'text' || typeof value !== 'string') walk(value);
    }
  };
  walk(blocks);
  return parts.join('\n');
}

/** A context block with a model-written summary, marked as such and escaped like any other outside text. */
export function narrativeBlock(text: string): ContextBlock {
  return {
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: truncate(`:robot_face: _Summary written by a model from the figures above:_ ${escapeMrkdwn(text)}`, 2000),
      },
    ],
  };
}

/** A date Slack shows in each reader's own time zone (`format` uses Slack's tokens); `fallback` for old clients. */
export function slackDate(d: Date, format = '{date_short_pretty} {time}', fallback = d.toISOString()): string {
  return `<!date^${Math.floor(d.getTime() / 1000)}^${format}|${fallback}>`;
}

/**
 * A mrkdwn link to an address that came from outside (a vendor's record URL): `&`, `<` and `>` are escaped as Slack
 * asks and `|` is percent-encoded, so the address can neither end the link early nor carry a live ping.
 * `label` is mrkdwn the caller has already escaped.
 */
export function link(url: string, label: string): string {
  return `<${escapeMrkdwn(url).replaceAll('|', '%7C')}|${label}>`;
}
