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

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'em-sec-yaml-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

/** The "billion laughs": each level repeats the one before ten times, so expanding it would need 10^9 nodes. */
function aliasBomb(key: string): string {
  const levels = ['  a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 9; i += 1)
    levels.push(
      `  a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  return `${key}:\n${levels.join('\n')}\n`;
}

const GOOD_RULES = '- { name: stale48h, kind: stale_pr, older_than_hours: 48 }\n';
const GOOD_POLICIES = 'policies:\n  - { name: labels, action: github.label, mode: auto }\n';

test('an alias bomb in rules/ is one file:line problem for that file; the other files still load', () => {
  const dir = dirWith({ 'a.yml': GOOD_RULES, 'b.yml': aliasBomb('bomb') });
  const book = new RuleBook(dir).reload();
  expect(book.rules.map((r) => r.rule.name)).toEqual(['stale48h']);
  expect(book.problems).toEqual([
    `${path.join(dir, 'b.yml')}:1: Excessive alias count indicates a resource exhaustion attack (skipped)`,
  ]);
});

test('a policies file that turns into an alias bomb keeps its last valid version', () => {
  const dir = dirWith({ 'p.yml': GOOD_POLICIES });
  const book = new PolicyBook(dir).reload();
  expect(book.decide({ action: 'github.label' }).mode).toBe('auto');
  writeFileSync(path.join(dir, 'p.yml'), aliasBomb('policies'));
  book.reload();
  expect(book.problems).toEqual([
    expect.stringMatching(/p\.yml:1: Excessive alias count .* \(its last valid version stays in use\)$/),
  ]);
  expect(book.decide({ action: 'github.label' }).mode).toBe('auto');
});

describeEachEngine('a new signal whose proposal fails', ({ freshDb }) => {
  test('keeps its action pending and proposes it on a later tick, exactly once', async () => {
    const db = await freshDb();
    const logger = createLogger('silent');
    await pr(db, { number: 1, ageHours: 50 });
    const approvals = new ApprovalService({
      db,
      logger,
      clients: {},
      policies: new PolicyBook(
        dirWith({ 'p.yml': 'policies:\n  - { action: slack.post, mode: approve, approvers: [U0AAA] }\n' }),
      ),
    });
    const engine = new SignalEngine({
      db,
      logger,
      approvals,
      rules: new RuleBook(
        dirWith({
          'r.yml':
            '- { name: stale, kind: stale_pr, older_than_hours: 48, action: { kind: slack.post, channel: C0ENG } }\n',
        }),
      ),
    });
    const proposals = async () =>
      (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM approvals')).rows[0]?.n;

    // A transient database failure exactly while the action is proposed.
    await db.exec('ALTER TABLE approvals RENAME TO approvals_away');
    const [first] = await engine.evaluate({ all: true, now: NOW });
    await db.exec('ALTER TABLE approvals_away RENAME TO approvals');
    expect(first).toMatchObject({ opened: 1 });
    expect(await proposals()).toBe(0);

    await engine.evaluate({ all: true, now: NOW });
    expect(await proposals()).toBe(1);
    await engine.evaluate({ all: true, now: NOW });
    expect(await proposals()).toBe(1);
    const { rows } = await db.query<{ action_pending: boolean }>('SELECT action_pending FROM signals');
    expect(rows).toEqual([{ action_pending: false }]);
  });
});
