// Rules files as an operator (or their editor, or a member drafting a rule) really leaves them: editor lock files,
// a directory or a link where a file should be, a byte order mark, a huge file, a pattern that backtracks forever, an
// action naming something the rule's signals never have, a scope naming a team. Each is one `file:line` problem, or
// one rule's error, and everything else keeps running.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PolicyBook } from '../../src/approvals/policies.js';
import { createLogger } from '../../src/observability/logger.js';
import { SignalEngine } from '../../src/signals/engine.js';
import { findMissingTicketLinks } from '../../src/signals/kinds/pull-requests.js';
import type { OpenPr } from '../../src/signals/kinds/store.js';
import { parseRulesFile, RuleBook } from '../../src/signals/rulebook.js';
import type { RuleOf } from '../../src/signals/rules.js';
import { signalsEvaluateTool } from '../../src/signals/tools.js';
import { saveTeam } from '../../src/teams/store.js';
import { YamlFileError } from '../../src/yaml-file.js';
import { describeEachEngine } from '../support/engines.js';
import { NOW, pr, ticket } from '../support/fixtures.js';

const logger = createLogger('silent');
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'em-hostile-rules-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}
const problemsOf = (text: string) => {
  try {
    parseRulesFile(text, 'r.yml');
    return [];
  } catch (err) {
    if (err instanceof YamlFileError) return err.problems;
    throw err;
  }
};

const GOOD = '- { name: stale48h, kind: stale_pr, older_than_hours: 48 }\n';

describe('what an editor or a deployment leaves in rules/ and policies/', () => {
  test("Emacs's lock file (a link to nowhere), a directory and a dangling link named *.yml: the directory still loads", () => {
    const dir = dirWith({ 'a.yml': GOOD });
    // While default.yml is open in Emacs: .#default.yml -> user@host.pid (which does not exist)
    symlinkSync('alice@laptop.4242:1700000000', path.join(dir, '.#a.yml'));
    symlinkSync(path.join(dir, 'gone.yml'), path.join(dir, 'moved.yml'));
    mkdirSync(path.join(dir, 'old.yml'));
    const book = new RuleBook(dir).reload(); // threw ENOENT before: no rule ran, no policy decided
    expect(book.rules.map((r) => r.rule.name)).toEqual(['stale48h']);
    expect(book.problems).toEqual([
      `${path.join(dir, 'moved.yml')}:1: a link to a file that does not exist (skipped)`,
      `${path.join(dir, 'old.yml')}:1: not a regular file (skipped)`,
    ]);

    const policies = dirWith({ 'default.yml': 'policies:\n  - { action: slack.dm, mode: auto }\n' });
    symlinkSync('alice@laptop.4242:1700000000', path.join(policies, '.#default.yml'));
    expect(new PolicyBook(policies).reload().decide({ action: 'slack.dm' }).mode).toBe('auto');
  });

  test('a file saved with a byte order mark reads as the YAML it is', () => {
    const book = new RuleBook(dirWith({ 'a.yml': `\uFEFF${GOOD}` })).reload();
    expect(book.problems).toEqual([]);
    expect(book.rules.map((r) => r.rule.name)).toEqual(['stale48h']);
  });

  test('a file over 1 MiB is one problem, not a parse that holds the process; its last valid version stays', () => {
    const dir = dirWith({ 'a.yml': GOOD });
    const book = new RuleBook(dir).reload();
    writeFileSync(path.join(dir, 'a.yml'), `${GOOD}# ${'x'.repeat(2 * 1024 * 1024)}\n`);
    book.reload();
    expect(book.problems).toEqual([
      `${path.join(dir, 'a.yml')}:1: is 2049 KiB; a file here may be at most 1024 KiB (its last valid version stays in use)`,
    ]);
    expect(book.rules.map((r) => r.rule.name)).toEqual(['stale48h']);
  });
});

describe('no_ticket_link patterns run in linear time', () => {
  const rule = (pattern: string) =>
    parseRulesFile(`- { name: links, kind: no_ticket_link, pattern: ${JSON.stringify(pattern)} }\n`, 'r.yml')[0]
      ?.rule as RuleOf<'no_ticket_link'>;
  const openPr = (title: string): OpenPr => ({
    repo: 'acme/api',
    number: 1,
    title,
    author: 'maya',
    created_at: NOW,
    url: null,
    head_ref: 'x',
    requested_reviewers: [],
    ticket_keys: [],
    additions: 1,
    deletions: 1,
    reviewed_by_others: false,
    last_activity_at: NOW,
  });

  test('a catastrophic pattern on a title anyone can write answers at once (it held the process for hours)', () => {
    const started = Date.now();
    const found = findMissingTicketLinks([openPr(`${'a'.repeat(60)}!`)], rule('(a+)+$'));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(found).toHaveLength(1);
    // The shipped pattern behaves as before.
    expect(findMissingTicketLinks([openPr('ENG-12: fix')], rule('[A-Z][A-Z0-9]+-\\d+'))).toEqual([]);
  });

  test('a pattern that cannot run in linear time (a backreference, a lookaround) is a problem with its line', () => {
    expect(problemsOf('- name: links\n  kind: no_ticket_link\n  pattern: "(ENG)-\\\\1"\n')).toEqual([
      expect.stringMatching(/^r\.yml:3: 0\.pattern: must be a regular expression that runs in linear time/),
    ]);
    expect(problemsOf('- { name: links, kind: no_ticket_link, pattern: "(?<=x)ENG" }\n')).toHaveLength(1);
    expect(problemsOf('- { name: links, kind: no_ticket_link, pattern: "(" }\n')).toEqual([
      'r.yml:1: 0.pattern: must be a valid regular expression',
    ]);
  });
});

test('signals.evaluate (any member may call it) tries at most 10 rules at a time, each over the whole org', async () => {
  const yaml = Array.from({ length: 11 }, (_, i) => `- { name: r${i}, kind: stale_pr }`).join('\n');
  expect(await signalsEvaluateTool().run({} as never, { yaml })).toEqual({
    valid: false,
    problems: ['rules.yml: 11 rules; try at most 10 at a time'],
  });
});

describe("a rule's action names only what its signals have", () => {
  test.each([
    [
      '- name: stale\n  kind: stale_pr\n  action: { kind: slack.dm, to: reviewer }\n',
      'r.yml:3: 0.action.to: stale_pr signals have no reviewer; to may be author',
    ],
    [
      '- name: blocked\n  kind: aging_blocked\n  action:\n    kind: github.comment\n',
      "r.yml:4: 0.action.kind: github.comment acts on a pull request, and this rule's signals are about tickets",
    ],
    [
      '- { name: big, kind: large_pr, action: { kind: jira.comment } }\n',
      "r.yml:1: 0.action.kind: jira.comment comments on a ticket, and this rule's signals are about pull requests",
    ],
    [
      '- name: red\n  kind: failing_main\n  action: { kind: slack.post }\n',
      'r.yml:3: 0.action.channel: slack.post needs a channel (#name, a channel id, or team)',
    ],
    [
      '- { name: creep, kind: sprint_scope_creep, action: { kind: jira.create } }\n',
      'r.yml:1: 0.action.project: jira.create needs a project (a Jira project key or a Linear team key)',
    ],
  ])('%j', (yaml, problem) => {
    expect(problemsOf(yaml)).toEqual([problem]);
  });

  test('what the shipped rules and the README show still loads', () => {
    expect(problemsOf('- { name: r, kind: review_bottleneck, action: { kind: slack.dm, to: reviewer } }\n')).toEqual(
      [],
    );
    expect(problemsOf('- { name: r, kind: failing_main, action: { kind: slack.post, channel: team } }\n')).toEqual([]);
    expect(problemsOf('- { name: r, kind: aging_blocked, action: { kind: jira.comment } }\n')).toEqual([]);
    const shipped = new RuleBook(path.resolve('rules')).reload();
    expect(shipped.problems).toEqual([]);
  });
});

describeEachEngine('scope.teams', ({ freshDb }) => {
  async function world() {
    const db = await freshDb();
    await saveTeam(
      db,
      {
        key: 'payments',
        name: 'Payments',
        members: [],
        managers: [],
        channel: null,
        repos: ['acme/pay-*'],
        jira_projects: ['PAY'],
        jira_boards: [],
        linear_teams: [],
        oncall_group: null,
        timezone: 'UTC',
        work_days: [1, 2, 3, 4, 5],
      },
      { actor: 'test' },
    );
    await saveTeam(
      db,
      {
        key: 'docs',
        name: 'Docs',
        members: [],
        managers: [],
        channel: null,
        repos: [],
        jira_projects: [],
        jira_boards: [],
        linear_teams: [],
        oncall_group: null,
        timezone: 'UTC',
        work_days: [1, 2, 3, 4, 5],
      },
      { actor: 'test' },
    );
    await pr(db, { repo: 'acme/pay-api', number: 1, ageHours: 50 });
    await pr(db, { repo: 'acme/web', number: 2, ageHours: 50 });
    return db;
  }
  const subjects = async (db: Awaited<ReturnType<typeof world>>) =>
    (
      await db.query<{ subject: string }>("SELECT subject FROM signals WHERE status = 'open' ORDER BY subject")
    ).rows.map((r) => r.subject);

  test("a rule scoped to a team finds only the team's repositories (it ran for every repository of the org)", async () => {
    const db = await world();
    const engine = new SignalEngine({
      db,
      logger,
      rules: new RuleBook(
        dirWith({ 'r.yml': '- { name: stale, kind: stale_pr, older_than_hours: 48, scope: { teams: [payments] } }\n' }),
      ),
    });
    const [result] = await engine.evaluate({ all: true, now: NOW });
    expect(result?.error).toBeUndefined();
    expect(result?.opened).toBe(1);
    expect(await subjects(db)).toEqual(['pr:acme/pay-api#1']);
  });

  test('a team that does not exist stops the rule with the reason; a team with no repositories finds nothing', async () => {
    const db = await world();
    const engine = new SignalEngine({
      db,
      logger,
      rules: new RuleBook(
        dirWith({
          'r.yml': [
            '- { name: typo, kind: stale_pr, older_than_hours: 48, scope: { teams: [paymnets] } }',
            '- { name: docs, kind: large_pr, max_lines: 1, scope: { teams: [docs] } }',
          ].join('\n'),
        }),
      ),
    });
    const results = await engine.evaluate({ all: true, now: NOW });
    expect(results.find((r) => r.rule === 'typo')?.error).toBe(
      'scope.teams: no team is called paymnets (teams: docs, payments); the rule does not run rather than run for the whole org',
    );
    const docs = results.find((r) => r.rule === 'docs');
    expect([docs?.error, docs?.findings]).toEqual([undefined, 0]);
    expect(await subjects(db)).toEqual([]);
  });

  test('for ticket kinds a team means its projects; a name no team has stays a project key, as before teams', async () => {
    const db = await world();
    await ticket(db, { key: 'PAY-1', priority: 'Highest', ageHours: 10 });
    await ticket(db, { key: 'WEB-1', priority: 'Highest', ageHours: 10 });
    await ticket(db, { key: 'OPS-1', priority: 'Highest', ageHours: 10 });
    const tool = signalsEvaluateTool();
    const run = async (teams: string) => {
      const out = await tool.run({ db } as never, {
        yaml: `- { name: urgent, kind: unassigned_urgent, older_than_hours: 1, scope: { teams: [${teams}] } }\n`,
      });
      if (!out.valid) throw new Error(out.problems.join('\n'));
      return out.rules[0]?.findings.map((f) => f.subject);
    };
    expect(await run('payments')).toEqual(['ticket:jira:PAY-1']);
    expect(await run('OPS')).toEqual(['ticket:jira:OPS-1']);
  });
});
