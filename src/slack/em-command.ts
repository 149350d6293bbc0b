import { closest, distance } from 'fastest-levenshtein';
import { z } from 'zod';
import { OKR_HELP, type OkrCommand, parseOkrArgs } from '../okrs/args.js';

/** Where a report should be posted instead of answering privately: a channel id or a #name. */
export interface PostTarget {
  channel: string;
}

export type EmCommand =
  | { name: 'help' }
  | { name: 'triage'; post?: PostTarget; team?: string }
  | {
      name: 'standup';
      hours: number;
      post?: PostTarget;
      history?: { user: string; search?: string };
      team?: string;
    }
  | { name: 'sprint'; days?: number; post?: PostTarget; team?: string }
  | { name: 'dora'; days: number; post?: PostTarget; team?: string }
  | { name: 'signals'; post?: PostTarget; team?: string }
  | { name: 'team'; action: 'list' | 'show'; team?: string }
  | OkrCommand
  | { name: 'approvals' }
  | { name: 'ask'; question: string; post?: PostTarget; context?: string }
  | { name: 'incident'; action: string; text: string }
  | { name: 'sources' }
  | { name: 'policy'; action: string }
  | { name: 'audit'; limit: number }
  | { name: 'token'; action: 'create' | 'list' | 'revoke'; token?: string; scope?: 'read' | 'propose' | 'decide' };

export type EmCommandName = EmCommand['name'];

export type ParseResult =
  | { ok: true; command: EmCommand }
  | { ok: false; reason: 'unknown'; input: string; suggestion?: EmCommandName }
  | { ok: false; reason: 'invalid'; command: EmCommandName; message: string };

export interface CommandHelp {
  name: EmCommandName;
  usage: string;
  summary: string;
}

export const COMMANDS: CommandHelp[] = [
  { name: 'triage', usage: 'triage [team] [post #channel]', summary: 'what needs attention now, ranked' },
  {
    name: 'standup',
    usage: 'standup [hours] [team] [post #channel] | standup history @person [words]',
    summary: 'who did what in the last hours (default 24); past standups of a person',
  },
  {
    name: 'sprint',
    usage: 'sprint [days] [team] [post #channel]',
    summary: 'sprint health: committed vs done, scope change, risks',
  },
  {
    name: 'dora',
    usage: 'dora [window] [team] [post #channel]',
    summary: 'DORA four keys over a window such as 30d or 12w (default 30d)',
  },
  { name: 'signals', usage: 'signals [team] [post #channel]', summary: 'open risk signals from the rules' },
  {
    name: 'team',
    usage: 'team list | team show <team>',
    summary: 'teams: members, managers, repositories, boards (a [team] narrows each report)',
  },
  OKR_HELP,
  { name: 'approvals', usage: 'approvals', summary: 'actions waiting for a decision' },
  {
    name: 'ask',
    usage: 'ask <question> | ask post #channel <question>',
    summary: 'answer from your docs, with citations',
  },
  {
    name: 'incident',
    usage:
      'incident start <title> | list | note <text> | action <text> | timeline | update | roles | severity [SEV1-4] | resolve',
    summary: 'incident co-pilot',
  },
  { name: 'sources', usage: 'sources', summary: 'sync status of GitHub, Jira, Linear, Confluence' },
  { name: 'policy', usage: 'policy <action>', summary: 'what would happen to an action, and why' },
  { name: 'audit', usage: 'audit [n]', summary: 'the last n decisions (approvers only)' },
  {
    name: 'token',
    usage: 'token create <name> [read|propose|decide] | token list | token revoke <name>',
    summary: 'personal tokens for the REST API and the MCP server',
  },
  { name: 'help', usage: 'help', summary: 'this list' },
];

const NAMES = COMMANDS.map((c) => c.name);
export const MAX_TEXT = 4000;

/** A whole number argument with a range, whose errors name the argument and show an example. */
function boundedInt(name: string, min: number, max: number, example: string, range = `between ${min} and ${max}`) {
  return z.coerce
    .number({ error: `${name} must be a number, e.g. \`${example}\`` })
    .int({ error: `${name} must be a whole number` })
    .min(min, { error: `${name} must be ${range}` })
    .max(max, { error: `${name} must be ${range}` });
}

const hours = boundedInt('hours', 1, 336, '/em standup 48', 'between 1 and 336 (two weeks)');
const sprintDays = boundedInt('days', 1, 90, '/em sprint 14');
const auditLimit = boundedInt('n', 1, 200, '/em audit 20');

// "30d", "12w", "3m" or a bare number of days.
function parseWindow(text: string): number | string {
  const match = /^(\d{1,4})\s*([dwm]?)$/i.exec(text);
  if (!match) return 'window must look like 30d, 12w or 3m';
  const unit = (match[2] ?? '').toLowerCase();
  const days = Number(match[1]) * (unit === 'w' ? 7 : unit === 'm' ? 30 : 1);
  if (days < 1 || days > 365) return 'window must be between 1 day and 365 days';
  return days;
}

// A channel as Slack writes it in escaped command text (<#C123|name>) or as typed (#name).
const CHANNEL = /^(?:<#([CG][A-Z0-9]+)(?:\|[^>]*)?>|#([a-z0-9_-]{1,80}))$/;

function splitPost(words: string[]): { rest: string[]; post?: PostTarget; error?: string } {
  const index = words.indexOf('post');
  if (index < 0) return { rest: words };
  const target = words[index + 1];
  const match = target ? CHANNEL.exec(target) : null;
  if (!match) return { rest: words, error: 'post needs a channel, e.g. `post #eng-leads`' };
  const channel = match[1] ?? `#${match[2]}`;
  return { rest: [...words.slice(0, index), ...words.slice(index + 2)], post: { channel } };
}

/** The words left after a report's own arguments name a team (a key, or a name of several words). */
function teamOf(rest: string[]): { team?: string } {
  const team = rest.join(' ').trim().slice(0, 80);
  return team ? { team } : {};
}

function zodMessage(result: z.ZodSafeParseResult<unknown>): string {
  return result.success ? '' : (result.error.issues[0]?.message ?? 'invalid value');
}

/** Parses the text after `/em`. Never throws: every input maps to a command, a usage error or a suggestion. */
export function parseEmCommand(rawText: string): ParseResult {
  const text = (rawText ?? '').replace(/\s+/g, ' ').trim();
  if (text.length > MAX_TEXT) {
    return {
      ok: false,
      reason: 'invalid',
      command: 'help',
      message: `that is ${text.length} characters; /em takes at most ${MAX_TEXT}`,
    };
  }
  if (text === '' || text === 'help' || text === '?') return { ok: true, command: { name: 'help' } };
  const [head = '', ...words] = text.split(' ');
  const name = head.toLowerCase() as EmCommandName;
  const invalid = (message: string): ParseResult => ({ ok: false, reason: 'invalid', command: name, message });

  switch (name) {
    case 'help':
      return { ok: true, command: { name: 'help' } };
    case 'approvals':
    case 'sources':
      return words.length ? invalid(`\`${name}\` takes no arguments`) : { ok: true, command: { name } };
    case 'triage':
    case 'signals': {
      const { rest, post, error } = splitPost(words);
      if (error) return invalid(error);
      return { ok: true, command: { name, post, ...teamOf(rest) } };
    }
    case 'team': {
      const [action = '', ...rest] = words;
      if (action.toLowerCase() === 'list' && !rest.length) return { ok: true, command: { name, action: 'list' } };
      if (action.toLowerCase() === 'show' && rest.length)
        return { ok: true, command: { name, action: 'show', ...teamOf(rest) } };
      return invalid('usage: `/em team list` or `/em team show <team>`, e.g. `/em team show payments`');
    }
    case 'okr': {
      const parsed = parseOkrArgs(words);
      return parsed.ok ? parsed : invalid(parsed.message);
    }
    case 'standup': {
      if (words[0]?.toLowerCase() === 'history') {
        // Slack escapes a typed @mention as <@U123|name>.
        const user = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(words[1] ?? '')?.[1];
        if (!user) return invalid('usage: `/em standup history @person [words to look for]`');
        const search = words.slice(2).join(' ').trim().slice(0, 200);
        return { ok: true, command: { name, hours: 24, history: { user, ...(search ? { search } : {}) } } };
      }
      const { rest, post, error } = splitPost(words);
      if (error) return invalid(error);
      const numbered = /^\d/.test(rest[0] ?? '');
      const parsed = hours.safeParse(numbered ? rest[0] : 24);
      return parsed.success
        ? { ok: true, command: { name, hours: parsed.data, post, ...teamOf(numbered ? rest.slice(1) : rest) } }
        : invalid(zodMessage(parsed));
    }
    case 'sprint': {
      const { rest, post, error } = splitPost(words);
      if (error) return invalid(error);
      if (!/^\d/.test(rest[0] ?? '')) return { ok: true, command: { name, post, ...teamOf(rest) } };
      const parsed = sprintDays.safeParse(rest[0]);
      return parsed.success
        ? { ok: true, command: { name, days: parsed.data, post, ...teamOf(rest.slice(1)) } }
        : invalid(zodMessage(parsed));
    }
    case 'dora': {
      const { rest, post, error } = splitPost(words);
      if (error) return invalid(error);
      // A window starts with a digit; anything else names a team: `/em dora 12w payments`, `/em dora payments`.
      const windowed = /^\d/.test(rest[0] ?? '');
      const days = parseWindow(windowed ? (rest[0] as string) : '30d');
      return typeof days === 'number'
        ? { ok: true, command: { name, days, post, ...teamOf(windowed ? rest.slice(1) : rest) } }
        : invalid(days);
    }
    case 'ask': {
      const { rest, post, error } = words[0] === 'post' ? splitPost(words) : { rest: words };
      if (error) return invalid(error);
      const question = rest.join(' ').trim();
      if (question.length < 3) return invalid('ask needs a question, e.g. `/em ask how do we roll back a deploy?`');
      return { ok: true, command: { name, question, post } };
    }
    case 'incident': {
      const [action = '', ...rest] = words;
      const actions = ['start', 'list', 'note', 'action', 'timeline', 'update', 'resolve', 'roles', 'severity'];
      if (!actions.includes(action.toLowerCase())) {
        return invalid(`usage: \`/em incident ${actions.join(' | ')}\``);
      }
      const detail = rest.join(' ');
      const needsText = {
        start: 'give the incident a title: `/em incident start checkout is failing`',
        note: 'a note needs text: `/em incident note rolled back v1.42`',
        action: 'an action item needs text: `/em incident action add an alert on queue depth`',
      } as Record<string, string>;
      const missing = needsText[action.toLowerCase()];
      if (missing && detail.length === 0) return invalid(missing);
      return { ok: true, command: { name, action: action.toLowerCase(), text: detail } };
    }
    case 'policy':
      return words.length === 1 && /^[a-z_.:-]{1,64}$/i.test(words[0] ?? '')
        ? { ok: true, command: { name, action: words[0] as string } }
        : invalid('usage: `/em policy <action>`, e.g. `/em policy github.comment`');
    case 'audit': {
      if (words.length > 1) return invalid('usage: `/em audit [n]`');
      const parsed = auditLimit.safeParse(words[0] ?? 20);
      return parsed.success ? { ok: true, command: { name, limit: parsed.data } } : invalid(zodMessage(parsed));
    }
    case 'token': {
      const [action = '', tokenName, scope, ...extra] = words;
      const usage = invalid(
        'usage: `/em token create <name> [read|propose|decide]`, `/em token list`, `/em token revoke <name>`',
      );
      if (action === 'list') return words.length === 1 ? { ok: true, command: { name, action } } : usage;
      if ((action !== 'create' && action !== 'revoke') || !tokenName || extra.length) return usage;
      if (!/^[a-z0-9][a-z0-9_.-]{0,39}$/i.test(tokenName))
        return invalid('a token name is up to 40 letters, digits, `.`, `_` or `-`, e.g. `grafana`');
      if (action === 'revoke') return scope ? usage : { ok: true, command: { name, action, token: tokenName } };
      const wanted = (scope ?? 'read').toLowerCase();
      if (wanted !== 'read' && wanted !== 'propose' && wanted !== 'decide')
        return invalid('the scope is `read`, `propose` or `decide`');
      return { ok: true, command: { name, action, token: tokenName, scope: wanted } };
    }
    default: {
      const guess = head.toLowerCase().slice(0, 20);
      const suggestion = closest(guess, NAMES) as EmCommandName;
      const near = distance(guess, suggestion) <= Math.max(2, Math.floor(suggestion.length / 2));
      return { ok: false, reason: 'unknown', input: head.slice(0, 40), suggestion: near ? suggestion : undefined };
    }
  }
}
