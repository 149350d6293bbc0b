// What the Jira sprint and the Linear cycle tests share: one clock, one timeline (hours before NOW), and asking
// the bot for `/em sprint` and `/em standup 24` through the emulated Slack, read as a person sees them.
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
        .register(
          'sprint',
          sprintCommand(undefined, () => NOW),
        )
        .register(
          'standup',
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
