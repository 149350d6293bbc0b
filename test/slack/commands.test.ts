import { notice } from '../../blocks/notice.js';
import { triageSyntax } from '../../src/reports/args.js';
import { seriesValue, waitForSeries } from '../support/metrics.js';
import { type BotHarness, startBotHarness, visibleText } from '../support/slack/harness.js';

describe('/em over Socket Mode (emulated Slack)', () => {
  let h: BotHarness;
  const triageRuns: string[] = [];

  beforeAll(async () => {
    h = await startBotHarness({
      register: (commands) =>
        commands.registerOwn(triageSyntax, async (ctx) => {
          triageRuns.push(ctx.userId);
          await ctx.progress('Looking at 3 repositories…');
          return notice('2 PRs need review: acme/api#12, acme/web#40', ':mag:');
        }),
    });
  });
  afterAll(() => h.stop());

  test('/em help answers at once with every command, privately', async () => {
    const delivery = await h.emulator.command({ user: h.users.alice, channel: h.channels.eng, text: 'help' });
    expect(delivery.acked).toBe(true);
    expect(delivery.attempts).toBe(1);
    expect(delivery.ack?.response_type).toBe('ephemeral');
    const text = visibleText(delivery.ack as never);
    for (const command of ['triage', 'standup', 'sprint', 'dora', 'signals', 'approvals', 'ask', 'incident']) {
      expect(text).toContain(`/em ${command}`);
    }
    expect(h.emulator.messagesIn(h.channels.eng)).toHaveLength(0);
  });

  test('a misspelt command gets help naming the closest command', async () => {
    const delivery = await h.emulator.command({ user: h.users.alice, channel: h.channels.eng, text: 'stnadup 48' });
    expect(visibleText(delivery.ack as never)).toContain('Did you mean `/em standup`?');
  });

  test('an over-long command is refused under the subcommand typed, and nothing else of the text is echoed', async () => {
    const long = `${'why is the build red '.repeat(500)}<!channel>`;
    const ask = await h.emulator.command({ user: h.users.alice, channel: h.channels.eng, text: `ask ${long}` });
    expect(visibleText(ask.ack as never)).toMatch(/`\/em ask`: that is \d+ characters; \/em takes at most 4000/);
    const other = await h.emulator.command({ user: h.users.alice, channel: h.channels.eng, text: long });
    const text = visibleText(other.ack as never);
    expect(text).toMatch(/`\/em`: that is \d+ characters/);
    expect(text).not.toContain('why is the build');
  });

  test('a malformed argument gets a specific usage message', async () => {
    const delivery = await h.emulator.command({ user: h.users.alice, channel: h.channels.eng, text: 'standup 9999' });
    expect(visibleText(delivery.ack as never)).toContain('hours must be between 1 and 336');
    // A window of the right shape but too long says so, not that it has the wrong shape.
    const dora = await h.emulator.command({ user: h.users.alice, channel: h.channels.eng, text: 'dora 99999d' });
    expect(visibleText(dora.ack as never)).toContain('window must be between 1 day and 365 days');
  });

  test('a command whose capability is not set up says so honestly', async () => {
    const delivery = await h.emulator.command({ user: h.users.bob, channel: h.channels.eng, text: 'dora 12w' });
    expect(visibleText(delivery.ack as never)).toContain('`/em dora` is not configured yet');
  });

  test('a registered command acks with "working on it", then replaces it with progress and the result', async () => {
    const delivery = await h.emulator.command({ user: h.users.bob, channel: h.channels.eng, text: 'triage' });
    expect(visibleText(delivery.ack as never)).toContain('Working on `/em triage`');
    const final = await h.emulator.waitFor(() =>
      h.emulator.ephemeralsFor(h.users.bob).find((e) => visibleText(e).includes('2 PRs need review')),
    );
    expect(final.via).toBe('response_url');
    // Progress and result replaced the first answer in place: bob sees one message for this command.
    const forThisCommand = h.emulator.ephemeralsFor(h.users.bob).filter((e) => e.responseUrl === final.responseUrl);
    expect(forThisCommand).toHaveLength(1);
    expect(h.emulator.responseUrlPosts.some((p) => JSON.stringify(p.body).includes('Looking at 3 repositories'))).toBe(
      true,
    );
  });

  test('`post #channel` posts the report in that channel and confirms privately', async () => {
    await h.emulator.command({ user: h.users.alice, channel: h.channels.eng, text: 'triage post #eng-leads' });
    const posted = await h.emulator.waitFor(() => h.emulator.messagesIn(h.channels.leads).at(-1));
    expect(visibleText(posted)).toContain('2 PRs need review');
    await h.emulator.waitFor(() => h.emulator.ephemeralsFor(h.users.alice).find((e) => e.text.startsWith('Posted to')));
  });

  test('`post` to a channel the bot cannot reach gives a clear reason', async () => {
    await h.emulator.command({ user: h.users.alice, channel: h.channels.eng, text: 'triage post #nowhere' });
    const answer = await h.emulator.waitFor(() =>
      h.emulator.ephemeralsFor(h.users.alice).find((e) => e.text.includes("I can't find #nowhere")),
    );
    expect(answer.text).toContain('/invite @EM Agent');
    await h.emulator.command({ user: h.users.alice, channel: h.channels.eng, text: 'triage post #ops-private' });
    await h.emulator.waitFor(() =>
      h.emulator.ephemeralsFor(h.users.alice).find((e) => e.text.includes("I'm not a member of #ops-private")),
    );
  });

  test('mentions and markup typed by a user are shown as typed and ping nobody', async () => {
    const delivery = await h.emulator.command({
      user: h.users.alice,
      channel: h.channels.eng,
      text: '<!channel> *boom*',
    });
    const text = visibleText(delivery.ack as never);
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).not.toContain('<!channel>');
  });

  test('the same slash command delivered twice runs once', async () => {
    const before = triageRuns.length;
    const redeliveries = await seriesValue('slack_deliveries_total', { outcome: 'redelivery' });
    const first = await h.emulator.command({ user: h.users.alice, channel: h.channels.eng, text: 'triage' });
    const again = await h.emulator.deliver('slash_commands', first.envelope.payload);
    expect(again.acked).toBe(true);
    expect(again.ack).toEqual(first.ack); // the same immediate answer again, but no second run
    await h.emulator.waitFor(() => triageRuns.length > before);
    await waitForSeries('slack_deliveries_total', { outcome: 'redelivery' }, redeliveries);
    expect(triageRuns.length).toBe(before + 1);
  });
});
