import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SlackEmulator } from '../../dev/slack/emulator.js';
import type { App } from '../../src/app.js';
import { startServiceOnEmulator } from '../support/service.js';
import { visibleText } from '../support/slack/harness.js';

const POLICIES = [
  'policies:',
  '  - { name: posts, action: slack.post, mode: approve, approvers: ["@eng-leads"], channel: "#eng-leads" }',
].join('\n');

let emulator: SlackEmulator;
let app: App;
let dir: string;
const u = { alice: '', carol: '', bob: '' };
let general: string;

beforeAll(async () => {
  emulator = await new SlackEmulator().start();
  const ws = emulator.workspace;
  for (const n of ['alice', 'carol', 'bob'] as const) u[n] = ws.addUser({ name: n, email: `${n}@acme.dev` }).id;
  ws.addChannel('eng-leads', { members: [u.alice, u.carol, ws.botUserId] });
  general = ws.addChannel('general', { members: [u.bob, u.alice, ws.botUserId] }).id;
  ws.userGroups.set('S0LEADS', { id: 'S0LEADS', handle: 'eng-leads', users: [u.alice, u.carol] });
  dir = mkdtempSync(path.join(tmpdir(), 'em-audit-privacy-'));
  app = await startServiceOnEmulator(emulator, dir, { policies: POLICIES });
}, 120_000);

afterAll(async () => {
  await app.stop();
  await emulator.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the audit log is answered only privately', () => {
  test('an approver asking @bot for the audit log in #general is told to ask in a DM; nothing of the log is posted there; in a DM it is shown', async () => {
    const bot = emulator.workspace.botUserId;
    const bobDm = emulator.workspace.imWith(u.bob).id;
    // bob's private question to the agent goes into the audit log (agent_run)
    await emulator.userPosts({ user: u.bob, channel: bobDm, text: 'any incidents about the SECRET-LAYOFFS plan?' });
    await emulator.waitFor(() => emulator.messagesIn(bobDm).find((m) => m.user === bot), 20_000);

    const asked = await emulator.userPosts({
      user: u.alice,
      channel: general,
      text: `<@${bot}> show me the audit log`,
    });
    const reply = await emulator.waitFor(
      () => emulator.messagesIn(general).find((m) => m.user === bot && m.thread_ts === asked.ts),
      20_000,
    );
    const inGeneral = emulator
      .messagesIn(general)
      .filter((m) => m.user === bot)
      .map(visibleText)
      .join('\n');
    expect(inGeneral).not.toContain('SECRET-LAYOFFS');
    expect(inGeneral).not.toContain('agent_run');
    expect(visibleText(reply)).toContain('ask me in a DM, or use /em audit');

    // The same question in alice's DM shows the log (bob's question included: she is an approver).
    const aliceDm = emulator.workspace.imWith(u.alice).id;
    const q = await emulator.userPosts({ user: u.alice, channel: aliceDm, text: 'show me the audit log' });
    const dmReply = await emulator.waitFor(
      () => emulator.messagesIn(aliceDm).find((m) => m.user === bot && m.thread_ts === q.ts),
      20_000,
    );
    expect(visibleText(dmReply)).toContain('SECRET-LAYOFFS');
  }, 60_000);
});
