// The emulator is only worth its tests if it behaves like Slack. These drive it with Slack's own
// Web API client and with a bare WebSocket, the way the bot and Slack's SDKs see it.
import { WebClient } from '@slack/web-api';
import WebSocket from 'ws';
import { SlackEmulator } from '../support/slack/emulator.js';

describe('Slack emulator fidelity', () => {
  let emulator: SlackEmulator;
  let client: WebClient;
  beforeEach(async () => {
    emulator = await new SlackEmulator().start();
    client = new WebClient(emulator.botToken, { slackApiUrl: emulator.apiUrl, retryConfig: { retries: 0 } });
  });
  afterEach(() => emulator.stop());

  test('token checks: a wrong token is invalid_auth; the app token cannot call bot methods', async () => {
    await expect(
      new WebClient('xoxb-wrong', { slackApiUrl: emulator.apiUrl, retryConfig: { retries: 0 } }).auth.test(),
    ).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
    await expect(
      new WebClient(emulator.appToken, { slackApiUrl: emulator.apiUrl, retryConfig: { retries: 0 } }).auth.test(),
    ).rejects.toMatchObject({ data: { error: 'not_allowed_token_type' } });
    await expect(client.auth.test()).resolves.toMatchObject({ ok: true, user_id: emulator.workspace.botUserId });
  });

  test('channels: create, name_taken, invalid names, invite, topic, archive', async () => {
    const alice = emulator.workspace.addUser({ name: 'alice' }).id;
    const created = await client.conversations.create({ name: 'inc-20261125-db-down' });
    const id = created.channel?.id as string;
    await expect(client.conversations.create({ name: 'inc-20261125-db-down' })).rejects.toMatchObject({
      data: { error: 'name_taken' },
    });
    await expect(client.conversations.create({ name: 'Has Spaces!' })).rejects.toMatchObject({
      data: { error: 'invalid_name' },
    });
    await client.conversations.invite({ channel: id, users: alice });
    await expect(client.conversations.invite({ channel: id, users: alice })).rejects.toMatchObject({
      data: { error: 'already_in_channel' },
    });
    await client.conversations.setTopic({ channel: id, topic: 'SEV2 · investigating' });
    expect((await client.conversations.info({ channel: id })).channel?.topic?.value).toBe('SEV2 · investigating');
    const posted = await client.chat.postMessage({ channel: id, text: 'incident card' });
    await client.pins.add({ channel: id, timestamp: posted.ts as string });
    await client.conversations.archive({ channel: id });
    await expect(client.chat.postMessage({ channel: id, text: 'late' })).rejects.toMatchObject({
      data: { error: 'is_archived' },
    });
    expect(emulator.messagesIn(id)[0]?.pinned).toBe(true);
  });

  test('messages: invalid blocks are refused with a JSON pointer; unknown channels are channel_not_found', async () => {
    const channel = emulator.workspace.addChannel('eng').id;
    await expect(
      client.chat.postMessage({
        channel,
        text: 'x',
        blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }],
      }),
    ).rejects.toMatchObject({
      data: {
        error: 'invalid_blocks',
        errors: ['must be less than 151 characters [json-pointer:/blocks/0/text/text]'],
      },
    });
    await expect(client.chat.postMessage({ channel: 'C0NOPE', text: 'x' })).rejects.toMatchObject({
      data: { error: 'channel_not_found' },
    });
    await expect(client.chat.postMessage({ channel, text: 'x'.repeat(40_001) })).rejects.toMatchObject({
      data: { error: 'msg_too_long' },
    });
  });

  test("files.uploadV2 (Slack's two-step external upload) shares the bytes in a channel", async () => {
    const channel = emulator.workspace.addChannel('reports', { members: [emulator.workspace.botUserId] }).id;
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    await client.files.uploadV2({
      channel_id: channel,
      file: png,
      filename: 'dora.png',
      title: 'DORA trend',
      initial_comment: 'Weekly DORA',
    });
    const [file] = [...emulator.workspace.files.values()];
    expect(file).toMatchObject({ filename: 'dora.png', title: 'DORA trend', completed: true, channels: [channel] });
    expect(file?.bytes.equals(png)).toBe(true);
    expect(emulator.messagesIn(channel).at(-1)?.files?.[0]?.id).toBe(file?.id);
  });

  test('users: lookupByEmail finds people; an unknown address is users_not_found', async () => {
    const bob = emulator.workspace.addUser({ name: 'bob', email: 'Bob@Acme.dev' });
    expect((await client.users.lookupByEmail({ email: 'bob@acme.dev' })).user?.id).toBe(bob.id);
    await expect(client.users.lookupByEmail({ email: 'nobody@acme.dev' })).rejects.toMatchObject({
      data: { error: 'users_not_found' },
    });
  });

  test('an envelope not acked within the deadline is redelivered with retry_attempt and retry_reason', async () => {
    const fast = await new SlackEmulator({ ackDeadlineMs: 300 }).start();
    try {
      const { url } = (await (
        await fetch(`${fast.apiUrl}apps.connections.open`, {
          method: 'POST',
          headers: { authorization: `Bearer ${fast.appToken}` },
        })
      ).json()) as { url: string };
      const ws = new WebSocket(url);
      const received: { envelope_id: string; retry_attempt?: number; retry_reason?: string; type?: string }[] = [];
      ws.on('message', (data) => {
        const message = JSON.parse(data.toString());
        if (message.type === 'hello') return;
        received.push(message);
        // Ack only the redelivery, as an app whose first ack was lost would.
        if (message.retry_attempt === 1) ws.send(JSON.stringify({ envelope_id: message.envelope_id, payload: {} }));
      });
      await fast.waitForConnections(1);
      const user = fast.workspace.addUser({ name: 'alice' }).id;
      const delivery = await fast.openHome(user);
      expect(delivery).toMatchObject({ acked: true, attempts: 2 });
      expect(received.map((r) => [r.retry_attempt, r.retry_reason])).toEqual([
        [undefined, undefined],
        [1, 'timeout'],
      ]);
      ws.close();
    } finally {
      await fast.stop();
    }
  });

  test('a modal can only be opened with a fresh trigger_id', async () => {
    await expect(
      client.views.open({
        trigger_id: 'made-up',
        view: { type: 'modal', title: { type: 'plain_text', text: 'x' }, blocks: [] },
      }),
    ).rejects.toMatchObject({ data: { error: 'invalid_trigger_id' } });
  });
});
