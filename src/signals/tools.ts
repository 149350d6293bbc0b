import { z } from 'zod';
import { defineTool, link, timestamp } from '../capabilities/tool.js';
import { scopeFor, teamArgument, teamOutput, teamRef } from '../teams/scope.js';
import { targetInScope } from '../teams/store.js';
import { YamlFileError } from '../yaml-file.js';
import type { SignalEngine } from './engine.js';
import { evaluatorFor } from './kinds/index.js';
import { parseRulesFile } from './rulebook.js';
import { ruleInTeamScope } from './scope.js';
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
/** At most this many rules are tried in one call. */
export const MAX_DRAFT_RULES = 10;

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
      // Each rule reads the whole org: hundreds in one draft (20,000 characters hold about 400) from any member's
      // read token would keep the database busy for minutes.
      if (loaded.length > MAX_DRAFT_RULES)
        return {
          valid: false as const,
          problems: [`rules.yml: ${loaded.length} rules; try at most ${MAX_DRAFT_RULES} at a time`],
        };
      const now = new Date();
      const rules = [];
      for (const { rule, calendar } of loaded) {
        try {
          const findings = await evaluatorFor(rule.kind)(await ruleInTeamScope(ctx.db, rule), {
            db: ctx.db,
            now,
            calendar,
          });
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
