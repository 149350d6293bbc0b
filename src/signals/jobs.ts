import type { JobDefinition } from '../jobs/scheduler.js';
import type { SignalEngine } from './engine.js';

/** Every minute: the rules whose own schedule is due are evaluated (rule files are re-read each time). */
export function signalsJob(engine: SignalEngine, every = '1 minute'): JobDefinition {
  return {
    name: 'signals:evaluate',
    every,
    async run({ logger }) {
      const results = await engine.evaluate();
      const changed = results.filter((r) => r.opened || r.resolved || r.error);
      if (changed.length) logger.info({ rules: changed }, 'signals evaluated');
      if (engine.rules.problems.length) logger.warn({ problems: engine.rules.problems }, 'rule files have problems');
    },
  };
}
