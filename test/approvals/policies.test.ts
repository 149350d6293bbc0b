import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PolicyBook } from '../../src/approvals/policies.js';
import { ApprovalService } from '../../src/approvals/service.js';
import { createLogger } from '../../src/observability/logger.js';
import { RuleBook } from '../../src/signals/rulebook.js';
import { describeEachEngine } from '../support/engines.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'em-yaml-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const POLICIES = `policies:
  - { name: nudges, action: slack.dm, mode: auto }
  - { name: comments, action: github.*, mode: approve, approvers: ["@eng-leads"] }
  - { name: hot-repo, action: github.comment, repo: "acme/payments*", mode: approve, approvers: [U0CFO, U0CTO], min_approvals: 2 }
  - { name: quiet-rule, action: github.comment, rule: no_ticket_link, mode: deny }
  - { name: no-labels-on-critical, action: github.label, severity: [critical], mode: deny }
`;

describe('policies decide per action, rule, severity and repo; the most specific wins', () => {
  const book = new PolicyBook(dirWith({ 'p.yml': POLICIES })).reload();

  test.each([
    [{ action: 'slack.dm' }, 'auto', 'p.yml:nudges'],
    [{ action: 'github.comment' }, 'approve', 'p.yml:comments'],
    [{ action: 'github.comment', repo: 'acme/payments-api' }, 'approve', 'p.yml:hot-repo'],
    [{ action: 'github.comment', rule: 'no_ticket_link', repo: 'acme/payments-api' }, 'deny', 'p.yml:quiet-rule'],
    [{ action: 'github.label', severity: 'warning' as const }, 'approve', 'p.yml:comments'],
    [{ action: 'github.label', severity: 'critical' as const }, 'deny', 'p.yml:no-labels-on-critical'],
    [{ action: 'jira.create' }, 'deny', 'default'],
    [{ action: 'rm -rf /' }, 'deny', 'default'],
  ])('%j → %s (%s)', (input, mode, policy) => {
    const decision = book.decide(input);
    expect([decision.mode, decision.policy]).toEqual([mode, policy]);
  });

  test('the explanation says why, including for unknown actions', () => {
    expect(book.decide({ action: 'github.comment', repo: 'acme/payments-api' })).toMatchObject({
      minApprovals: 2,
      approvers: ['U0CFO', 'U0CTO'],
      reason:
        'policy p.yml:hot-repo (action github.comment, repo acme/payments*) needs 2 approval(s) from U0CFO, U0CTO',
    });
    expect(book.decide({ action: 'jira.create' }).reason).toBe(
      'no policy names `jira.create`, and unknown actions are denied',
    );
    // A family wildcard never lets through an action em-agent does not know.
    expect(book.decide({ action: 'github.delete_repo' }).reason).toMatch(
      /^`github.delete_repo` is not an action em-agent knows \(slack.dm, .*\), so it is denied$/,
    );
  });
});

describe('malformed rule and policy files', () => {
  test('policy problems name file, line and field; the last valid version stays in use', () => {
    const dir = dirWith({ 'p.yml': POLICIES });
    const book = new PolicyBook(dir).reload();
    expect(book.problems).toEqual([]);
    writeFileSync(
      path.join(dir, 'p.yml'),
      'policies:\n  - { action: slack.dm, mode: auto }\n  - action: github.comment\n    mode: approve\n    approvers: [alice]\n',
    );
    book.reload();
    expect(book.problems[0]).toBe(
      `${path.join(dir, 'p.yml')}:5: policies.1.approvers.0: must be a Slack user id (U0123ABCD), a user-group handle (@eng-leads) or a user-group id (S0123ABCD) (its last valid version stays in use)`,
    );
    expect(book.decide({ action: 'github.comment', repo: 'acme/payments-x' }).policy).toBe('p.yml:hot-repo');
    writeFileSync(path.join(dir, 'broken.yml'), 'policies: [ { action: slack.dm, mode: auto }');
    book.reload();
    expect(
      book.problems.some((p) => p.startsWith(`${path.join(dir, 'broken.yml')}:1:`) && p.endsWith('(skipped)')),
    ).toBe(true);
  });

  test('rule problems name file, line and field; a duplicate name is reported; valid rules keep running', () => {
    const dir = dirWith({
      'a.yml': '- { name: stale48h, kind: stale_pr, older_than_hours: 48 }\n',
      'b.yml': '- { name: stale48h, kind: large_pr }\n- name: typo\n  kind: stale_pr\n  older_than_hour: 4\n',
      'c.yml': '- { name: odd, kind: coffee_break }\n',
    });
    const book = new RuleBook(dir).reload();
    expect(book.rules.map((r) => r.rule.name)).toEqual(['stale48h']);
    const b = path.join(dir, 'b.yml');
    const c = path.join(dir, 'c.yml');
    expect(book.problems).toEqual([
      expect.stringMatching(new RegExp(`^${b.replaceAll('.', '\\.')}:2: 1: .*older_than_hour.* \\(skipped\\)$`)),
      expect.stringMatching(new RegExp(`^${c.replaceAll('.', '\\.')}:1: 0\\.kind: .* \\(skipped\\)$`)),
    ]);
    writeFileSync(b, '- { name: stale48h, kind: large_pr }\n');
    book.reload();
    expect(book.problems).toHaveLength(2);
    expect(book.problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('rule "stale48h" is already defined'),
        expect.stringContaining('c.yml:1: 0.kind'),
      ]),
    );
  });
});

describeEachEngine('proposing actions through policy', ({ freshDb }) => {
  test('a ttl longer than 365 days is a problem naming file and line, not a policy under which every proposal fails', async () => {
    const dir = dirWith({
      'a.yml': 'policies:\n  - { name: year, action: slack.post, mode: approve, approvers: [U0LEAD], ttl: 365 days }\n',
      'b.yml':
        'policies:\n  - { name: forever, action: slack.dm, mode: approve, approvers: [U0LEAD], ttl: 99999999 days }\n',
    });
    const service = new ApprovalService({
      db: await freshDb(),
      logger: createLogger('silent'),
      clients: {},
      policies: new PolicyBook(dir),
    });
    const dm = {
      action: 'slack.dm',
      params: { to: { slack: 'U0BOB' }, text: 'hello' },
      summary: 'DM bob',
      requestedBy: 'U0ALICE',
      idempotencyKey: 'ttl-dm',
    };
    await expect(service.propose(dm)).resolves.toMatchObject({
      decision: { policy: expect.not.stringContaining('forever') },
    });
    expect(service.policies.reload().problems).toEqual([
      `${path.join(dir, 'b.yml')}:2: policies.0.ttl: must be at most 365 days (skipped)`,
    ]);
    const post = await service.propose({
      ...dm,
      action: 'slack.post',
      params: { channel: 'C0OPS', text: 'hi' },
      idempotencyKey: 'ttl-post',
    });
    if (post.outcome !== 'proposed') throw new Error(post.outcome);
    const days = ((post.approval.expires_at?.getTime() ?? 0) - Date.now()) / 86_400_000;
    expect(Math.round(days)).toBe(365);
  });

  test('deny and dry run are audited and nothing runs; an auto DM to someone with no Slack account fails with the reason', async () => {
    const db = await freshDb();
    const logger = createLogger('silent');
    const dry = new ApprovalService({
      db,
      logger,
      clients: {},
      policies: new PolicyBook(
        dirWith({ 'p.yml': 'dry_run: true\npolicies:\n  - { action: slack.dm, mode: auto }\n' }),
      ),
    });
    const request = {
      action: 'slack.dm',
      params: { to: { source: 'github', id: 'ghost' }, text: 'hello' },
      summary: 'DM ghost',
      requestedBy: 'rule:test',
      idempotencyKey: 'k1',
    };
    expect((await dry.propose(request)).outcome).toBe('dry_run');
    expect((await dry.propose({ ...request, action: 'github.delete_repo', idempotencyKey: 'k2' })).outcome).toBe(
      'denied',
    );

    const live = new ApprovalService({
      db,
      logger,
      clients: {},
      policies: new PolicyBook(dirWith({ 'p.yml': 'policies:\n  - { action: slack.dm, mode: auto }\n' })),
    });
    const result = await live.propose(request);
    expect(result.outcome).toBe('failed');
    expect('approval' in result && result.approval.last_error).toBe(
      'no Slack user is linked to github account ghost (add them under people: in sources.yml)',
    );
    expect((await live.propose(request)).outcome).toBe('duplicate'); // the same request is never run twice
    const audit = await db.query<{ event: string }>('SELECT event FROM audit_log ORDER BY id');
    expect(audit.rows.map((r) => r.event)).toEqual(['dry_run', 'denied', 'proposed', 'failed']);
    const executed = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM approvals WHERE status = 'executed'",
    );
    expect(executed.rows[0]?.n).toBe(0);
  });

  test('min_approvals: 2 needs two different approvers; the same person twice counts once', async () => {
    const db = await freshDb();
    const service = new ApprovalService({
      db,
      logger: createLogger('silent'),
      clients: {},
      policies: new PolicyBook(
        dirWith({
          'p.yml':
            'policies:\n  - { action: github.label, mode: approve, approvers: [U0AAA, U0BBB, U0CCC], min_approvals: 2 }\n',
        }),
      ),
    });
    const proposed = await service.propose({
      action: 'github.label',
      params: { repo: 'acme/api', number: 1, labels: ['risky'] },
      summary: 'Label acme/api#1 risky',
      requestedBy: 'U0CCC',
      idempotencyKey: 'two-approvals',
    });
    if (!('approval' in proposed)) throw new Error('expected a proposal');
    const id = proposed.approval.id;
    expect((await service.decide(id, 'U0AAA', 'approve')).outcome).toBe('vote_recorded');
    expect((await service.decide(id, 'U0AAA', 'approve')).outcome).toBe('vote_recorded');
    expect((await service.decide(id, 'U0CCC', 'approve')).outcome).toBe('refused'); // who asked cannot approve
    const second = await service.decide(id, 'U0BBB', 'approve');
    expect(second.outcome).toBe('approved');
    // GitHub is not configured here, so the approved action ends visibly failed, with the reason.
    expect('approval' in second && [second.approval.status, second.approval.last_error]).toEqual([
      'failed',
      'GitHub is not configured',
    ]);
    expect((await service.decide(id, 'U0CCC', 'reject')).outcome).toBe('already_decided');
  });
});
