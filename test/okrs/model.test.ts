// OKR rules that need no database: quarters as people write them, the `/em okr` arguments, the JQL subset, and
// okrs.yml problems reported with file:line.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OKR_HELP, parseOkrArgs } from '../../src/okrs/args.js';
import { loadOkrsFile } from '../../src/okrs/file.js';
import {
  expectedProgress,
  jqlMatches,
  keyResultInput,
  parseJql,
  parseQuarter,
  parseTarget,
  type WorkRow,
  weekOf,
} from '../../src/okrs/model.js';
import { parseEmCommand } from '../../src/slack/em-command.js';
import { YamlFileError } from '../../src/yaml-file.js';

describe('quarters', () => {
  const now = new Date('2026-11-25T12:00:00Z');

  test.each([
    ['2026Q4', '2026Q4'],
    ['2026-q4', '2026Q4'],
    ['Q4 2026', '2026Q4'],
    ['q1-2027', '2027Q1'],
    ['FY2026Q2', '2026Q2'],
    ['Q3', '2026Q3'], // this year
  ])('%s is %s', (text, key) => {
    expect(parseQuarter(text, now)?.key).toBe(key);
  });

  test.each(['2026Q5', 'Q0', '26Q4', 'next quarter', ''])('%s is no quarter', (text) => {
    expect(parseQuarter(text, now)).toBeUndefined();
  });

  test('a quarter runs from the first of its first month to the first of the next quarter (UTC)', () => {
    const q = parseQuarter('2026Q4') as NonNullable<ReturnType<typeof parseQuarter>>;
    expect(q.start.toISOString()).toBe('2026-10-01T00:00:00.000Z');
    expect(q.end.toISOString()).toBe('2027-01-01T00:00:00.000Z');
    // Expected progress is linear: 1 Oct → 25 Nov 12:00 is 31 + 24.5 = 55.5 of the quarter's 92 days.
    expect(expectedProgress(q, now)).toBeCloseTo(55.5 / 92, 6);
    expect(expectedProgress(q, new Date('2026-09-30T00:00:00Z'))).toBe(0);
    expect(expectedProgress(q, new Date('2027-02-01T00:00:00Z'))).toBe(1);
  });

  test('check-ins belong to the week starting on its Monday', () => {
    expect(weekOf(now)).toBe('2026-11-23'); // a Wednesday
    expect(weekOf(new Date('2026-11-29T23:59:00Z'))).toBe('2026-11-23'); // Sunday
    expect(weekOf(new Date('2026-11-30T00:00:00Z'))).toBe('2026-11-30'); // Monday
  });
});

describe('/em okr arguments', () => {
  // The okrs capability brings the subcommand's syntax; the /em router parses it with the others.
  const okr = [{ ...OKR_HELP, parse: parseOkrArgs }];
  test('a team and a quarter, in any order; either may be left out', () => {
    expect(parseEmCommand('okr payments 2026Q4', okr)).toEqual({
      ok: true,
      command: { name: 'okr', team: 'payments', quarter: '2026Q4' },
    });
    expect(parseEmCommand('okr Q4 2026 core platform', okr)).toEqual({
      ok: true,
      command: { name: 'okr', team: 'core platform', quarter: 'Q4 2026' },
    });
    expect(parseEmCommand('okr', okr)).toEqual({ ok: true, command: { name: 'okr' } });
  });

  test('a quarter that cannot be is refused with an example', () => {
    expect(parseOkrArgs(['2026Q5'])).toEqual({
      ok: false,
      message: '2026Q5 is not a quarter: a quarter is Q1 to Q4, e.g. `2026Q4`',
    });
    expect(parseEmCommand('okr 2026Q3 2026Q4', okr)).toMatchObject({ ok: false, reason: 'invalid', command: 'okr' });
  });
});

describe('the JQL subset', () => {
  const item = (over: Partial<WorkRow>): WorkRow => ({
    source: 'jira',
    key: 'PAY-1',
    project: 'PAY',
    type: 'Story',
    status: 'In Review',
    statusCategory: 'indeterminate',
    labels: ['checkout'],
    assignee: null,
    points: 3,
    projectId: 'PAY-100',
    projectName: null,
    milestone: null,
    createdAt: new Date(),
    resolvedAt: null,
    ...over,
  });

  test('clauses joined by AND, with =, !=, in and not in', () => {
    const parsed = parseJql('project = PAY AND labels in (checkout, "web pay") AND issuetype != Bug');
    if (!parsed.ok) throw new Error(parsed.message);
    expect(jqlMatches(parsed.clauses, item({}))).toBe(true);
    expect(jqlMatches(parsed.clauses, item({ type: 'Bug' }))).toBe(false);
    expect(jqlMatches(parsed.clauses, item({ labels: ['web pay'] }))).toBe(true);
    expect(jqlMatches(parsed.clauses, item({ project: 'CORE' }))).toBe(false);
    const epic = parseJql('"Epic Link" = PAY-100 AND statusCategory not in (Done)');
    if (!epic.ok) throw new Error(epic.message);
    expect(jqlMatches(epic.clauses, item({}))).toBe(true);
    expect(jqlMatches(epic.clauses, item({ statusCategory: 'done' }))).toBe(false);
  });

  test('what it cannot evaluate is refused with the reason', () => {
    expect(parseJql('project = PAY OR project = CORE')).toEqual({
      ok: false,
      message: 'only clauses joined by AND are supported (no OR)',
    });
    expect(parseJql('sprint in openSprints()')).toMatchObject({ ok: false });
    expect(parseJql('fixVersion = 2.0')).toMatchObject({ ok: false, message: expect.stringContaining('fixVersion') });
  });
});

describe('okrs.yml', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'em-okrs-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('every problem names its file, line and field', () => {
    const file = path.join(dir, 'okrs.yml');
    writeFileSync(
      file,
      [
        'okrs:', // 1
        '  - team: payments', // 2
        '    quarter: 2026Q5', // 3
        '    objectives:', // 4
        '      - title: Reliable checkout', // 5
        '        key_results:', // 6
        '          - title: Ship the new flow', // 7
        '            owner: maya', // 8
        '            work: { jira: { jql: "project = PAY OR labels = x" } }', // 9
        '          - title: Faster lead time', // 10
        '            owner: U0MAYA', // 11
        '            metric: { metric: lead_time_weeks, baseline: 4, target: 2 }', // 12
        '          - title: Nothing mapped', // 13
        '            owner: U0MAYA', // 14
      ].join('\n'),
    );
    let error: unknown;
    try {
      loadOkrsFile(file);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(YamlFileError);
    const problems = (error as YamlFileError).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        `${file}:3: okrs.0.quarter: must be a quarter such as 2026Q4`,
        `${file}:8: okrs.0.objectives.0.key_results.0.owner: must be a Slack user id such as U012AB3CD`,
        `${file}:9: okrs.0.objectives.0.key_results.0.work.jira.jql: JQL only clauses joined by AND are supported (no OR)`,
        expect.stringMatching(
          new RegExp(`^${file}:12: okrs\\.0\\.objectives\\.0\\.key_results\\.1\\.metric\\.metric: `),
        ),
        `${file}:13: okrs.0.objectives.0.key_results.2: needs exactly one of work (mapped tickets) or metric (a target on a figure)`,
      ]),
    );
    expect(problems).toHaveLength(5);
  });

  test('a missing file is no OKRs from a file', () => {
    expect(loadOkrsFile(path.join(dir, 'absent.yml'))).toBeNull();
  });
});

describe("the modal's one-line targets", () => {
  test('selectors separated by ; become a work mapping; a metric is baseline -> target', () => {
    const work = parseTarget(
      'jira epics PAY-1, PAY-2; jql project = PAY AND type = Bug; linear project Sunset; points',
    );
    expect(work).toEqual({
      ok: true,
      work: {
        jira: { epics: ['PAY-1', 'PAY-2'], jql: 'project = PAY AND type = Bug' },
        linear: { projects: ['Sunset'] },
        unit: 'points',
      },
    });
    if (!work.ok || !('work' in work)) throw new Error('not work');
    expect(keyResultInput.safeParse({ title: 'x', owner: 'U1', work: work.work }).success).toBe(true);
    expect(parseTarget('metric lead_time_days 4 -> 2 over 14d')).toEqual({
      ok: true,
      metric: { metric: 'lead_time_days', baseline: 4, target: 2, window_days: 14 },
    });
    expect(parseTarget('metric lead time')).toMatchObject({ ok: false });
    expect(parseTarget('linear milestones v2')).toMatchObject({
      ok: false,
      message: expect.stringContaining('cannot read'),
    });
  });
});
