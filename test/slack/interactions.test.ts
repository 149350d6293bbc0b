import { countEvents } from '../../src/sync/store.js';
import { eventually } from '../support/eventually.js';
import { seriesValue, waitForSeries } from '../support/metrics.js';
import { type BotHarness, startBotHarness, visibleText } from '../support/slack/harness.js';
import { everySlackSurface } from '../support/slack/surfaces.js';

describe('App Home, buttons, shortcuts and modals (emulated Slack)', () => {
  let h: BotHarness;
  beforeAll(async () => {
    // The capabilities' shortcuts and modals, built without services: these tests stop before any service runs.
    h = await startBotHarness({ surfaces: everySlackSurface() });
  });
  afterAll(() => h.stop());

  test('opening the Home tab publishes the dashboard frame, which renders with no data', async () => {
    await h.emulator.openHome(h.users.alice);
    const home = await h.emulator.waitFor(() => h.emulator.homeOf(h.users.alice));
    const text = visibleText({ blocks: home.blocks });
    for (const section of ['Waiting for you', 'Signals', 'DORA four keys', 'Current sprint', 'Incidents']) {
      expect(text).toContain(section);
    }
    expect(text).toContain('No open incidents.');
  });

  test('the Refresh button republishes the Home tab', async () => {
    await h.emulator.openHome(h.users.bob);
    await h.emulator.waitFor(() => h.emulator.homeOf(h.users.bob));
    const before = h.emulator.callsTo('views.publish').filter((c) => c.args.user_id === h.users.bob).length;
    const click = await h.emulator.click({ user: h.users.bob, actionId: 'home_refresh', where: 'home' });
    expect(click.acked).toBe(true);
    await h.emulator.waitFor(
      () =>
        h.emulator.callsTo('views.publish').filter((c) => c.args.user_id === h.users.bob && c.ok).length === before + 1,
    );
  });

  test('the "Ask EM Agent" shortcut opens a modal; an empty question is refused in the modal', async () => {
    await h.emulator.globalShortcut({ user: h.users.alice, callbackId: 'ask_em_agent' });
    const modal = await h.emulator.waitFor(() => h.emulator.topModalOf(h.users.alice));
    expect(modal.callback_id).toBe('ask_modal');
    const refused = await h.emulator.submitView({ user: h.users.alice, values: { question: '  ' } });
    expect(refused.ack).toEqual({
      response_action: 'errors',
      errors: { ask_question: 'Ask a question of at least 3 characters.' },
    });
    expect(h.emulator.topModalOf(h.users.alice)?.id).toBe(modal.id); // still open, showing the error
    const accepted = await h.emulator.submitView({ user: h.users.alice, values: { question: 'How do we roll back?' } });
    expect(accepted.ack).toEqual({});
    expect(h.emulator.topModalOf(h.users.alice)).toBeUndefined();
    const dm = await h.emulator.waitFor(() =>
      h.emulator.callsTo('chat.postMessage').find((c) => c.args.channel === h.users.alice),
    );
    expect(String(dm.args.text)).toContain('`/em ask` is not configured yet');
  });

  test('"Declare incident" on a message opens a modal prefilled from it; a too-short title is refused', async () => {
    const message = await h.emulator.userPosts({
      user: h.users.bob,
      channel: h.channels.eng,
      text: 'checkout is returning 500s\nsince 10:02',
    });
    await h.emulator.messageShortcut({
      user: h.users.bob,
      callbackId: 'declare_incident',
      channel: h.channels.eng,
      ts: message.ts,
    });
    const modal = await h.emulator.waitFor(() => h.emulator.topModalOf(h.users.bob));
    expect(JSON.stringify(modal.blocks)).toContain('checkout is returning 500s');
    const refused = await h.emulator.submitView({ user: h.users.bob, values: { title: 'x' } });
    expect(refused.ack).toEqual({
      response_action: 'errors',
      errors: { title: 'Give the incident a title of at least 3 characters.' },
    });
    const ok = await h.emulator.submitView({
      user: h.users.bob,
      values: { title: 'checkout is returning 500s', severity: 'SEV2' },
    });
    expect(ok.ack).toEqual({});
  });

  test('"Ask about this message" opens the ask modal quoting the message', async () => {
    const message = await h.emulator.userPosts({
      user: h.users.alice,
      channel: h.channels.eng,
      text: 'what is our deploy freeze policy?',
    });
    await h.emulator.messageShortcut({
      user: h.users.alice,
      callbackId: 'ask_about_message',
      channel: h.channels.eng,
      ts: message.ts,
    });
    const modal = await h.emulator.waitFor(() => h.emulator.topModalOf(h.users.alice));
    expect(visibleText({ blocks: modal.blocks })).toContain('what is our deploy freeze policy?');
  });

  test('channel messages and reactions the bot hears are stored once, even when redelivered', async () => {
    const before = await countEvents(h.db, { source: 'slack' });
    const redeliveries = await seriesValue('slack_deliveries_total', { outcome: 'redelivery' });
    const message = await h.emulator.userPosts({
      user: h.users.alice,
      channel: h.channels.eng,
      text: 'deployed v1.42',
    });
    await h.emulator.userReacts({ user: h.users.bob, channel: h.channels.eng, ts: message.ts, reaction: 'pushpin' });
    const redelivered = h.emulator.deliveries.at(-1)!;
    await h.emulator.deliver('events_api', redelivered.envelope.payload);
    await eventually(async () => (await countEvents(h.db, { source: 'slack' })) >= before + 2 || undefined);
    // The redelivery reached the bot and was turned away before any listener (the events table would dedupe anyway).
    await waitForSeries('slack_deliveries_total', { outcome: 'redelivery' }, redeliveries);
    expect(await countEvents(h.db, { source: 'slack' })).toBe(before + 2);
    expect(await countEvents(h.db, { source: 'slack', kind: 'reaction_added' })).toBe(1);
  });

  test('the same "bot joined" event delivered twice posts one introduction', async () => {
    const channel = h.emulator.workspace.addChannel('new-team', {
      members: [h.users.alice, h.emulator.workspace.botUserId],
    });
    const redeliveries = await seriesValue('slack_deliveries_total', { outcome: 'redelivery' });
    const first = await h.emulator.event({
      type: 'member_joined_channel',
      user: h.emulator.workspace.botUserId,
      channel: channel.id,
      channel_type: 'C',
      team: h.emulator.workspace.teamId,
      event_ts: h.emulator.workspace.nextTs(),
    });
    await h.emulator.deliver('events_api', first.envelope.payload);
    await h.emulator.waitFor(() => h.emulator.messagesIn(channel.id).length > 0);
    await waitForSeries('slack_deliveries_total', { outcome: 'redelivery' }, redeliveries);
    await h.emulator.settle(); // a second introduction would be a chat.postMessage after the claim
    expect(h.emulator.messagesIn(channel.id)).toHaveLength(1);
    expect(h.emulator.messagesIn(channel.id)[0]!.text).toContain('/em help');
  });
});

describe('connection faults (emulated Slack)', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness({ emulator: { tierOverrides: { 'views.publish': { perMinute: 60, burst: 1 } } } });
  });
  afterAll(() => h.stop());

  test('after the socket drops, the bot reconnects and a command sent during the outage is answered once', async () => {
    const opens = h.emulator.callsTo('apps.connections.open').length;
    h.emulator.dropConnections();
    const pending = h.emulator.command({ user: h.users.alice, channel: h.channels.eng, text: 'help' });
    await h.emulator.waitForConnections(1, 20_000);
    const delivery = await pending;
    expect(delivery.acked).toBe(true);
    expect(h.emulator.callsTo('apps.connections.open').length).toBeGreaterThan(opens);
    const answers = h.emulator
      .ephemeralsFor(h.users.alice)
      .filter((e) => e.responseUrl === String(delivery.envelope.payload.response_url).split('/response/')[1]);
    expect(answers).toHaveLength(1);
  });

  test('a "disconnect: refresh_requested" message makes the bot reconnect and keep answering', async () => {
    const opens = h.emulator.callsTo('apps.connections.open').length;
    h.emulator.requestRefresh();
    await h.emulator.waitFor(() => h.emulator.callsTo('apps.connections.open').length > opens, 20_000, 'reconnect');
    await h.emulator.waitForConnections(1, 20_000);
    const delivery = await h.emulator.command({ user: h.users.bob, channel: h.channels.eng, text: 'help' });
    expect(delivery.acked).toBe(true);
  });

  test('a rate-limited Web API call (429 + Retry-After) is retried after the wait and succeeds', async () => {
    await h.emulator.openHome(h.users.alice);
    await h.emulator.openHome(h.users.alice);
    await h.emulator.waitFor(
      () => h.emulator.callsTo('views.publish').filter((c) => c.ok).length === 2,
      15_000,
      'both publishes',
    );
    expect(h.emulator.callsTo('views.publish').some((c) => c.status === 429)).toBe(true);
  });
});
