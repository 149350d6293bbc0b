// The syntax of `/em signals`: a pure parser the capability registers with its subcommand.
import { splitPost, teamOf } from '../slack/args.js';
import type { OwnSyntax, PostTarget } from '../slack/em-command.js';

export type SignalsCommand = { post?: PostTarget; team?: string };

export const signalsSyntax: OwnSyntax<SignalsCommand> = {
  name: 'signals',
  order: 50,
  usage: 'signals [team] [post #channel]',
  summary: 'open risk signals from the rules',
  placeholder: 'open risk signals from the rules in rules/',
  parse(words) {
    const { rest, post, error } = splitPost(words);
    if (error) return { ok: false, message: error };
    return { ok: true, command: { post, ...teamOf(rest) } };
  },
};
