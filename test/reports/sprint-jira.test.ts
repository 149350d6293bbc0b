// A sprint shaped the way Jira Cloud documents it, synced from the Jira stand-in and read through Slack:
// `/em sprint` and `/em standup 24` must show figures worked out by hand (arithmetic in the comments).

import { JiraStandIn } from '../../dev/jira/server.js';
import { createJiraClients } from '../../src/connectors/jira/client.js';
import { syncJira } from '../../src/connectors/jira/sync.js';
import { createLogger } from '../../src/observability/logger.js';
import { describeEachEngine } from '../support/engines.js';
import type { BotHarness } from '../support/slack/harness.js';
import { askSprintAndStandup, at, expectTheHandComputedSprint, PLANNED, START } from '../support/sprint-report.js';

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
    expectTheHandComputedSprint(sprint, standup, 'ENG');
    // Kim hides her e-mail: shown by display name, never by account id.
    expect(standup).not.toContain(KIM);
  });
});
