import { notice } from '../../blocks/notice.js';
import { triageSyntax } from '../../src/reports/args.js';
import { COMMAND_CONCURRENCY } from '../../src/slack/command-slots.js';
import { type BotHarness, startBotHarness, visibleText } from '../support/slack/harness.js';

describe('many /em commands at once', () => {
  let h: BotHarness;
  let running = 0;
  let mostAtOnce = 0;
  let started = 0;
  let release: () => void = () => {};
  let released = new Promise<void>((resolve) => {
    release = resolve;
  });

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
    released = Promise.resolve();
  });
});
