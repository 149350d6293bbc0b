// The capability contract on the demo org (the offline demo's data, synced through the real connectors from the
// GitHub and Jira stand-ins): every /em subcommand runs a tool, and every tool's output fits its schema.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import type { DemoSession } from '../../dev/demo/offline.js';
import { runTool, type ToolContext } from '../../src/capabilities/tool.js';
import { createLogger } from '../../src/observability/logger.js';
import type { signalsEvaluateOutput } from '../../src/signals/tools.js';
import { agentToolCatalogue } from '../support/agent-tools.js';
import { startTestDemo, type TestDemo } from '../support/demo.js';

let demo: DemoSession;
let started: TestDemo | undefined;

beforeAll(async () => {
  started = await startTestDemo('tools');
  ({ demo } = started);
}, 150_000);

afterAll(async () => {
  await started?.stop();
});

/** Inputs for the tools that need one; the others run on their defaults (`{}`). */
const INPUTS: Record<string, unknown> = {
  'policy.explain': { action: 'nudge_reviewer' },
  'ask.search': { query: 'roll back a release' },
  'ask.answer': { question: 'how do we roll back a release?' },
  'incidents.timeline': { number: 1 },
  'signals.evaluate': { yaml: '- { name: draft_large, kind: large_pr, max_lines: 100 }' },
};

describe('the capability contract', () => {
  test("the agent bench's catalogue is the running agent's own tool set", () => {
    const offered = agentToolCatalogue()
      .filter((t) => t.kind !== 'decide')
      .map((t) => t.name)
      .sort();
    expect(offered).toEqual(demo.app.agent.tools.map((t) => t.name).sort());
  });

  test('every /em subcommand (but help) runs tools, and each of them is a registered tool', () => {
    const names = demo.app.tools.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    const byCommand = demo.app.commands.tools();
    for (const { name } of demo.app.commands.help()) {
      if (name === 'help') continue;
      const tools = byCommand.get(name) ?? [];
      expect({ command: name, runsTools: tools.length > 0 }).toEqual({ command: name, runsTools: true });
      for (const tool of tools) expect(names).toContain(tool);
    }
  });

  test('/em help lists the subcommands in the order it always has, whichever capability brings each', () => {
    const names = demo.app.commands.help().map((c) => c.name);
    // Taking a capability out takes its subcommands out of this list; the others keep their places.
    const order = ['triage', 'standup', 'sprint', 'dora', 'signals', 'team', 'approvals', 'ask', 'incident'];
    order.push('sources', 'policy', 'audit', 'token', 'onboard', 'onboarding', 'okr', 'help');
    const always = order.filter((name) => names.includes(name));
    expect(names).toEqual(always);
  });

  test('every read tool, run as maya on the demo org, returns output its schema accepts and JSON can carry', async () => {
    const ctx: ToolContext = {
      person: { slackId: demo.users.maya as string },
      db: demo.app.db,
      logger: createLogger('silent'),
      slack: demo.app.slack?.app.client,
    };
    const outputs: Record<string, unknown> = {};
    for (const tool of demo.app.tools) {
      if (tool.kind !== 'read') continue;
      const output = await runTool(tool, ctx, INPUTS[tool.name] ?? {});
      const checked = tool.output.safeParse(output);
      expect({ tool: tool.name, issues: checked.error?.issues ?? [] }).toEqual({ tool: tool.name, issues: [] });
      expect(() => JSON.stringify(output)).not.toThrow();
      outputs[tool.name] = output;
    }
    // The demo org has data behind each report: the schemas are checked on real values, not on empty lists.
    const dora = outputs['dora.report'] as { org: { current: { deployments: number } } };
    expect(dora.org.current.deployments).toBeGreaterThan(0);
    expect((outputs['sources.status'] as { scopes: unknown[] }).scopes.length).toBeGreaterThanOrEqual(4);
    expect((outputs['signals.list'] as { signals: unknown[] }).signals.length).toBeGreaterThan(0);
    expect((outputs['triage.list'] as unknown[]).length).toBeGreaterThan(0);
    expect((outputs['standup.report'] as { people: unknown[] }).people.length).toBeGreaterThan(0);
    expect((outputs['ask.search'] as { hits: unknown[] }).hits.length).toBeGreaterThan(0);
    // The answer as data: cited from the demo's runbook, not "not found".
    const answer = outputs['ask.answer'] as { mode: string; citations: { title: string }[] };
    expect(answer.mode).toBe('extractive');
    expect(answer.citations.length).toBeGreaterThan(0);
    expect(outputs['policy.explain']).toMatchObject({ action: 'nudge_reviewer' });
  }, 120_000);

  test('a proposal through the tools waits for the approver policy names; the requester cannot decide it, the approver can, and the audit log says which door', async () => {
    const byName = new Map(demo.app.tools.map((t) => [t.name, t]));
    const propose = byName.get('approvals.propose');
    const decide = byName.get('approvals.decide');
    const audit = byName.get('approvals.audit');
    expect([propose?.kind, decide?.kind]).toEqual(['propose', 'decide']);
    if (!propose || !decide || !audit) return;
    const as = (user: string): ToolContext => ({
      person: { slackId: demo.users[user] as string },
      db: demo.app.db,
      logger: createLogger('silent'),
      slack: demo.app.slack?.app.client,
      via: 'api',
    });
    const { rows } = await demo.app.db.query<{ repo: string; number: number }>(
      'SELECT repo, number FROM pull_requests ORDER BY repo, number LIMIT 1',
    );
    const pr = rows[0] as { repo: string; number: number };
    const input = {
      action: 'github.comment',
      params: { repo: pr.repo, number: pr.number, body: 'Could this be split in two?' },
      summary: `Comment on ${pr.repo}#${pr.number}`,
      repo: pr.repo,
    };

    const invalid = await runTool(propose, as('sam'), { ...input, params: { repo: pr.repo, body: 'x' } });
    expect(invalid).toMatchObject({ outcome: 'invalid', approvalId: null });
    expect(invalid.message).toContain('number');

    // Policy looks at the repository the action acts on; another one named beside it is refused.
    const elsewhere = await runTool(propose, as('sam'), { ...input, repo: 'acme/sandbox' });
    expect(elsewhere).toMatchObject({ outcome: 'invalid', approvalId: null });
    expect(elsewhere.message).toContain(pr.repo);

    const proposed = await runTool(propose, as('sam'), input);
    expect(proposed).toMatchObject({ outcome: 'proposed', approvers: ['@eng-leads'] });
    expect(propose.output.safeParse(proposed).error?.issues ?? []).toEqual([]);
    expect(await runTool(propose, as('sam'), input)).toMatchObject({ outcome: 'duplicate' });
    const id = proposed.approvalId as number;
    // Without a top-level repo the proposal is still matched and stored under the repository it acts on.
    const { repo: _named, ...unnamed } = input;
    const implicit = await runTool(propose, as('sam'), { ...unnamed, summary: `${input.summary} (again)` });
    expect(implicit).toMatchObject({ outcome: 'proposed' });
    const { rows: stored } = await demo.app.db.query<{ repo: string | null }>(
      'SELECT repo FROM approvals WHERE id = $1',
      [implicit.approvalId],
    );
    expect(stored).toEqual([{ repo: pr.repo }]);

    const bySam = await runTool(decide, as('sam'), { id, vote: 'approve' });
    expect(bySam).toMatchObject({ outcome: 'refused', status: null });
    expect(bySam.message).toContain('@eng-leads');

    const byMaya = await runTool(decide, as('maya'), { id, vote: 'approve' });
    expect(byMaya).toMatchObject({ outcome: 'approved', approvalId: id });
    expect(['executed', 'approved']).toContain(byMaya.status);
    expect(decide.output.safeParse(byMaya).error?.issues ?? []).toEqual([]);
    expect(await runTool(decide, as('maya'), { id, vote: 'reject' })).toMatchObject({ outcome: 'already_decided' });
    expect(await runTool(decide, as('maya'), { id: 999_999, vote: 'approve' })).toMatchObject({
      outcome: 'not_found',
    });

    const { rows: trail } = await demo.app.db.query<{ actor: string; event: string; via: string | null }>(
      "SELECT actor, event, detail->>'via' AS via FROM audit_log WHERE approval_id = $1 ORDER BY id",
      [id],
    );
    expect(trail.filter((r) => r.event !== 'executed' && r.event !== 'execution_failed')).toEqual([
      { actor: demo.users.sam, event: 'proposed', via: 'api' },
      { actor: demo.users.sam, event: 'refused', via: 'api' },
      { actor: demo.users.maya, event: 'approved', via: 'api' },
    ]);
  }, 60_000);

  test('signals.evaluate tries a draft rule on the data without storing a signal, and points at the line of a mistake', async () => {
    const evaluate = demo.app.tools.find((t) => t.name === 'signals.evaluate');
    if (!evaluate) throw new Error('signals.evaluate is not registered');
    const ctx: ToolContext = {
      person: { slackId: demo.users.maya as string },
      db: demo.app.db,
      logger: createLogger('silent'),
    };
    const count = async () =>
      Number((await demo.app.db.query<{ n: string }>('SELECT count(*) AS n FROM signals')).rows[0]?.n);
    // The rules as the signals job runs them, now; then the repository's own rule files, tried as drafts.
    await demo.app.signals.evaluate({ all: true });
    const { rows: open } = await demo.app.db.query<{ rule: string; subject: string }>(
      "SELECT rule, subject FROM signals WHERE status = 'open' AND rule IN ('stale_pr', 'large_pr', 'review_bottleneck', 'aging_blocked') ORDER BY rule, subject",
    );
    const rules = [...new Set(open.map((r) => r.rule))];
    expect(rules.length).toBeGreaterThan(0);
    const before = await count();
    for (const rule of rules) {
      const text = readFileSync(path.resolve(`rules/${rule}.yml`), 'utf8');
      const checked = evaluate.output.safeParse(await runTool(evaluate, ctx, { yaml: text }));
      if (!checked.success) throw checked.error;
      const tried = checked.data as z.output<typeof signalsEvaluateOutput>;
      if (!tried.valid) throw new Error(tried.problems.join('; '));
      expect({ rule, found: tried.rules[0]?.findings.map((f) => f.subject).sort() }).toEqual({
        rule,
        found: open.filter((r) => r.rule === rule).map((r) => r.subject),
      });
    }
    expect(await count()).toBe(before);

    const broken: z.output<typeof signalsEvaluateOutput> = await runTool(evaluate, ctx, {
      yaml: '- name: x\n  kind: stale_pr\n  older_than_hours: soon\n',
    });
    expect(broken.valid).toBe(false);
    expect(broken.valid ? [] : broken.problems).toEqual([expect.stringMatching(/^rules\.yml:3: /)]);
  });
});
