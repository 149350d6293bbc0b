// The syntax of `/em ask`: a pure parser the capability registers with its subcommand.
import { splitPost } from '../slack/args.js';
import type { OwnSyntax, PostTarget } from '../slack/em-command.js';

/** A question; `context` is the message it is about, when asked from a message's shortcut. */
export type AskCommand = { question: string; post?: PostTarget; context?: string };

export const askSyntax: OwnSyntax<AskCommand> = {
  name: 'ask',
  order: 80,
  usage: 'ask <question> | ask post #channel <question>',
  summary: 'answer from your docs, with citations',
  placeholder: 'answers from your Confluence and repository docs, with citations',
  parse(words) {
    const { rest, post, error } = words[0] === 'post' ? splitPost(words) : { rest: words };
    if (error) return { ok: false, message: error };
    const question = rest.join(' ').trim();
    if (question.length < 3)
      return { ok: false, message: 'ask needs a question, e.g. `/em ask how do we roll back a deploy?`' };
    return { ok: true, command: { question, post } };
  },
};
