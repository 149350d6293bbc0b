// The syntax of `/em sources`: a pure parser the capability registers with its subcommand.
import type { OwnSyntax } from '../slack/em-command.js';

export type SourcesCommand = Record<string, never>;

export const sourcesSyntax: OwnSyntax<SourcesCommand> = {
  name: 'sources',
  order: 100,
  usage: 'sources',
  summary: 'sync status of GitHub, Jira, Linear, Confluence',
  placeholder: 'the sync status of GitHub, Jira, Linear and Confluence',
  parse: (words) => (words.length ? { ok: false, message: '`sources` takes no arguments' } : { ok: true, command: {} }),
};
