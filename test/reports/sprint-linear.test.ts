// The same cycle in Linear, synced from the Linear stand-in (IssueHistory's state, cycle and estimate changes,
// newest first in pages of 50) and read through Slack: the figures are the Jira sprint's, worked out by hand.
// Linear has no hidden e-mail (User.email is non-null in its schema) and no "added at the start" flag: a cycle move
// is an IssueHistory entry with fromCycleId/toCycleId, an estimate change one with fromEstimate/toEstimate.

import { LinearStandIn } from '../../dev/linear/server.js';
import { createLinearClient, syncLinear } from '../../src/connectors/linear/sync.js';
import { createLogger } from '../../src/observability/logger.js';
import { describeEachEngine } from '../support/engines.js';
import type { BotHarness } from '../support/slack/harness.js';
import { askSprintAndStandup, at, expectTheHandComputedSprint, PLANNED, START } from '../support/sprint-report.js';

const STARTED = (name: string) => ({ name, type: 'started' });
const KIM = { id: 'u-kim', email: 'kim@acme.dev', name: 'Kim Park' };
const SAM = { id: 'u-sam', email: 'sam@acme.dev', name: 'Sam Lee' };
const MAYA = { id: 'u-maya', email: 'maya@acme.dev', name: 'Maya Cole' };

function buildWorkspace(linear: LinearStandIn): void {
  linear.cycles.push(
    {
      team: 'APP',
      id: 'cyc-41',
      number: 41,
      startsAt: at(START + 336),
      endsAt: at(START),
      // Linear completes a cycle when the next one starts, and rolls its unfinished issues over then.
      completedAt: at(START - 0.05),
    },
    { team: 'APP', id: 'cyc-42', number: 42, startsAt: at(START), endsAt: at(-144), completedAt: null },
  );
  const issue = (key: string, assignee: typeof KIM | undefined, estimate: number) =>
    linear.addIssue({
      identifier: key,
      title: `Issue ${key}`,
      assignee,
      estimate,
      createdAt: at(START + 400),
      updatedAt: at(START + 400),
    });
  const committed = (key: string, assignee: typeof KIM | undefined, estimate: number) => {
    issue(key, assignee, estimate);
    linear.setCycle(key, 'cyc-42', at(PLANNED));
  };

  committed('APP-1', KIM, 5); // completed today after passing through QA
  linear.move('APP-1', STARTED('In Progress'), at(84), KIM.id);
  linear.move('APP-1', STARTED('QA'), at(10), KIM.id);
  linear.move('APP-1', { name: 'Done', type: 'completed' }, at(5), KIM.id);

  committed('APP-2', SAM, 3); // estimate raised to 8 after the start
  linear.move('APP-2', STARTED('In Progress'), at(84), SAM.id);
  linear.setEstimate('APP-2', 8, at(48));

  committed('APP-3', SAM, 2); // "QA" is a started state
  linear.move('APP-3', STARTED('In Progress'), at(72), SAM.id);
  linear.move('APP-3', STARTED('QA'), at(22), SAM.id);

  issue('APP-4', SAM, 1); // added after the start
  linear.setCycle('APP-4', 'cyc-42', at(72));

  committed('APP-5', MAYA, 3); // removed mid-cycle
  linear.setCycle('APP-5', null, at(48));

  committed('APP-6', KIM, 2); // moved back from Done
  linear.move('APP-6', STARTED('In Progress'), at(90), KIM.id);
  linear.move('APP-6', { name: 'Done', type: 'completed' }, at(70), KIM.id);
  linear.move('APP-6', STARTED('In Progress'), at(20), KIM.id);

  issue('APP-7', MAYA, 5); // carried over: cycle 41 ended with it open, Linear moved it to cycle 42 three minutes in
  linear.setCycle('APP-7', 'cyc-41', at(START + 340));
  linear.move('APP-7', STARTED('In Progress'), at(216), MAYA.id);
  linear.setCycle('APP-7', 'cyc-42', at(START - 0.05));

  committed('APP-8', MAYA, 1); // "Won't Do" is a canceled state: done
  linear.move('APP-8', { name: "Won't Do", type: 'canceled' }, at(36), MAYA.id);

  committed('APP-9', undefined, 2); // unassigned

  committed('APP-10', SAM, 3);
  linear.move('APP-10', STARTED('Blocked'), at(80), SAM.id);

  committed('APP-12', MAYA, 8); // planned in, then moved out before the start: in none of the figures
  linear.setCycle('APP-12', null, at(START + 2));

  // A busy issue outside the cycle: 60 entries, more than one history page.
  issue('APP-11', MAYA, 1);
  for (let i = 0; i < 60; i += 1) linear.setEstimate('APP-11', i + 2, at(START + 300 - i));
}

describeEachEngine('a Linear cycle through /em sprint and /em standup (hand-computed)', ({ freshDb }) => {
  let linear: LinearStandIn;
  let h: BotHarness;
  afterEach(async () => {
    await h?.stop();
    await linear?.stop();
  });

  test('same figures as the Jira sprint', async () => {
    linear = await new LinearStandIn().start();
    buildWorkspace(linear);
    const db = await freshDb();
    const result = await syncLinear({
      db,
      logger: createLogger('silent'),
      client: createLinearClient({ apiKey: linear.apiKey, apiUrl: linear.url }),
      teams: ['APP'],
      backfillSince: new Date('2026-10-01T00:00:00Z'),
    });
    expect(result).toMatchObject({ issues: 12, cycles: 2, rejected: 0 });
    // The busy issue's 60 estimate changes all arrive (50 with the issue, 10 from the next history page).
    const busy = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM work_item_changes WHERE key = 'APP-11' AND field = 'points'",
    );
    expect(busy.rows[0]?.n).toBe(60);
    const asked = await askSprintAndStandup(db);
    h = asked.h;
    const { sprint, standup } = asked;
    expect(sprint).toContain('*Sprint health* — Cycle 42 (linear)');
    expectTheHandComputedSprint(sprint, standup, 'APP');
  });
});
