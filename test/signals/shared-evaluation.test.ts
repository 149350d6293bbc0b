import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PolicyBook } from '../../src/approvals/policies.js';
import { ApprovalService } from '../../src/approvals/service.js';
import { StoppingError } from '../../src/lib/stopping.js';
import { createLogger } from '../../src/observability/logger.js';
import { SignalEngine } from '../../src/signals/engine.js';
import { RuleBook } from '../../src/signals/rulebook.js';
import { listOpenSignals } from '../../src/signals/store.js';
import { describeEachEngine } from '../support/engines.js';
import { pr } from '../support/fixtures.js';

describeEachEngine('full rule evaluations asked for at once (several /em triage)', ({ freshDb }) => {
  test('requests made together share one evaluation; a request made during it gets a later one, with newer data', async () => {
    const db = await freshDb();
    const dir = mkdtempSync(path.join(tmpdir(), 'em-shared-eval-'));
    try {
      writeFileSync(path.join(dir, 'r.yml'), '- { name: stale, kind: stale_pr, older_than_hours: 24 }\n');
      const engine = new SignalEngine({ db, logger: createLogger('silent'), rules: new RuleBook(dir) });
      await pr(db, { number: 1, ageHours: 48 });
      const together = Array.from({ length: 5 }, () => engine.evaluate({ all: true }));
      // Meanwhile a second stale PR is synced, and two more people ask.
      await pr(db, { number: 2, ageHours: 48 });
      const later = [engine.evaluate({ all: true }), engine.evaluate({ all: true })];

      const first = await together[0];
      for (const request of together) expect(await request).toBe(first);
      const [a, b] = await Promise.all(later);
      expect(b).toBe(a);
      expect(a).not.toBe(first);
      expect(a?.find((r) => r.rule === 'stale')?.error).toBeUndefined();
      // The later evaluation is as new as its request: both PRs have a signal.
      const open = await listOpenSignals(db);
      expect(open.map((s) => s.subject).sort()).toEqual(['pr:acme/api#1', 'pr:acme/api#2']);
      // Once everything has settled, a new request runs a new evaluation.
      expect(await engine.evaluate({ all: true })).not.toBe(a);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeEachEngine('a rule evaluation when the process stops', ({ freshDb }) => {
  test('ends before the next rule with the stop reason; nothing is recorded as failed, and the next one runs them', async () => {
    const db = await freshDb();
    const dir = mkdtempSync(path.join(tmpdir(), 'em-stop-eval-'));
    try {
      writeFileSync(
        path.join(dir, 'r.yml'),
        '- { name: stale, kind: stale_pr, older_than_hours: 24 }\n- { name: staler, kind: stale_pr, older_than_hours: 36 }\n',
      );
      await pr(db, { number: 1, ageHours: 48 });
      const stopping = new AbortController();
      const rules = new RuleBook(dir);
      const stopped = new SignalEngine({ db, logger: createLogger('silent'), rules, stopping: stopping.signal });
      stopping.abort(new StoppingError());
      await expect(stopped.evaluate({ all: true })).rejects.toBeInstanceOf(StoppingError);
      const runs = await db.query('SELECT * FROM rule_runs');
      expect(runs.rows).toEqual([]);
      const after = await new SignalEngine({ db, logger: createLogger('silent'), rules }).evaluate({ all: true });
      expect(after.map((r) => [r.rule, r.opened, r.error])).toEqual([
        ['stale', 1, undefined],
        ['staler', 1, undefined],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('stopped while acting on the signals a rule opened, it acts on the rest at the next ticks, each once', async () => {
    const db = await freshDb();
    const dir = mkdtempSync(path.join(tmpdir(), 'em-stop-acting-'));
    try {
      mkdirSync(path.join(dir, 'rules'));
      mkdirSync(path.join(dir, 'policies'));
      writeFileSync(path.join(dir, 'rules', 'r.yml'), '- { name: stale, kind: stale_pr, older_than_hours: 24 }\n');
      writeFileSync(
        path.join(dir, 'policies', 'p.yml'),
        'policies:\n  - { action: slack.dm, mode: approve, approvers: [U0LEAD] }\n',
      );
      for (let n = 1; n <= 250; n += 1) await pr(db, { number: n, ageHours: 48 });
      const logger = createLogger('silent');
      const approvals = new ApprovalService({
        db,
        logger,
        clients: {},
        policies: new PolicyBook(path.join(dir, 'policies')),
      });
      const rules = new RuleBook(path.join(dir, 'rules'));
      // The process begins to stop after the rule has acted on 120 of its 250 new signals (the engine looks at the
      // signal before each one).
      let looks = 0;
      const stopping = new AbortController();
      const signal = stopping.signal;
      Object.defineProperty(signal, 'aborted', { get: () => ++looks > 120 });
      const stopped = new SignalEngine({ db, logger, rules, approvals, stopping: signal });
      await stopped.evaluate({ all: true });
      const count = async () =>
        (
          await db.query<{ proposed: number; pending: number }>(
            'SELECT (SELECT count(*)::int FROM approvals) AS proposed, (SELECT count(*)::int FROM signals WHERE action_pending) AS pending',
          )
        ).rows[0];
      expect(await count()).toEqual({ proposed: 120, pending: 130 });
      // Later ticks take up to 100 pending signals each.
      const next = new SignalEngine({ db, logger, rules, approvals });
      for (let tick = 0; tick < 3 && (await count())?.pending; tick += 1) await next.evaluate({ all: true });
      expect(await count()).toEqual({ proposed: 250, pending: 0 });
      const once = await db.query('SELECT signal_id FROM approvals GROUP BY signal_id HAVING count(*) > 1');
      expect(once.rows).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
