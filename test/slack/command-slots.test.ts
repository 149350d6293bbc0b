import { notice } from '../../blocks/notice.js';
import { triageSyntax } from '../../src/reports/args.js';
import { COMMAND_CONCURRENCY } from '../../src/slack/command-slots.js';
import { type BotHarness, startBotHarness, visibleText } from '../support/slack/harness.js';

/** Reports that wait until the test lets them finish. */
function gate() {
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { released, release: () => release() };
}

describe('many /em commands at once', () => {
  let h: BotHarness;
  let running = 0;
  let mostAtOnce = 0;
  let started = 0;
  const { released, release } = gate();

  beforeAll(async () => {
    h = await startBotHarness({
      register: (commands) =>
        commands.registerOwn(triageSyntax, async () => {
          const mine = ++started;
          running += 1;
          mostAtOnce = Math.max(mostAtOnce, running);
          try {
            await released;
            if (mine === 1) throw new Error('the first report breaks');
            return notice(`report ${mine} ready`, ':mag:');
          } finally {
            running -= 1;
          }
        }),
    });
  });
  afterAll(() => h.stop());

  test('are all acked while their work waits, run a few at a time, and a failing one frees its turn', async () => {
    const people = [h.users.alice, h.users.bob];
    const deliveries = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        h.emulator.command({ user: people[i % 2] as string, channel: h.channels.eng, text: 'triage' }),
      ),
    );
    // Every ack went out while no report had finished: the work held back did not hold back Slack.
    expect(deliveries.map((d) => [d.acked, d.attempts])).toEqual(Array.from({ length: 12 }, () => [true, 1]));
    expect(deliveries.every((d) => visibleText(d.ack as never).includes('Working on `/em triage`'))).toBe(true);
    await h.emulator.waitFor(() => started === COMMAND_CONCURRENCY || undefined);
    expect(started).toBe(COMMAND_CONCURRENCY);

    release();
    const answered = () =>
      people.flatMap((p) => h.emulator.ephemeralsFor(p)).filter((e) => /report \d+ ready|failed/.test(visibleText(e)));
    await h.emulator.waitFor(() => (answered().length === 12 ? true : undefined), 20_000);
    expect(mostAtOnce).toBe(COMMAND_CONCURRENCY);
    expect(answered().filter((e) => visibleText(e).includes('`/em triage` failed'))).toHaveLength(1);
    expect(started).toBe(12);
  });
});

describe('/em commands still waiting when the bot stops', () => {
  let h: BotHarness;
  let started = 0;
  const { released, release } = gate();

  beforeAll(async () => {
    h = await startBotHarness({
      register: (commands) =>
        commands.registerOwn(triageSyntax, async () => {
          const mine = ++started;
          await released;
          return notice(`report ${mine} ready`, ':mag:');
        }),
    });
  });
  afterAll(async () => {
    release();
    await h.stop();
  });

  test('are told at once to run them again; those under way finish; none begins after the stop', async () => {
    const people = [h.users.alice, h.users.bob];
    const total = COMMAND_CONCURRENCY + 3;
    await Promise.all(
      Array.from({ length: total }, (_, i) =>
        h.emulator.command({ user: people[i % 2] as string, channel: h.channels.eng, text: 'triage' }),
      ),
    );
    await h.emulator.waitFor(() => started === COMMAND_CONCURRENCY || undefined);
    const replies = () => people.flatMap((p) => h.emulator.ephemeralsFor(p)).map((e) => visibleText(e));
    const stopping = h.bot.stop();
    // Told while the reports under way still hold their turns: nobody waits on a "Working on" that will not come.
    const toldAgain = await h.emulator.waitFor(() => {
      const told = replies().filter((t) =>
        t.includes('stopped (a restart or an update) before it finished `/em triage`'),
      );
      return told.length === 3 ? told : undefined;
    });
    expect(toldAgain).toHaveLength(3);
    expect(replies().filter((t) => /report \d+ ready/.test(t))).toHaveLength(0);
    release();
    await stopping;
    expect(
      replies()
        .filter((t) => /report \d+ ready/.test(t))
        .sort(),
    ).toEqual(Array.from({ length: COMMAND_CONCURRENCY }, (_, i) => `:mag: report ${i + 1} ready`).sort());
    expect(replies().filter((t) => t.includes('Working on'))).toEqual([]);
    expect(started).toBe(COMMAND_CONCURRENCY);
  });
});
