// The syntax of `/em triage`, `/em standup`, `/em sprint` and `/em dora`: pure parsers the capability registers
// with its subcommands.
import { boundedInt, parseWindow, splitPost, teamOf, zodMessage } from '../slack/args.js';
import type { OwnSyntax, PostTarget } from '../slack/em-command.js';

export type TriageCommand = { post?: PostTarget; team?: string };
export type StandupCommand = {
  hours: number;
  post?: PostTarget;
  history?: { user: string; search?: string };
  team?: string;
};
export type SprintCommand = { days?: number; post?: PostTarget; team?: string };
export type DoraCommand = { days: number; post?: PostTarget; team?: string };

const hours = boundedInt('hours', 1, 336, '/em standup 48', 'between 1 and 336 (two weeks)');
const sprintDays = boundedInt('days', 1, 90, '/em sprint 14');

export const triageSyntax: OwnSyntax<TriageCommand> = {
  name: 'triage',
  order: 10,
  usage: 'triage [team] [post #channel]',
  summary: 'what needs attention now, ranked',
  placeholder: 'stale PRs, review bottlenecks, failing main, unassigned urgent tickets and open incidents, ranked',
  parse(words) {
    const { rest, post, error } = splitPost(words);
    if (error) return { ok: false, message: error };
    return { ok: true, command: { post, ...teamOf(rest) } };
  },
};

export const standupSyntax: OwnSyntax<StandupCommand> = {
  name: 'standup',
  order: 20,
  usage: 'standup [hours] [team] [post #channel] | standup history @person [words]',
  summary: 'who did what in the last hours (default 24); past standups of a person',
  placeholder: 'PRs opened, merged and reviewed, tickets moved and blockers, per person and team',
  parse(words) {
    if (words[0]?.toLowerCase() === 'history') {
      // Slack escapes a typed @mention as <@U123|name>.
      const user = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(words[1] ?? '')?.[1];
      if (!user) return { ok: false, message: 'usage: `/em standup history @person [words to look for]`' };
      const search = words.slice(2).join(' ').trim().slice(0, 200);
      return { ok: true, command: { hours: 24, history: { user, ...(search ? { search } : {}) } } };
    }
    const { rest, post, error } = splitPost(words);
    if (error) return { ok: false, message: error };
    const numbered = /^\d/.test(rest[0] ?? '');
    const parsed = hours.safeParse(numbered ? rest[0] : 24);
    return parsed.success
      ? { ok: true, command: { hours: parsed.data, post, ...teamOf(numbered ? rest.slice(1) : rest) } }
      : { ok: false, message: zodMessage(parsed) };
  },
};

export const sprintSyntax: OwnSyntax<SprintCommand> = {
  name: 'sprint',
  order: 30,
  usage: 'sprint [days] [team] [post #channel]',
  summary: 'sprint health: committed vs done, scope change, risks',
  placeholder: 'committed vs completed, scope change, carry-over risk and a burndown chart',
  parse(words) {
    const { rest, post, error } = splitPost(words);
    if (error) return { ok: false, message: error };
    if (!/^\d/.test(rest[0] ?? '')) return { ok: true, command: { post, ...teamOf(rest) } };
    const parsed = sprintDays.safeParse(rest[0]);
    return parsed.success
      ? { ok: true, command: { days: parsed.data, post, ...teamOf(rest.slice(1)) } }
      : { ok: false, message: zodMessage(parsed) };
  },
};

export const doraSyntax: OwnSyntax<DoraCommand> = {
  name: 'dora',
  order: 40,
  usage: 'dora [window] [team] [post #channel]',
  summary: 'DORA four keys over a window such as 30d or 12w (default 30d)',
  placeholder: 'deployment frequency, lead time, change failure rate and recovery time',
  parse(words) {
    const { rest, post, error } = splitPost(words);
    if (error) return { ok: false, message: error };
    // A window starts with a digit; anything else names a team: `/em dora 12w payments`, `/em dora payments`.
    const windowed = /^\d/.test(rest[0] ?? '');
    const days = parseWindow(windowed ? (rest[0] as string) : '30d');
    return typeof days === 'number'
      ? { ok: true, command: { days, post, ...teamOf(windowed ? rest.slice(1) : rest) } }
      : { ok: false, message: days };
  },
};
