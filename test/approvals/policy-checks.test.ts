// Policies that would silently let through (or silently never approve) what an operator meant otherwise: a misspelt
// action, more approvals than named people, a rule no file defines; problems logged when they appear, also on an edit
// while em-agent runs. And proposals about something that stopped being true are withdrawn, not approved later.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PolicyBook } from '../../src/approvals/policies.js';
import { ApprovalService } from '../../src/approvals/service.js';
import { createLogger } from '../../src/observability/logger.js';
import { SignalEngine } from '../../src/signals/engine.js';
import { RuleBook } from '../../src/signals/rulebook.js';
import { describeEachEngine } from '../support/engines.js';
import { NOW, pr } from '../support/fixtures.js';

const logger = createLogger('silent');
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'em-policy-checks-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('policies that could not mean what they say are problems with file:line', () => {
  test('a misspelt action in a deny policy: a problem, not a deny that never applies beside github.*: auto', () => {
    const dir = dirWith({
      'base.yml': 'policies:\n  - { name: github-alone, action: github.*, mode: auto }\n',
      'strict.yml': 'policies:\n  - name: no-comments\n    action: github.coment\n    mode: deny\n',
    });
    const book = new PolicyBook(dir).reload();
    expect(book.problems).toEqual([
      `${path.join(dir, 'strict.yml')}:3: policies.0.action: github.coment is not an action em-agent can take; github actions are github.comment, github.request_reviewers, github.label, github.team_add, github.assign (or github.*) (skipped)`,
    ]);
    // Families and the administration actions of capabilities are still accepted.
    const ok = new PolicyBook(
      dirWith({
        'p.yml':
          'policies:\n  - { action: jira.*, mode: deny }\n  - { action: teams.edit, mode: approve, approvers: ["@eng-leads"] }\n',
      }),
    ).reload();
    expect(ok.problems).toEqual([]);
  });

  test('more approvals than the people it names: nothing under it could ever be approved', () => {
    const book = new PolicyBook(
      dirWith({
        'p.yml':
          'policies:\n  - name: pair\n    action: github.label\n    mode: approve\n    approvers: [U0ALICE, U0ALICE]\n    min_approvals: 2\n',
      }),
    ).reload();
    expect(book.problems).toEqual([
      expect.stringMatching(
        /p\.yml:6: policies\.0\.min_approvals: min_approvals is 2 but only 1 approver\(s\) are named: nothing under this policy could ever be approved \(skipped\)$/,
      ),
    ]);
  });

  test('a policy narrowed to a rule no file defines is a problem (a broader policy decides instead)', () => {
    const book = new PolicyBook(
      dirWith({
        'p.yml':
          'policies:\n  - { action: github.*, mode: auto }\n  - name: quiet\n    action: github.comment\n    rule: no_tikcet_link\n    mode: deny\n',
      }),
    );
    book.knownRules = () => ['no_ticket_link', 'stale48h'];
    expect(book.reload().problems).toEqual([
      expect.stringMatching(
        /p\.yml:3: policies\.1\.rule: no rule in rules\/ is called no_tikcet_link, so this policy never applies \(a broader one decides instead\)$/,
      ),
    ]);
  });

  test('each problem is told once when it appears: at start, and when a file is edited while em-agent runs', () => {
    const dir = dirWith({ 'p.yml': 'policies:\n  - { action: slack.dm, mode: auto }\n' });
    const told: string[] = [];
    const book = new PolicyBook(dir);
    book.onNewProblems = (problems) => told.push(...problems);
    book.reload();
    expect(told).toEqual([]);
    writeFileSync(path.join(dir, 'p.yml'), 'policies:\n  - { action: slack.dm, mode: sometimes }\n');
    book.reload();
    book.reload();
    expect(told).toEqual([
      expect.stringMatching(/p\.yml:2: policies\.0\.mode: .*\(its last valid version stays in use\)$/),
    ]);
    expect(book.decide({ action: 'slack.dm' }).mode).toBe('auto');
  });
});

describeEachEngine('a proposal about something that stopped being true', ({ freshDb }) => {
  test('is withdrawn when its signal resolves or its rule is removed, audited, and can no longer be approved', async () => {
    const db = await freshDb();
    const rules = dirWith({
      'r.yml': '- { name: links, kind: no_ticket_link, action: { kind: github.comment, text: "Link a ticket." } }\n',
    });
    const approvals = new ApprovalService({
      db,
      logger,
      clients: {},
      policies: new PolicyBook(
        dirWith({ 'p.yml': 'policies:\n  - { action: github.comment, mode: approve, approvers: [U0LEAD] }\n' }),
      ),
    });
    const engine = new SignalEngine({ db, logger, approvals, rules: new RuleBook(rules) });
    await pr(db, { number: 1, title: 'quick fix', ticketKeys: [], headRef: 'fix', ageHours: 2 });
    await pr(db, { number: 2, title: 'other fix', ticketKeys: [], headRef: 'other', ageHours: 2 });
    await engine.evaluate({ all: true, now: NOW });
    const status = async () =>
      (
        await db.query<{ number: string; status: string; reason: string | null }>(
          "SELECT params->>'number' AS number, status, reason FROM approvals ORDER BY id",
        )
      ).rows;
    expect((await status()).map((r) => r.status)).toEqual(['proposed', 'proposed']);

    // #1 gets a ticket key before anyone decided: its comment would now be wrong.
    await pr(db, { number: 1, title: 'ENG-9 quick fix', ageHours: 2 });
    await engine.evaluate({ all: true, now: NOW });
    expect(await status()).toEqual([
      { number: '1', status: 'expired', reason: 'what it was about no longer holds (its signal resolved)' },
      { number: '2', status: 'proposed', reason: null },
    ]);
    const first = (await db.query<{ id: number }>("SELECT id FROM approvals WHERE params->>'number' = '1'")).rows[0];
    expect(await approvals.decide(Number(first?.id), 'U0LEAD', 'approve')).toMatchObject({
      outcome: 'already_decided',
    });

    // The rule is switched off: what it proposed is withdrawn too.
    writeFileSync(path.join(rules, 'r.yml'), '- { name: links, kind: no_ticket_link, enabled: false }\n');
    await engine.evaluate({ all: true, now: NOW });
    expect((await status())[1]).toEqual({
      number: '2',
      status: 'expired',
      reason: 'the rule that proposed it was removed or disabled',
    });
    const audit = await db.query<{ event: string; n: number }>(
      "SELECT event, count(*)::int AS n FROM audit_log WHERE event = 'withdrawn' GROUP BY event",
    );
    expect(audit.rows).toEqual([{ event: 'withdrawn', n: 2 }]);
  });
});
