// What the Jira sprint and the Linear cycle tests share: one clock, one timeline (hours before NOW), and asking
// the bot for `/em sprint` and `/em standup 24` through the emulated Slack, read as a person sees them.

import { sprintSyntax, standupSyntax } from '../../src/reports/args.js';
import { sprintCommand, standupCommand } from '../../src/reports/listeners.js';
import type { Db } from '../../src/store/db.js';
import { type BotHarness, startBotHarness, visibleText } from './slack/harness.js';

export const NOW = new Date('2026-11-25T12:00:00Z'); // the commands' clock
export const at = (hoursBeforeNow: number) => new Date(NOW.getTime() - hoursBeforeNow * 3_600_000).toISOString();
/** The sprint (cycle) 42 started 4 days (96 h) before NOW and ends 6 days after it. */
export const START = 96;
/** Committed work was put in the sprint the day before it started. */
export const PLANNED = START + 24;

/** Links as their labels, so lines read as a person sees them. */
const shown = (payload: Parameters<typeof visibleText>[0]) => visibleText(payload).replace(/<[^|>]+\|([^>]+)>/g, '$1');

/**
 * Starts the bot on `db` with the sprint and standup commands on NOW's clock, and returns what alice sees for
 * `/em sprint` and bob for `/em standup 24`. The caller stops the harness.
 */
export async function askSprintAndStandup(db: Db): Promise<{ h: BotHarness; sprint: string; standup: string }> {
  const h = await startBotHarness({
    db,
    register: (commands) =>
      commands
        .registerOwn(
          sprintSyntax,
          sprintCommand(undefined, () => NOW),
        )
        .registerOwn(
          standupSyntax,
          standupCommand(undefined, () => NOW),
        ),
  });
  try {
    await h.emulator.command({ user: h.users.alice, channel: h.channels.eng, text: 'sprint' });
    const sprint = shown(
      await h.emulator.waitFor(() =>
        h.emulator.ephemeralsFor(h.users.alice).find((e) => visibleText(e).includes('Sprint health')),
      ),
    );
    await h.emulator.command({ user: h.users.bob, channel: h.channels.eng, text: 'standup 24' });
    const standup = shown(
      await h.emulator.waitFor(() =>
        h.emulator.ephemeralsFor(h.users.bob).find((e) => visibleText(e).includes('*Standup*')),
      ),
    );
    return { h, sprint, standup };
  } catch (err) {
    await h.stop();
    throw err;
  }
}

/**
 * What both vendors' versions of the same hand-made sprint must show, its items keyed `<key>-1` … `<key>-10`
 * (ENG in Jira, APP in Linear).
 */
export function expectTheHandComputedSprint(sprint: string, standup: string, key: string): void {
  const k = (n: number) => `${key}-${n}`;
  // Committed: in the sprint at its start, with the estimate then: 1 5, 2 3 (raised to 8 later), 3 2,
  // 5 3 (removed later), 6 2, 7 5, 8 1, 9 2, 10 3 = 9 items, 26 points.
  // Completed: in it now, done category: 1 5 + 8 1 (Won't Do / canceled) = 2 items, 6 points; 6 was reopened.
  // 6 / 26 = 23 %.
  expect(sprint).toContain(
    '*Committed*: 9 items, 26 points · *completed*: 2 items, 6 points (23% of committed points)',
  );
  // Added: 4 (1 point) joined after the start; removed: 5 (3 points at the start).
  expect(sprint).toContain('*Scope change*: +1 items (1 points) added after the start, −1 removed (3 points)');
  // Carried over: 7 (5 points) was in sprint 41.
  expect(sprint).toContain('*Carried over*: 1 committed items (5 points) were already in an earlier sprint');
  // Open now: 2 8 + 3 2 + 4 1 + 6 2 + 7 5 + 9 2 + 10 3 = 23 points; day 5 of 10.
  expect(sprint).toContain('*Time*: day 5, 6 days left · 23 points open');
  // Pace 6 points / 4 days = 1.5 a day; 23 − 1.5 × 6 = 14.
  expect(sprint).toContain('At the current pace about *14 points* will carry over.');
  expect(sprint).toContain(`:construction: *Blocked*: ${k(10)}`);
  // In progress for more than 3 days: 2 since 84 h (3.5 d), 7 since 216 h (9 d); 3 in QA only 22 h.
  expect(sprint).toContain(`:snail: *Aging in progress*: ${k(2)} (3 d in In Progress), ${k(7)} (9 d in In Progress)`);

  // 1 went QA (10 h ago) then Done (5 h ago): it shows Done, whichever order the history was stored in;
  // 6 was reopened 20 h ago.
  expect(standup).toContain(`*Kim Park*\n:arrow_right: moved ${k(1)} → Done, ${k(6)} → In Progress`);
  expect(standup).toContain(`*Sam Lee*\n:arrow_right: moved ${k(3)} → QA\n:construction: blocked: ${k(10)}`);
  // Maya's last move (8, 36 h ago) is outside the 24 hours; the unassigned 9 belongs to nobody.
  expect(standup).not.toContain('Maya');
  expect(standup).toContain('*Team*: 0 merged · 0 opened · 0 reviews · 3 tickets moved · 1 blocked');
}
