import { z } from 'zod';
import { defineTool, link, timestamp } from '../capabilities/tool.js';
import { scopeFor, teamArgument, teamOutput, teamRef } from '../teams/scope.js';
import { targetInScope } from '../teams/store.js';
import type { SignalEngine } from './engine.js';
import { listOpenSignals } from './store.js';

export const signalsListOutput = z.object({
  signals: z.array(
    z.object({
      id: z.number(),
      rule: z.string(),
      severity: z.enum(['critical', 'warning', 'info']),
      title: z.string(),
      url: link,
      openedAt: timestamp,
    }),
  ),
  /** Rules that are invalid or could not be evaluated, in plain words. */
  problems: z.array(z.string()),
  /** The team the list is filtered to (its repositories, projects and people); null or absent = the org. */
  team: teamOutput.optional(),
});

export function signalsListTool(engine: SignalEngine) {
  return defineTool({
    name: 'signals.list',
    description:
      'Open risk signals (failing main, stale pull requests, blocked tickets, …) from the rules in rules/, most ' +
      'severe first; for a team, those about its repositories, projects and people. With `evaluate` the rules run ' +
      'first, so the list is current.',
    kind: 'read',
    input: z.object({ evaluate: z.boolean().default(false), team: teamArgument }),
    output: signalsListOutput,
    run: async (ctx, input) => {
      const scope = await scopeFor(ctx.db, ctx.person.slackId, input.team);
      const failed: string[] = [];
      if (input.evaluate) {
        await ctx.progress?.('Evaluating the rules…');
        const results = await engine.evaluate({ all: true });
        for (const r of results) if (r.error) failed.push(`rule ${r.rule} could not be evaluated: ${r.error}`);
      }
      const open = await listOpenSignals(ctx.db);
      const signals = (scope ? open.filter((s) => targetInScope(scope, s.target)) : open).map((s) => ({
        id: s.id,
        rule: s.rule,
        severity: s.severity,
        title: s.title,
        url: s.url,
        openedAt: s.opened_at,
      }));
      return { signals, problems: [...engine.rules.problems, ...failed], team: teamRef(scope) };
    },
  });
}
