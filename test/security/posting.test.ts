import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SlackEmulator } from '../../dev/slack/emulator.js';
import type { App } from '../../src/app.js';
import { startServiceOnEmulator } from '../support/service.js';

describe('`post #channel` needs the requester to be a member of that channel', () => {
  let emulator: SlackEmulator;
  let app: App;
  let dir: string;
  let alice: string;
  let bob: string;
  let eng: string;
  let secret: string;
  beforeAll(async () => {
    emulator = await new SlackEmulator().start();
    const ws = emulator.workspace;
    alice = ws.addUser({ name: 'alice' }).id;
    bob = ws.addUser({ name: 'bob' }).id;
    eng = ws.addChannel('eng', { members: [alice, bob, ws.botUserId] }).id;
    // The bot is in the private channel (incident rooms, leads' channels); bob is not.
    secret = ws.addChannel('secret-ops', { members: [alice, ws.botUserId], isPrivate: true }).id;
    dir = mkdtempSync(path.join(tmpdir(), 'em-sec-post-'));
    app = await startServiceOnEmulator(emulator, dir, { policies: 'policies: []\n' });
  }, 60_000);
  afterAll(async () => {
    await app.stop();
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const reply = (pattern: RegExp, after: number) =>
    emulator.waitFor(() =>
      emulator.responseUrlPosts
        .slice(after)
        .map((p) => JSON.stringify(p.body))
        .find((t) => pattern.test(t)),
    );

  test.each([
    ['triage post #secret-ops'],
    ['ask post #secret-ops <!here> how do I deploy?'],
    ['signals post #secret-ops'],
    ['triage post <#SECRET|secret-ops>'],
  ])('a non-member running `/em %s` is refused in one line and nothing is posted', async (text) => {
    const before = emulator.responseUrlPosts.length;
    await emulator.command({ user: bob, channel: eng, text: text.replace('SECRET', secret) });
    const answer = await reply(/not a member of/, before);
    expect(answer).toMatch(/You are not a member of (#secret-ops|<#\w+>), so I won't post there for you\./);
    expect(emulator.messagesIn(secret)).toHaveLength(0);
  });

  test('a member may post there, and loses that the moment they leave the channel', async () => {
    let before = emulator.responseUrlPosts.length;
    await emulator.command({ user: alice, channel: eng, text: 'triage post #secret-ops' });
    await reply(/Posted to/, before);
    expect(emulator.messagesIn(secret)).toHaveLength(1);

    await emulator.userLeaves({ user: alice, channel: secret }); // member_left_channel, well within the cache's minute
    before = emulator.responseUrlPosts.length;
    await emulator.command({ user: alice, channel: eng, text: 'triage post #secret-ops' });
    await reply(/not a member of/, before);
    expect(emulator.messagesIn(secret)).toHaveLength(1);
  });
});
