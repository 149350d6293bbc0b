// A sprint shaped the way Jira Cloud documents it, synced from the Jira stand-in and read through Slack:
// `/em sprint` and `/em standup 24` must show figures worked out by hand (arithmetic in the comments).
import { createJiraClients } from '../../src/connectors/jira/client.js';
import { syncJira } from '../../src/connectors/jira/sync.js';
import { createLogger } from '../../src/observability/logger.js';
import { describeEachEngine } from '../support/engines.js';
import { JiraStandIn } from '../../dev/jira/server.js';
import type { BotHarness } from '../support/slack/harness.js';
import { askSprintAndStandup, at, PLANNED, START } from '../support/sprint-report.js';

const KIM = '5b10ac8d82e05b22cc7d4ef5'; // hides her e-mail: Jira sends emailAddress: null

function buildSite(jira: JiraStandIn): void {
  jira.points = { id: 'customfield_10028', name: 'Story point estimate' }; // a team-managed project
  jira.offsetMinutes = 120; // dates come as 2026-11-25T14:00:00.000+0200
  jira.searchPageCap = 4; // fewer issues per page than asked for
  jira.users.set(KIM, { displayName: 'Kim Park', email: null });
  jira.users.set('acc-sam', { displayName: 'Sam Lee', email: 'sam@acme.dev' });
  jira.users.set('acc-maya', { displayName: 'Maya Cole', email: 'maya@acme.dev' });
  jira.addSprint(1, { id: 41, name: 'Sprint 41', state: 'closed', startDate: at(START + 336), endDate: at(START + 1) });
  jira.addSprint(1, { id: 42, name: 'Sprint 42', state: 'active', startDate: at(START), endDate: at(-144) });
  const issue = (key: string, assignee: string | undefined, points: number) =>
    jira.addIssue({
      key,
      summary: `Story ${key}`,
      assignee,
      points,
      created: at(START + 400),
      updated: at(START + 400),
    });
  const committed = (key: string, assignee: string | undefined, points: number) => {
    issue(key, assignee, points);
    jira.setSprints(key, [42], at(PLANNED));
  };

  committed('ENG-1', KIM, 5); // done today after passing through QA
  jira.transition('ENG-1', 'In Progress', 'indeterminate', KIM, at(84));
  jira.transition('ENG-1', 'QA', 'indeterminate', KIM, at(10));
  jira.transition('ENG-1', 'Done', 'done', KIM, at(5));

  committed('ENG-2', 'acc-sam', 3); // estimate raised to 8 after the start
  jira.transition('ENG-2', 'In Progress', 'indeterminate', 'acc-sam', at(84));
  jira.setPoints('ENG-2', 8, at(48));

  committed('ENG-3', 'acc-sam', 2); // "QA" is in progress (indeterminate), not done
  jira.transition('ENG-3', 'In Progress', 'indeterminate', 'acc-sam', at(72));
  jira.transition('ENG-3', 'QA', 'indeterminate', 'acc-sam', at(22));

  issue('ENG-4', 'acc-sam', 1); // added after the start
  jira.setSprints('ENG-4', [42], at(72));

  committed('ENG-5', 'acc-maya', 3); // removed mid-sprint
  jira.setSprints('ENG-5', [], at(48));

  committed('ENG-6', KIM, 2); // moved back from Done
  jira.transition('ENG-6', 'In Progress', 'indeterminate', KIM, at(90));
  jira.transition('ENG-6', 'Done', 'done', KIM, at(70));
  jira.transition('ENG-6', 'In Progress', 'indeterminate', KIM, at(20));

  issue('ENG-7', 'acc-maya', 5); // carried over: Sprint 41 closed with it open, Jira added Sprint 42
  jira.setSprints('ENG-7', [41], at(START + 340));
  jira.transition('ENG-7', 'In Progress', 'indeterminate', 'acc-maya', at(216));
  jira.setSprints('ENG-7', [41, 42], at(START + 1));

  committed('ENG-8', 'acc-maya', 1); // "Won't Do" is in the done category
  jira.transition('ENG-8', "Won't Do", 'done', 'acc-maya', at(36));

  committed('ENG-9', undefined, 2); // unassigned

  committed('ENG-10', 'acc-sam', 3);
  jira.transition('ENG-10', 'Blocked', 'indeterminate', 'acc-sam', at(80));

  committed('ENG-11', 'acc-maya', 8); // planned in, then moved out before the start: in none of the figures
  jira.setSprints('ENG-11', [], at(START + 2));
}

describeEachEngine('a Jira sprint through /em sprint and /em standup (hand-computed)', ({ freshDb }) => {
  let jira: JiraStandIn;
  let h: BotHarness;
  afterEach(async () => {
    await h?.stop();
    await jira?.stop();
  });

  test.each(['newest-first', 'oldest-first'] as const)('changelog served %s', async (order) => {
    jira = await new JiraStandIn().start();
    jira.inlineOrder = order;
    buildSite(jira);
    const db = await freshDb();
    const result = await syncJira({
      db,
      logger: createLogger('silent'),
      clients: createJiraClients({ host: jira.url, email: jira.email, apiToken: jira.apiToken }),
      projects: ['ENG'],
      boards: [1],
      backfillSince: new Date('2026-10-01T00:00:00Z'),
      fields: { points: 'customfield_10028', sprint: 'customfield_10020' },
    });
    expect(result).toMatchObject({ issues: 11, sprints: 2, rejected: 0 }); // nobody's work is skipped
    const asked = await askSprintAndStandup(db);
    h = asked.h;
    const { sprint, standup } = asked;
    expect(sprint).toContain('*Sprint health* — Sprint 42 (jira)');
    // Committed: in the sprint at its start, with the estimate then: ENG-1 5, ENG-2 3 (raised to 8 later),
    // ENG-3 2, ENG-5 3 (removed later), ENG-6 2, ENG-7 5, ENG-8 1, ENG-9 2, ENG-10 3 = 9 items, 26 points.
    // Completed: in it now, done category: ENG-1 5 + ENG-8 1 (Won't Do) = 2 items, 6 points; ENG-6 was reopened.
    // 6 / 26 = 23 %.
    expect(sprint).toContain(
      '*Committed*: 9 items, 26 points · *completed*: 2 items, 6 points (23% of committed points)',
    );
    // Added: ENG-4 (1 point) joined after the start; removed: ENG-5 (3 points at the start).
    expect(sprint).toContain('*Scope change*: +1 items (1 points) added after the start, −1 removed (3 points)');
    // Carried over: ENG-7 (5 points) was in Sprint 41.
    expect(sprint).toContain('*Carried over*: 1 committed items (5 points) were already in an earlier sprint');
    // Open now: ENG-2 8 + ENG-3 2 + ENG-4 1 + ENG-6 2 + ENG-7 5 + ENG-9 2 + ENG-10 3 = 23 points; day 5 of 10.
    expect(sprint).toContain('*Time*: day 5, 6 days left · 23 points open');
    // Pace 6 points / 4 days = 1.5 a day; 23 − 1.5 × 6 = 14.
    expect(sprint).toContain('At the current pace about *14 points* will carry over.');
    expect(sprint).toContain(':construction: *Blocked*: ENG-10');
    // In progress for more than 3 days: ENG-2 since 84 h (3.5 d), ENG-7 since 216 h (9 d); ENG-3 in QA only 22 h.
    expect(sprint).toContain(':snail: *Aging in progress*: ENG-2 (3 d in In Progress), ENG-7 (9 d in In Progress)');

    // Kim hides her e-mail: shown by display name. ENG-1 went QA (10 h ago) then Done (5 h ago): it shows Done,
    // whichever order the history was stored in. ENG-6 was reopened 20 h ago.
    expect(standup).toContain('*Kim Park*\n:arrow_right: moved ENG-1 → Done, ENG-6 → In Progress');
    expect(standup).not.toContain(KIM);
    expect(standup).toContain('*Sam Lee*\n:arrow_right: moved ENG-3 → QA\n:construction: blocked: ENG-10');
    // Maya's last move (ENG-8, 36 h ago) is outside the 24 hours; the unassigned ENG-9 belongs to nobody.
    expect(standup).not.toContain('Maya');
    expect(standup).toContain('*Team*: 0 merged · 0 opened · 0 reviews · 3 tickets moved · 1 blocked');
  });
});
