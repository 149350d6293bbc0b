// A capability brings its own `/em` subcommand: its parser, help line and handler, registered with the
// capability; the router parses, suggests and lists it without knowing its syntax. `/em token` is one.
import { parseTokenArgs, TOKEN_USAGE } from '../../src/api/token-command.js';
import { ownSubcommand } from '../../src/capabilities/capability.js';
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
  const registry = new CommandRegistry().registerAll([token]);

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

  test('listed in help before `help`; a name taken twice, or a built-in name, is refused at start', () => {
    const names = registry.help().map((c) => c.name);
    expect(names.at(-1)).toBe('help');
    expect(names.at(-2)).toBe('token');
    expect(names).toContain('dora');
    expect(() => new CommandRegistry().registerAll([token, token])).toThrow('/em token is registered twice');
    expect(() => new CommandRegistry().registerAll([{ ...token, syntax: { ...token.syntax!, name: 'dora' } }])).toThrow(
      '/em dora is registered twice',
    );
  });
});
