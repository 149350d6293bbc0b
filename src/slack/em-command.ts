import { closest, distance } from 'fastest-levenshtein';

/** Where a report should be posted instead of answering privately: a channel id or a #name. */
export interface PostTarget {
  channel: string;
}

/** What a subcommand's parser returns: its command, or a usage error to show. */
export type ArgsResult<Command = Record<string, unknown>> =
  | { ok: true; command: Command }
  | { ok: false; message: string };

/**
 * An `/em` subcommand's syntax, brought by its capability (see `ownSubcommand`): its name, its help line and its
 * parser. The router knows no subcommand but `help`.
 */
export interface OwnSyntax<Command = Record<string, unknown>> {
  name: string;
  usage: string;
  summary: string;
  /** Where it sits in `/em help`: lower first; subcommands without one follow, in the order they were registered. */
  order?: number;
  /** What it will show once its capability is set up: the "not configured yet" answer until then. */
  placeholder?: string;
  /** The words after the subcommand's name (whitespace collapsed); never throws. */
  parse(words: string[]): ArgsResult<Command>;
}

/** What a subcommand parsed to: its name and whatever its parser returned. */
export interface OwnCommand {
  name: string;
  post?: PostTarget;
  [field: string]: unknown;
}

export type ParseResult =
  | { ok: true; command: OwnCommand }
  | { ok: false; reason: 'unknown'; input: string; suggestion?: string }
  | { ok: false; reason: 'invalid'; command: string; message: string };

export interface CommandHelp {
  name: string;
  usage: string;
  summary: string;
}

/** `/em help`, the one subcommand of the router itself: listed last. */
export const HELP: CommandHelp = { name: 'help', usage: 'help', summary: 'this list' };

export const MAX_TEXT = 4000;

/**
 * Parses the text after `/em` by the parser its subcommand's capability registered (`own`, in help order). Never
 * throws: every input maps to a command, a usage error or a suggestion.
 */
export function parseEmCommand(rawText: string, own: readonly OwnSyntax[] = []): ParseResult {
  const text = (rawText ?? '').replace(/\s+/g, ' ').trim();
  if (text.length > MAX_TEXT) {
    // Named after the subcommand typed when it is one (never echoing other text).
    const first = text.slice(0, 40).split(' ')[0]?.toLowerCase() ?? '';
    const known = [HELP.name, ...own.map((o) => o.name)].includes(first);
    return {
      ok: false,
      reason: 'invalid',
      command: known ? first : '',
      message: `that is ${text.length} characters; /em takes at most ${MAX_TEXT}`,
    };
  }
  if (text === '' || text === '?') return { ok: true, command: { name: HELP.name } };
  const [head = '', ...words] = text.split(' ');
  const name = head.toLowerCase();
  if (name === HELP.name) return { ok: true, command: { name: HELP.name } };
  const syntax = own.find((o) => o.name === name);
  if (syntax) {
    const parsed = syntax.parse(words);
    return parsed.ok
      ? { ok: true, command: { ...parsed.command, name: syntax.name } }
      : { ok: false, reason: 'invalid', command: name, message: parsed.message };
  }
  const guess = name.slice(0, 20);
  const suggestion = closest(guess, [...own.map((o) => o.name), HELP.name]);
  const near = distance(guess, suggestion) <= Math.max(2, Math.floor(suggestion.length / 2));
  return { ok: false, reason: 'unknown', input: head.slice(0, 40), suggestion: near ? suggestion : undefined };
}
