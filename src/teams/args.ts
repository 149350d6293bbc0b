// The syntax of `/em team`: a pure parser the capability registers with its subcommand.
import { teamOf } from '../slack/args.js';
import type { OwnSyntax } from '../slack/em-command.js';

export type TeamCommand = { action: 'list' | 'show'; team?: string };

export const teamSyntax: OwnSyntax<TeamCommand> = {
  name: 'team',
  order: 60,
  usage: 'team list | team show <team>',
  summary: 'teams: members, managers, repositories, boards (a [team] narrows each report)',
  placeholder: 'the teams, their members, managers, repositories and boards',
  parse(words) {
    const [action = '', ...rest] = words;
    if (action.toLowerCase() === 'list' && !rest.length) return { ok: true, command: { action: 'list' } };
    if (action.toLowerCase() === 'show' && rest.length)
      return { ok: true, command: { action: 'show', ...teamOf(rest) } };
    return { ok: false, message: 'usage: `/em team list` or `/em team show <team>`, e.g. `/em team show payments`' };
  },
};
