import { signalLine, signalsMessage } from '../../blocks/signals.js';
import type { CommandHandler } from '../slack/commands.js';
import type { HomeSectionProvider } from '../slack/home.js';
import type { SignalEngine } from './engine.js';
import { listOpenSignals, type SignalRow } from './store.js';

const toLine = (s: SignalRow) => ({
  severity: s.severity,
  rule: s.rule,
  title: s.title,
  url: s.url,
  openedAt: s.opened_at,
});

/** `/em signals [post #channel]`: evaluates every rule now, then lists the open signals by severity. */
export function signalsCommand(engine: SignalEngine): CommandHandler<'signals'> {
  return async (ctx) => {
    await ctx.progress('Evaluating the rules…');
    const results = await engine.evaluate({ all: true });
    const failed = results.filter((r) => r.error).map((r) => `rule ${r.rule} could not be evaluated: ${r.error}`);
    return signalsMessage((await listOpenSignals(ctx.db)).map(toLine), [...engine.rules.problems, ...failed]);
  };
}

export function signalsHomeSection(): HomeSectionProvider {
  return {
    id: 'signals',
    title: 'Signals',
    async load({ db }) {
      const open = await listOpenSignals(db, 8);
      return { lines: open.map((s) => signalLine(toLine(s))), empty: 'No open signals. All clear.' };
    },
  };
}
