import { type Capability, ownSubcommand } from '../capabilities/capability.js';
import type { CapabilityModule } from '../kernel.js';
import { signalsSyntax } from './args.js';
import type { SignalEngine } from './engine.js';
import { signalsJob } from './jobs.js';
import { signalsCommand, signalsHomeSection } from './listeners.js';
import { signalsToolViews } from './tool-views.js';
import { signalsEvaluateTool, signalsListTool } from './tools.js';

/** Rules in rules/ evaluated on a schedule into signals: `/em signals`, the Home section, the evaluation job. */
export function signalsCapability(engine: SignalEngine, options: { evaluateEvery: string }): Capability {
  return {
    name: 'signals',
    tools: [signalsListTool(engine), signalsEvaluateTool()],
    commands: [ownSubcommand({ ...signalsSyntax, handler: signalsCommand(engine), tools: ['signals.list'] })],
    home: [signalsHomeSection()],
    jobs: [signalsJob(engine, options.evaluateEvery)],
  };
}

export const signalsModule: CapabilityModule = {
  name: 'signals',
  start: (k) => ({
    ...signalsCapability(k.signals, { evaluateEvery: k.every(k.config.SIGNALS_TICK_MS) }),
    toolViews: signalsToolViews,
  }),
};
