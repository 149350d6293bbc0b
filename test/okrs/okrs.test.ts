// OKR progress on both engines, every figure worked out by hand beside its assertion: a work-based key result
// (Jira epic + label, in points), another (Linear project by name + GitHub milestone, in items), a metric-based one
// (DORA lead time from the PRs' first commits to their deployments), the expected progress, and unmapped work.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runTool } from '../../src/capabilities/tool.js';
import { createLogger } from '../../src/observability/logger.js';
import { applyOkrsFile, loadOkrsFile } from '../../src/okrs/file.js';
import type { OkrReport } from '../../src/okrs/service.js';
import { listObjectives } from '../../src/okrs/store.js';
import { okrsCheckinTool, okrsSaveTool, okrsShowTool } from '../../src/okrs/tools.js';
import type { Db } from '../../src/store/db.js';
import { teamInput } from '../../src/teams/model.js';
import { saveTeam } from '../../src/teams/store.js';
import { describeEachEngine } from '../support/engines.js';
import { hoursBefore, NOW, pr, ticket } from '../support/fixtures.js';

const logger = createLogger('silent');
const MAYA = 'U0MAYA';
const LEO = 'U0LEO';
const MANAGER = 'U0MANAGER';
const days = (n: number) => n * 24;

const OKRS_YML = (extra = '') =>
  [
    'okrs:',
    '  - team: payments',
    '    quarter: 2026Q4',
    '    objectives:',
    '      - title: Reliable checkout',
    '        key_results:',
    '          - title: Ship the new checkout flow',
    `            owner: ${MAYA}`,
    '            work:',
    '              unit: points',
    '              jira: { epics: [PAY-1], labels: [checkout] }',
    '              github: { labels: [checkout] }',
    '          - title: Retire the legacy API',
    `            owner: ${LEO}`,
    '            work:',
    '              linear: { projects: [Legacy sunset] }',
    '              github: { milestones: [v2] }',
    '      - title: Ship faster',
    '        key_results:',
    '          - title: Lead time below 2 days',
    `            owner: ${MAYA}`,
    '            metric: { metric: lead_time_days, baseline: 4, target: 2 }',
    extra,
  ].join('\n');

async function seed(db: Db) {
  await saveTeam(
    db,
    teamInput.parse({
      key: 'payments',
      name: 'Payments',
      members: [MAYA, LEO],
      managers: [MANAGER],
      repos: ['acme/pay'],
      jira_projects: ['PAY'],
    }),
    { actor: 'test' },
  );
  // Jira: epic PAY-1 and the label "checkout" map to the first key result.
  await ticket(db, {
    key: 'PAY-10',
    projectId: 'PAY-1',
    points: 5,
    statusCategory: 'done',
    resolvedAt: hoursBefore(days(10)),
    ageHours: days(30),
  });
  await ticket(db, {
    key: 'PAY-11',
    projectId: 'PAY-1',
    points: 3,
    statusCategory: 'indeterminate',
    ageHours: days(20),
  });
  await ticket(db, {
    key: 'PAY-12',
    labels: ['checkout'],
    points: 2,
    statusCategory: 'done',
    resolvedAt: hoursBefore(days(2)),
    ageHours: days(9),
  });
  // Finished on 20 September, before the quarter: not this quarter's work.
  await ticket(db, {
    key: 'PAY-13',
    projectId: 'PAY-1',
    points: 8,
    statusCategory: 'done',
    resolvedAt: '2026-09-20T10:00:00Z',
    ageHours: days(90),
  });
  // Another epic: mapped by nothing.
  await ticket(db, {
    key: 'PAY-14',
    projectId: 'PAY-2',
    points: 13,
    statusCategory: 'done',
    resolvedAt: hoursBefore(days(1)),
    ageHours: days(5),
  });
  // Linear project "Legacy sunset" (matched by name) and the GitHub milestone v2 map to the second key result.
  await db.query(
    `INSERT INTO projects (source, id, team, name, updated_at) VALUES ('linear', 'lp-1', 'ENG', 'Legacy sunset', now())`,
  );
  await ticket(db, {
    source: 'linear',
    key: 'ENG-1',
    projectId: 'lp-1',
    statusCategory: 'done',
    resolvedAt: hoursBefore(days(3)),
    ageHours: days(40),
  });
  await ticket(db, { source: 'linear', key: 'ENG-2', projectId: 'lp-1', statusCategory: 'new', ageHours: days(40) });
  await ticket(db, {
    source: 'github',
    key: 'acme/pay#7',
    milestone: 'v2',
    statusCategory: 'done',
    resolvedAt: hoursBefore(days(4)),
    ageHours: days(30),
  });
  await ticket(db, {
    source: 'github',
    key: 'acme/pay#8',
    milestone: 'v1',
    statusCategory: 'done',
    resolvedAt: hoursBefore(days(4)),
    ageHours: days(30),
  });

  // Merged pull requests of the quarter in acme/pay. #1-#3 deployed: lead times 60 h, 72 h and 84 h.
  await pr(db, {
    repo: 'acme/pay',
    number: 1,
    title: 'PAY-10: new flow',
    state: 'merged',
    ageHours: 100,
    firstCommitHoursAgo: 100,
    mergedHoursAgo: 50,
  });
  await pr(db, {
    repo: 'acme/pay',
    number: 2,
    title: 'PAY-14: other epic',
    state: 'merged',
    ageHours: 110,
    firstCommitHoursAgo: 110,
    mergedHoursAgo: 50,
  });
  await pr(db, {
    repo: 'acme/pay',
    number: 3,
    title: 'chore: bump deps',
    state: 'merged',
    ageHours: 120,
    firstCommitHoursAgo: 120,
    mergedHoursAgo: 50,
  });
  await pr(db, {
    repo: 'acme/pay',
    number: 4,
    title: 'style the pay button',
    state: 'merged',
    ageHours: 30,
    mergedHoursAgo: 20,
  });
  await pr(db, {
    repo: 'acme/pay',
    number: 5,
    title: 'drop v1 endpoints',
    state: 'merged',
    ageHours: 30,
    mergedHoursAgo: 20,
  });
  // Merged in September (another quarter), and in a repository that is not the team's: neither counts.
  await pr(db, {
    repo: 'acme/pay',
    number: 6,
    title: 'old',
    state: 'merged',
    ageHours: days(80),
    mergedHoursAgo: days(70),
  });
  await pr(db, {
    repo: 'acme/web',
    number: 7,
    title: 'web',
    state: 'merged',
    ageHours: 30,
    mergedHoursAgo: 20,
    firstCommitHoursAgo: 210,
  });
  // acme/web's PR shipped after 200 h: it is another team's lead time.
  await db.query(`UPDATE pull_requests SET deployed_at = $1 WHERE repo = 'acme/web' AND number = 7`, [hoursBefore(10)]);
  await db.query(`UPDATE pull_requests SET labels = '{checkout}' WHERE repo = 'acme/pay' AND number = 4`);
  await db.query(`UPDATE pull_requests SET milestone = 'v2' WHERE repo = 'acme/pay' AND number = 5`);
  await db.query(`UPDATE pull_requests SET deployed_at = $1 WHERE repo = 'acme/pay' AND number = 1`, [hoursBefore(40)]);
  await db.query(`UPDATE pull_requests SET deployed_at = $1 WHERE repo = 'acme/pay' AND number = 2`, [hoursBefore(38)]);
  await db.query(`UPDATE pull_requests SET deployed_at = $1 WHERE repo = 'acme/pay' AND number = 3`, [hoursBefore(36)]);
}

describeEachEngine('OKRs', ({ freshDb }) => {
  let db: Db;
  let dir: string;
  let file: string;
  let report: OkrReport;
  const ctx = (slackId: string) => ({ person: { slackId }, db, logger });
  const show = okrsShowTool(() => NOW);

  beforeAll(async () => {
    db = await freshDb();
    dir = mkdtempSync(path.join(tmpdir(), 'em-okrs-'));
    file = path.join(dir, 'okrs.yml');
    writeFileSync(file, OKRS_YML());
    await seed(db);
    await applyOkrsFile(db, file, loadOkrsFile(file) ?? [], logger);
    report = await runTool(show, ctx(MAYA), { team: 'payments', quarter: '2026Q4' });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const kr = (title: string) => {
    const found = report.objectives.flatMap((o) => o.keyResults).find((k) => k.title === title);
    if (!found) throw new Error(`no key result ${title}`);
    return found;
  };

  test('a work-based key result in points: the mapped tickets of the quarter, done over all', () => {
    // Mapped: PAY-10 (epic, 5, done), PAY-11 (epic, 3, open), PAY-12 (label, 2, done); PAY-13 finished before the
    // quarter and PAY-14 is in another epic. Done 5 + 2 = 7 of 5 + 3 + 2 = 10 points.
    expect(kr('Ship the new checkout flow')).toMatchObject({
      kind: 'work',
      owner: MAYA,
      work: { unit: 'points', done: 7, total: 10, items: 3 },
      progress: 0.7,
    });
  });

  test('a work-based key result in items: a Linear project by name and a GitHub milestone', () => {
    // ENG-1 (done), ENG-2 (open), acme/pay#7 (milestone v2, done); #8 is in milestone v1. Done 2 of 3 items.
    const retire = kr('Retire the legacy API');
    expect(retire.work).toEqual({ unit: 'items', done: 2, total: 3, items: 3 });
    expect(retire.progress).toBeCloseTo(2 / 3, 6);
  });

  test('a metric-based key result: the current value between baseline and target', () => {
    // Lead times 100 - 40 = 60 h, 110 - 38 = 72 h, 120 - 36 = 84 h: median 72 h = 3 days. From a baseline of 4 days
    // to a target of 2, 3 days is (3 - 4) / (2 - 4) = 0.5 of the way.
    expect(kr('Lead time below 2 days')).toMatchObject({
      kind: 'metric',
      metric: { metric: 'lead_time_days', baseline: 4, target: 2, current: 3 },
      progress: 0.5,
    });
  });

  test('objectives average their key results; the expected progress is the share of the quarter elapsed', () => {
    const [checkout, faster] = report.objectives;
    expect(checkout?.progress).toBeCloseTo((0.7 + 2 / 3) / 2, 6);
    expect(faster?.progress).toBe(0.5);
    // 1 October to 25 November 12:00 is 55.5 of the quarter's 92 days.
    expect(report.expected).toBeCloseTo(55.5 / 92, 6);
  });

  test("unmapped work: this quarter's merged PRs in the team's repositories that map to no key result", () => {
    // #1 names PAY-10 (mapped), #4 has the label checkout, #5 the milestone v2; #2 names PAY-14 (mapped by nothing)
    // and #3 names no ticket. #6 merged in September and #7 in acme/web are left out: 2 of 5.
    expect(report.unmapped).toEqual({ merged: 5, unmapped: 2, share: 0.4 });
  });

  test("for every team at once, a metric is its own team's, and unmapped work counts every repository", async () => {
    const org = await runTool(show, ctx(MAYA), { team: 'org', quarter: '2026Q4' });
    expect(org.team).toBeNull();
    // Still 72 h = 3 days from acme/pay alone (with acme/web's 200 h the median of all four would be 78 h).
    expect(org.objectives[1]?.keyResults[0]?.metric?.current).toBe(3);
    // acme/web's #7 names no ticket: 3 of the 6 merged PRs map to nothing.
    expect(org.unmapped).toEqual({ merged: 6, unmapped: 3, share: 0.5 });
  });

  test('the burn-up: completed share per week against the expected line', () => {
    const flow = report.burnup.filter((p) => p.series === 'Ship the new checkout flow');
    expect(flow[0]).toEqual({ day: '2026-10-01', series: 'Ship the new checkout flow', value: 0 });
    // The last point is today: 7 of 10 points done.
    expect(flow.at(-1)).toEqual({ day: '2026-11-25', series: 'Ship the new checkout flow', value: 70 });
    const expected = report.burnup.filter((p) => p.series === 'expected');
    // 29 October is 28 days into the quarter: 28 / 92 = 30%.
    expect(expected.find((p) => p.day === '2026-10-29')?.value).toBe(30);
  });

  test('check-ins: only the owner, one per week, stored with the progress of the moment', async () => {
    const id = kr('Ship the new checkout flow').id;
    const checkin = okrsCheckinTool(() => NOW);
    expect(await runTool(checkin, ctx(LEO), { key_result: id, confidence: 9 })).toEqual({
      ok: false,
      refusal: `Only the key result's owner (<@${MAYA}>) checks in on it.`,
    });
    expect(await runTool(checkin, ctx(MAYA), { key_result: id, confidence: 6, note: 'PAY-11 is blocked' })).toEqual({
      ok: true,
      week: '2026-11-23',
      progress: 0.7,
    });
    const again = await runTool(show, ctx(MAYA), { team: 'payments', quarter: '2026Q4' });
    expect(again.objectives[0]?.keyResults[0]?.checkins).toEqual([
      { week: '2026-11-23', confidence: 6, note: 'PAY-11 is blocked' },
    ]);
  });

  test('okrs.yml applied again keeps key results (and their check-ins); a key result it drops is deleted', async () => {
    const id = kr('Ship the new checkout flow').id;
    await runTool(
      okrsCheckinTool(() => NOW),
      ctx(MAYA),
      { key_result: id, confidence: 6 },
    );
    const before = await listObjectives(db, { team: 'payments', quarter: '2026Q4' });
    await applyOkrsFile(db, file, loadOkrsFile(file) ?? [], logger);
    const after = await listObjectives(db, { team: 'payments', quarter: '2026Q4' });
    expect(after.flatMap((o) => o.keyResults.map((k) => k.id))).toEqual(
      before.flatMap((o) => o.keyResults.map((k) => k.id)),
    );
    const again = await runTool(show, ctx(MAYA), { team: 'payments', quarter: '2026Q4' });
    expect(again.objectives[0]?.keyResults[0]?.checkins).toHaveLength(1);
    // The file drops "Retire the legacy API".
    const dropped = OKRS_YML().replace(/\n {10}- title: Retire the legacy API\n(?: {12}.*\n)+?(?= {6}- title)/, '\n');
    expect(dropped).not.toContain('Retire');
    writeFileSync(file, dropped);
    await applyOkrsFile(db, file, loadOkrsFile(file) ?? [], logger);
    const [checkout] = await listObjectives(db, { team: 'payments', quarter: '2026Q4' });
    expect(checkout?.keyResults.map((k) => k.title)).toEqual(['Ship the new checkout flow']);
  });

  test('okrs.save: the team manager may add an objective; others are refused; file objectives stay read-only', async () => {
    const save = okrsSaveTool({ isEditor: async () => false, describe: () => 'nobody else' });
    const objective = {
      title: 'Fewer incidents',
      key_results: [
        {
          title: 'CFR below 10%',
          owner: MAYA,
          metric: { metric: 'change_failure_rate' as const, baseline: 20, target: 10 },
        },
      ],
    };
    expect(await runTool(save, ctx(LEO), { team: 'payments', quarter: '2026Q4', objective })).toEqual({
      ok: false,
      refusal: "Only Payments's managers and nobody else can change its OKRs.",
    });
    expect(await runTool(save, ctx(MANAGER), { team: 'payments', quarter: 'Q4 2026', objective })).toMatchObject({
      ok: true,
      created: true,
    });
    const fileOwned = { title: 'Ship faster', key_results: objective.key_results };
    expect(await runTool(save, ctx(MANAGER), { team: 'payments', quarter: '2026Q4', objective: fileOwned })).toEqual({
      ok: false,
      refusal: `That objective is managed in \`${file}\`; edit the file instead.`,
    });
    const titles = (await listObjectives(db, { team: 'payments', quarter: '2026Q4' })).map((o) => o.title);
    expect(titles).toEqual(['Reliable checkout', 'Ship faster', 'Fewer incidents']);
  });
});
