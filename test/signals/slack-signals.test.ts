import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '../../src/observability/logger.js';
import { signalsSyntax } from '../../src/signals/args.js';
import { SignalEngine } from '../../src/signals/engine.js';
import { signalsCommand } from '../../src/signals/listeners.js';
import { RuleBook } from '../../src/signals/rulebook.js';
import { ciRun, pr } from '../support/fixtures.js';
import { type BotHarness, startBotHarness, visibleText } from '../support/slack/harness.js';

describe('/em signals (emulated Slack)', () => {
  let h: BotHarness;
  const dir = mkdtempSync(path.join(tmpdir(), 'em-signal-rules-'));
  beforeAll(async () => {
    writeFileSync(
      path.join(dir, 'rules.yml'),
      [
        '- { name: stale, kind: stale_pr, older_than_hours: 1, severity: warning }',
        '- { name: red, kind: failing_main, red_minutes: 1, severity: critical }',
      ].join('\n'),
    );
    writeFileSync(path.join(dir, 'broken.yml'), '- { name: nope, kind: stale_pr, older_than_hours: -1 }\n');
    let engine: SignalEngine | undefined;
    h = await startBotHarness({
      register: (commands) =>
        commands.registerOwn(signalsSyntax, async (ctx, command) => {
          engine ??= new SignalEngine({ db: ctx.db, logger: createLogger('silent'), rules: new RuleBook(dir) });
          return signalsCommand(engine)(ctx, command);
        }),
    });
    await pr(h.db, { number: 1, ageHours: 1e4, title: 'Ping <!channel> please' });
    await ciRun(h.db, 'acme/api', 1, 'failure', 1e4);
  });
  afterAll(async () => {
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('lists open signals by severity with links, escapes titles, and says which rule file is broken', async () => {
    const reply = await h.emulator.command({ user: h.users.alice, channel: h.channels.eng, text: 'signals' });
    expect(reply.acked).toBe(true);
    const shown = await h.emulator.waitFor(() =>
      h.emulator.ephemeralsFor(h.users.alice).find((e) => visibleText(e).includes('open)')),
    );
    const text = visibleText(shown);
    expect(text.indexOf('Critical')).toBeLessThan(text.indexOf('Warning'));
    expect(text).toContain('acme/api default branch is red');
    expect(text).toContain('&lt;!channel&gt;'); // data from a PR title never pings anyone
    expect(text).toContain('<https://github.com/acme/api/pull/1|');
    expect(text).toContain('broken.yml:1: 0.older_than_hours');
  });

  test('`signals post #eng` posts the list to the channel', async () => {
    await h.emulator.command({ user: h.users.alice, channel: h.channels.eng, text: 'signals post #eng' });
    const posted = await h.emulator.waitFor(() =>
      h.emulator.messagesIn(h.channels.eng).find((m) => visibleText(m).includes('Signals')),
    );
    expect(visibleText(posted)).toContain('(2 open)');
  });
});
