// The same sprint in Shortcut, synced from the Shortcut stand-in (story history: workflow_state_id, iteration_id and
// estimate changes with old/new values) and read through Slack. Shortcut's iterations have dates without a time, so
// iteration 42 runs from 21 Nov 00:00 (108 h before NOW) to the end of 30 Nov (132 h after NOW), UTC; the stories'
// timeline is the Jira sprint's, with the moves around the start placed around this start. Every figure but the pace
// (a longer elapsed time) is the Jira sprint's; all are worked out by hand below.
import { ShortcutStandIn } from '../../dev/shortcut/server.js';
import { createShortcutClient, syncShortcut } from '../../src/connectors/shortcut/sync.js';
import { createLogger } from '../../src/observability/logger.js';
import { describeEachEngine } from '../support/engines.js';
import type { BotHarness } from '../support/slack/harness.js';
import { askSprintAndStandup, at } from '../support/sprint-report.js';

/** Iteration 42 starts 21 Nov 00:00 UTC: 108 hours before NOW (25 Nov 12:00). */
const START = 108;
const PLANNED = START + 24;

function buildWorkspace(sc: ShortcutStandIn) {
  sc.addTeam('mobile', 'Mobile');
  const kim = sc.addMember({ mention: 'kim', name: 'Kim Park', email: 'kim@acme.dev' });
  const sam = sc.addMember({ mention: 'sam', name: 'Sam Lee', email: 'sam@acme.dev' });
  const maya = sc.addMember({ mention: 'maya', name: 'Maya Cole', email: 'maya@acme.dev' });
  sc.iterations.push(
    {
      id: 41,
      name: 'Iteration 41',
      status: 'done',
      start_date: '2026-11-07',
      end_date: '2026-11-20',
      teams: ['mobile'],
    },
    {
      id: 42,
      name: 'Iteration 42',
      status: 'started',
      start_date: '2026-11-21',
      end_date: '2026-11-30',
      teams: ['mobile'],
    },
  );
  const story = (id: number, owner: { id: string } | undefined, estimate: number) =>
    sc.addStory({
      id,
      name: `Story ${id}`,
      team: 'mobile',
      ownerIds: owner ? [owner.id] : [],
      estimate,
      createdAt: at(START + 400),
      updatedAt: at(START + 400),
    });
  const committed = (id: number, owner: { id: string } | undefined, estimate: number) => {
    story(id, owner, estimate);
    sc.setIteration(id, 42, at(PLANNED));
  };

  committed(1, kim, 5); // completed today after passing through QA
  sc.move(1, 'In Progress', at(84), kim.id);
  sc.move(1, 'QA', at(10), kim.id);
  sc.move(1, 'Done', at(5), kim.id);

  committed(2, sam, 3); // estimate raised to 8 after the start
  sc.move(2, 'In Progress', at(84), sam.id);
  sc.setEstimate(2, 8, at(48), sam.id);

  committed(3, sam, 2); // "QA" is a started state
  sc.move(3, 'In Progress', at(72), sam.id);
  sc.move(3, 'QA', at(22), sam.id);

  story(4, sam, 1); // added after the start
  sc.setIteration(4, 42, at(72));

  committed(5, maya, 3); // removed mid-iteration
  sc.setIteration(5, null, at(48));

  committed(6, kim, 2); // moved back from Done
  sc.move(6, 'In Progress', at(90), kim.id);
  sc.move(6, 'Done', at(70), kim.id);
  sc.move(6, 'In Progress', at(20), kim.id);

  story(7, maya, 5); // carried over: iteration 41 ended with it open, it was moved to 42
  sc.setIteration(7, 41, at(START + 340));
  sc.move(7, 'In Progress', at(216), maya.id);
  sc.setIteration(7, 42, at(START + 1));

  committed(8, maya, 1); // "Won't Do" is a done-type state
  sc.move(8, "Won't Do", at(36), maya.id);

  committed(9, undefined, 2); // unassigned

  committed(10, sam, 3);
  sc.move(10, 'Blocked', at(80), sam.id);

  committed(12, maya, 8); // planned in, then moved out before the start: in none of the figures
  sc.setIteration(12, null, at(START + 2));
}

describeEachEngine('a Shortcut iteration through /em sprint and /em standup (hand-computed)', ({ freshDb }) => {
  let sc: ShortcutStandIn;
  let h: BotHarness;
  afterEach(async () => {
    await h?.stop();
    await sc?.stop();
  });

  test('same figures as the Jira sprint, with the pace of a sprint that started at midnight', async () => {
    sc = await new ShortcutStandIn().start();
    buildWorkspace(sc);
    const db = await freshDb();
    const result = await syncShortcut({
      db,
      logger: createLogger('silent'),
      client: createShortcutClient({ token: sc.token, apiUrl: sc.url }),
      teams: ['mobile'],
      backfillSince: new Date('2026-10-01T00:00:00Z'),
    });
    expect(result).toMatchObject({ stories: 11, sprints: 2, rejected: 0 });
    const asked = await askSprintAndStandup(db);
    h = asked.h;
    const { sprint, standup } = asked;
    expect(sprint).toContain('*Sprint health* — Iteration 42 (shortcut)');
    // Committed: in the iteration at its start, with the estimate then: 1 5, 2 3 (raised to 8 later), 3 2,
    // 5 3 (removed later), 6 2, 7 5, 8 1, 9 2, 10 3 = 9 items, 26 points.
    // Completed: in it now, done type: 1 5 + 8 1 (Won't Do) = 2 items, 6 points; 6 was reopened. 6 / 26 = 23 %.
    expect(sprint).toContain(
      '*Committed*: 9 items, 26 points · *completed*: 2 items, 6 points (23% of committed points)',
    );
    // Added: 4 (1 point) joined after the start; removed: 5 (3 points at the start).
    expect(sprint).toContain('*Scope change*: +1 items (1 points) added after the start, −1 removed (3 points)');
    // Carried over: 7 (5 points) was in iteration 41.
    expect(sprint).toContain('*Carried over*: 1 committed items (5 points) were already in an earlier sprint');
    // Open now: 2 8 + 3 2 + 4 1 + 6 2 + 7 5 + 9 2 + 10 3 = 23 points. 108 h = 4.5 days elapsed: day 5;
    // 132 h = 5.5 days left: 6.
    expect(sprint).toContain('*Time*: day 5, 6 days left · 23 points open');
    // Pace 6 points / 4.5 days = 1.33 a day; 23 − 1.33 × 5.5 = 15.67 → 16.
    expect(sprint).toContain('At the current pace about *16 points* will carry over.');
    expect(sprint).toContain(':construction: *Blocked*: SC-10');
    // In progress for more than 3 days: 2 since 84 h (3.5 d), 7 since 216 h (9 d); 3 in QA only 22 h.
    expect(sprint).toContain(':snail: *Aging in progress*: SC-2 (3 d in In Progress), SC-7 (9 d in In Progress)');

    // 1 went QA (10 h ago) then Done (5 h ago); 6 was reopened 20 h ago. Names come from Shortcut's members.
    expect(standup).toContain('*Kim Park*\n:arrow_right: moved SC-1 → Done, SC-6 → In Progress');
    expect(standup).toContain('*Sam Lee*\n:arrow_right: moved SC-3 → QA\n:construction: blocked: SC-10');
    // Maya's last move (8, 36 h ago) is outside the 24 hours; the unassigned 9 belongs to nobody.
    expect(standup).not.toContain('Maya');
    expect(standup).toContain('*Team*: 0 merged · 0 opened · 0 reviews · 3 tickets moved · 1 blocked');
  });
});
