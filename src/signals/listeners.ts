import { signalLine, signalsMessage } from '../../blocks/signals.js';
import { withTeamLine } from '../../blocks/teams/teams.js';
import { runTool } from '../capabilities/tool.js';
import { type CommandHandler, toolContextOf } from '../slack/commands.js';
import type { HomeSectionProvider } from '../slack/home.js';
import { answerTeamErrors } from '../teams/listeners.js';
import type { SignalsCommand } from './args.js';
import type { SignalEngine } from './engine.js';
import { listOpenSignals, type SignalRow } from './store.js';
import { signalsListTool } from './tools.js';

const toLine = (s: SignalRow) => ({
  severity: s.severity,
  rule: s.rule,
  title: s.title,
  url: s.url,
  openedAt: s.opened_at,
});

/** `/em signals [post #channel]`: evaluates every rule now, then lists the open signals by severity. */
export function signalsCommand(engine: SignalEngine): CommandHandler<SignalsCommand> {
  const tool = signalsListTool(engine);
  return answerTeamErrors(async (ctx, command) => {
    const { signals, problems, team } = await runTool(tool, toolContextOf(ctx), {
      evaluate: true,
      team: command.team,
    });
    return withTeamLine(signalsMessage(signals, problems), team, 'signals');
  });
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
