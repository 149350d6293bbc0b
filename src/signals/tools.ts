import { z } from 'zod';
import { defineTool, link, timestamp } from '../capabilities/tool.js';
import { YamlFileError } from '../yaml-file.js';
import type { SignalEngine } from './engine.js';
import { evaluatorFor } from './kinds/index.js';
import { parseRulesFile } from './rulebook.js';
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
});

export function signalsListTool(engine: SignalEngine) {
  return defineTool({
    name: 'signals.list',
    description:
      'Open risk signals (failing main, stale pull requests, blocked tickets, …) from the rules in rules/, most ' +
      'severe first. With `evaluate` the rules run first, so the list is current.',
    kind: 'read',
    input: z.object({ evaluate: z.boolean().default(false) }),
    output: signalsListOutput,
    run: async (ctx, input) => {
      const failed: string[] = [];
      if (input.evaluate) {
        await ctx.progress?.('Evaluating the rules…');
        const results = await engine.evaluate({ all: true });
        for (const r of results) if (r.error) failed.push(`rule ${r.rule} could not be evaluated: ${r.error}`);
      }
      const signals = (await listOpenSignals(ctx.db)).map((s) => ({
        id: s.id,
        rule: s.rule,
        severity: s.severity,
        title: s.title,
        url: s.url,
        openedAt: s.opened_at,
      }));
      return { signals, problems: [...engine.rules.problems, ...failed] };
    },
  });
}

export const signalsEvaluateOutput = z.discriminatedUnion('valid', [
  z.object({ valid: z.literal(false), problems: z.array(z.string()) }),
  z.object({
    valid: z.literal(true),
    rules: z.array(
      z.object({
        rule: z.string(),
        severity: z.enum(['critical', 'warning', 'info']),
        findings: z.array(z.object({ subject: z.string(), title: z.string(), url: link })),
        error: z.string().nullable(),
      }),
    ),
  }),
]);

/** At most this many findings per rule are returned; the count is what matters for a draft rule. */
const MAX_FINDINGS = 50;

export function signalsEvaluateTool() {
  return defineTool({
    name: 'signals.evaluate',
    description:
      'Tries rules written in YAML (the rules/ format: a list of rules, or calendar + rules) against the synced ' +
      'data and returns what each would find, without storing signals or taking actions. For drafting a rule.',
    kind: 'read',
    input: z.object({ yaml: z.string().min(1).max(20_000) }),
    output: signalsEvaluateOutput,
    run: async (ctx, input) => {
      let loaded: ReturnType<typeof parseRulesFile>;
      try {
        loaded = parseRulesFile(input.yaml, 'rules.yml');
      } catch (err) {
        if (err instanceof YamlFileError) return { valid: false as const, problems: err.problems };
        throw err;
      }
      const now = new Date();
      const rules = [];
      for (const { rule, calendar } of loaded) {
        try {
          const findings = await evaluatorFor(rule.kind)(rule, { db: ctx.db, now, calendar });
          rules.push({
            rule: rule.name,
            severity: rule.severity,
            findings: findings
              .slice(0, MAX_FINDINGS)
              .map((f) => ({ subject: f.subject, title: f.title, url: f.url ?? null })),
            error: null,
          });
        } catch (err) {
          rules.push({
            rule: rule.name,
            severity: rule.severity,
            findings: [],
            error: (err as Error).message.slice(0, 300),
          });
        }
      }
      return { valid: true as const, rules };
    },
  });
}
