// A capability brings its own `/em` subcommand: its parser, help line and handler, registered with the
// capability; the router parses, suggests and lists it without knowing its syntax. Every subcommand is one;
// `/em token` and `/em dora` here.
import { parseTokenArgs, TOKEN_USAGE } from '../../src/api/token-command.js';
import { ownSubcommand } from '../../src/capabilities/capability.js';
import { doraSyntax } from '../../src/reports/args.js';
import { CommandRegistry } from '../../src/slack/commands.js';
import { parseEmCommand } from '../../src/slack/em-command.js';

const token = ownSubcommand({
  name: 'token',
  usage: TOKEN_USAGE,
  summary: 'personal tokens',
  parse: parseTokenArgs,
  handler: async () => ({ text: 'ok', blocks: [] }),
  tools: ['tokens.list'],
});

describe('subcommands with their own syntax', () => {
  const registry = new CommandRegistry().registerAll([token]).declare(doraSyntax);

  test('parsed by the capability: arguments, usage errors, and near-misses suggested', () => {
    const own = registry.syntaxes();
    expect(parseEmCommand('token   create grafana  propose', own)).toEqual({
      ok: true,
      command: { name: 'token', action: 'create', token: 'grafana', scope: 'propose' },
    });
    expect(parseEmCommand('token create "bad name"', own)).toMatchObject({
      ok: false,
      reason: 'invalid',
      command: 'token',
      message: expect.stringContaining('up to 40 letters'),
    });
    expect(parseEmCommand('tokn list', own)).toMatchObject({ ok: false, reason: 'unknown', suggestion: 'token' });
    // Without the capability the router does not know the word at all.
    expect(parseEmCommand('token list')).toMatchObject({ ok: false, reason: 'unknown' });
  });

  test('listed in help by their order, those without one after, `help` last; a name taken twice is refused at start', () => {
    expect(registry.help().map((c) => c.name)).toEqual(['dora', 'token', 'help']);
    expect(() => new CommandRegistry().registerAll([token, token])).toThrow('/em token is registered twice');
    const dora = new CommandRegistry().declare(doraSyntax);
    expect(() => dora.registerAll([{ ...token, syntax: { ...token.syntax, name: 'dora' } }])).toThrow(
      '/em dora is registered twice',
    );
    expect(() => new CommandRegistry().declare({ ...doraSyntax, name: 'help' })).toThrow(
      '/em help is registered twice',
    );
  });
});
