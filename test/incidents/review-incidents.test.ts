// Found by an adversarial review of incidents and App Home: each test failed before its fix.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SlackEmulator } from '../../dev/slack/emulator.js';
import { SlackEmulator as Emulator } from '../../dev/slack/emulator.js';
import type { App } from '../../src/app.js';
import { startServiceOnEmulator } from '../support/service.js';
import { visibleText } from '../support/slack/harness.js';

interface World {
  dir: string;
  emulator: SlackEmulator;
  users: { alice: string; bob: string };
  eng: string;
}

async function world(): Promise<World> {
  const emulator = await new Emulator().start();
  const ws = emulator.workspace;
  const alice = ws.addUser({ name: 'alice', email: 'alice@acme.dev' }).id;
  const bob = ws.addUser({ name: 'bob', email: 'bob@acme.dev' }).id;
  const eng = ws.addChannel('eng', { members: [alice, bob, ws.botUserId] }).id;
  const dir = mkdtempSync(path.join(tmpdir(), 'em-incidents-review-'));
  return { dir, emulator, users: { alice, bob }, eng };
}

function startService(w: World, incidentsPolicy: string[]): Promise<App> {
  return startServiceOnEmulator(w.emulator, w.dir, {
    policies: ['incidents:', ...incidentsPolicy.map((line) => `  ${line}`)].join('\n'),
    env: { INCIDENTS_TICK_MS: '1000' },
  });
}

describe('private incidents do not crowd public ones out of Home and /em incident list', () => {
  test('someone outside twenty private rooms (more than a list holds) still sees the public incident', async () => {
    const w = await world();
    const app = await startService(w, ['private_channels: true']);
    try {
      // A tracker incident everyone may see, opened before the private ones.
      await app.db.query(
        `INSERT INTO incidents (source, external_id, scope, title, severity, status, opened_at, url)
         VALUES ('github', 'acme/api#7', 'acme/api', 'Public API returns 502s', 'SEV2', 'open',
                 now() - interval '2 hours', 'https://github.com/acme/api/issues/7')`,
      );
      for (let i = 1; i <= 20; i++) {
        const declared = await app.incidents.declare({
          requestKey: `review-private-${i}`,
          title: `Secret breach ${i}`,
          severity: 'SEV2',
          service: null,
          description: null,
          declaredBy: w.users.alice,
          commander: null,
        });
        expect(declared.outcome).toBe('declared');
      }
      // Bob is in none of the private rooms.
      await w.emulator.openHome(w.users.bob);
      const home = await w.emulator.waitFor(() => w.emulator.homeOf(w.users.bob));
      const homeText = visibleText({ blocks: home.blocks });
      expect(homeText).not.toContain('Secret breach');
      expect(homeText).toContain('Public API returns 502s');

      await w.emulator.command({ user: w.users.bob, channel: w.eng, text: 'incident list' });
      const reply = await w.emulator.waitFor(() =>
        w.emulator.responseUrlPosts.find((p) => visibleText(p.body as never).includes('Open incidents')),
      );
      const listText = visibleText(reply.body as never);
      expect(listText).not.toContain('Secret breach');
      expect(listText).toContain('Public API returns 502s');
    } finally {
      await app.stop();
      await w.emulator.stop();
      rmSync(w.dir, { recursive: true, force: true });
    }
  }, 60_000);
});
