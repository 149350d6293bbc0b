// Argument helpers shared by the `/em` subcommands' parsers (each capability parses its own subcommand's words in
// its `args.ts`): `post #channel`, a trailing team, bounded numbers, report windows. Pure; never throws.
import { z } from 'zod';
import type { PostTarget } from './em-command.js';

/** A whole number argument with a range, whose errors name the argument and show an example. */
export function boundedInt(
  name: string,
  min: number,
  max: number,
  example: string,
  range = `between ${min} and ${max}`,
) {
  return z.coerce
    .number({ error: `${name} must be a number, e.g. \`${example}\`` })
    .int({ error: `${name} must be a whole number` })
    .min(min, { error: `${name} must be ${range}` })
    .max(max, { error: `${name} must be ${range}` });
}

/** A report window, "30d", "12w", "3m" or a bare number of days, in days; or why it is not one. */
export function parseWindow(text: string): number | string {
  const match = /^(\d+)\s*([dwm]?)$/i.exec(text);
  if (!match) return 'window must look like 30d, 12w or 3m';
  const unit = (match[2] ?? '').toLowerCase();
  const days = Number(match[1]) * (unit === 'w' ? 7 : unit === 'm' ? 30 : 1);
  if (days < 1 || days > 365) return 'window must be between 1 day and 365 days';
  return days;
}

/** A channel as Slack writes it in escaped command text (<#C123|name>) or as typed (#name). */
export const CHANNEL = /^(?:<#([CG][A-Z0-9]+)(?:\|[^>]*)?>|#([a-z0-9_-]{1,80}))$/;

/** Takes `post #channel` out of the words: the channel to post to, the other words, or why the channel is wrong. */
export function splitPost(words: string[]): { rest: string[]; post?: PostTarget; error?: string } {
  const index = words.indexOf('post');
  if (index < 0) return { rest: words };
  const target = words[index + 1];
  const match = target ? CHANNEL.exec(target) : null;
  if (!match) return { rest: words, error: 'post needs a channel, e.g. `post #eng-leads`' };
  const channel = match[1] ?? `#${match[2]}`;
  return { rest: [...words.slice(0, index), ...words.slice(index + 2)], post: { channel } };
}

/** The words left after a report's own arguments name a team (a key, or a name of several words). */
export function teamOf(rest: string[]): { team?: string } {
  const team = rest.join(' ').trim().slice(0, 80);
  return team ? { team } : {};
}

/** The first problem zod found, as the usage error to show. */
export function zodMessage(result: z.ZodSafeParseResult<unknown>): string {
  return result.success ? '' : (result.error.issues[0]?.message ?? 'invalid value');
}
