import fc from 'fast-check';
import { userText } from '../../blocks/text.js';
import type { App } from '../../src/app.js';
import { HOSTILE, LIVE } from '../support/hostile-text.js';
import { type SecurityWorkspace, startSecurityWorkspace } from '../support/security-workspace.js';

const hostileText = fc
  .array(
    fc.oneof(
      fc.constantFrom(...HOSTILE),
      fc.string({ maxLength: 12 }),
      fc.constantFrom('*', '_', '`', '&', '\ud83d\ude80'),
    ),
    {
      minLength: 1,
      maxLength: 6,
    },
  )
  .map((parts) => `x ${parts.join(' ')}`.replaceAll('\u0000', ''));

/**
 * Every string the product sent to Slack in these calls that Slack would parse: texts (the notification fallback
 * included), mrkdwn blocks, topics, purposes. plain_text objects (headers, buttons) are shown as typed, so they are
 * skipped.
 */
function sentStrings(args: Record<string, unknown>): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (v && typeof v === 'object' && (v as { type?: unknown }).type === 'plain_text') return;
    if (typeof v === 'string') {
      out.push(v);
      if (v.startsWith('[') || v.startsWith('{')) {
        try {
          walk(JSON.parse(v));
        } catch {}
      }
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(args);
  return out;
}

describe('user text never becomes a live ping or link in anything the bot sends', () => {
  let workspace: SecurityWorkspace<{ alice: string; eng: string }>;
  let emulator: SecurityWorkspace<unknown>['emulator'];
  let app: App;
  let alice: string;
  let eng: string;
  beforeAll(async () => {
    workspace = await startSecurityWorkspace({
      name: 'esc',
      people: (ws) => {
        const alice = ws.addUser({ name: 'alice' }).id;
        const eng = ws.addChannel('eng', { members: [alice, ws.botUserId] }).id;
        ws.addChannel('incidents', { members: [alice, ws.botUserId] });
        return { alice, eng };
      },
      policies: 'policies: []\nincidents:\n  announce_channel: "#incidents"\n',
      env: { INCIDENTS_TICK_MS: '600000', ASK_INDEX_TICK_MS: '600000' },
    });
    ({ emulator, app } = workspace);
    ({ alice, eng } = workspace.people);
  }, 60_000);
  afterAll(() => workspace?.stop());

  test('incident declare, notes, action items, pins, status updates, timeline, resolve, and ask', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({ title: hostileText, words: hostileText, summary: hostileText }),
        async ({ title, words, summary }) => {
          n += 1;
          const from = emulator.calls.length;
          const fromPosts = emulator.responseUrlPosts.length;
          const declared = await app.incidents.declare({
            title,
            severity: 'SEV3',
            service: words.slice(0, 40),
            description: words,
            declaredBy: alice,
            commander: alice,
            requestKey: `esc-${n}`,
          });
          if (declared.outcome !== 'declared') throw new Error(JSON.stringify(declared));
          let incident = declared.incident;
          const room = incident.channelId as string;
          await app.incidents.addNote(incident, alice, words);
          await app.incidents.addActionItem(incident, alice, words);
          const pinned = await emulator.userPosts({ user: alice, channel: room, text: words });
          await emulator.userReacts({ user: alice, channel: room, ts: pinned.ts, reaction: 'pushpin' });
          await app.incidents.postStatusUpdate(incident, alice, 'identified', summary);
          await emulator.command({ user: alice, channel: room, text: 'incident timeline' });
          incident = (await app.incidents.get(incident.id)) ?? incident;
          await app.incidents.resolve(incident, alice, summary);
          await emulator.command({ user: alice, channel: eng, text: `ask ${words}` });
          await emulator.command({ user: alice, channel: eng, text: 'incident list' });
          await new Promise((r) => setTimeout(r, 300)); // the commands answer through their response_url
          const leaks = emulator.calls
            .slice(from)
            .flatMap((c) => sentStrings(c.args).map((s) => ({ method: c.method, s })))
            .filter(({ s }) => LIVE.test(s))
            .map(({ method, s }) => ({ method, s: s.slice(0, 160) }));
          const posts = emulator.responseUrlPosts
            .slice(fromPosts)
            .flatMap((p) => sentStrings(p.body as never))
            .filter((s) => LIVE.test(s));
          expect([...leaks, ...posts.map((s) => ({ method: 'response_url', s: s.slice(0, 160) }))]).toEqual([]);
        },
      ),
      { numRuns: 12, seed: 1606, endOnFailure: true },
    );
  }, 120_000);
});

describe('userText, the one escaping layer', () => {
  test('is idempotent and never leaves markup that Slack would make live', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const once = userText(text);
        expect(userText(once)).toBe(once);
        expect(once).not.toMatch(/<[!@#]|<http/);
      }),
      { numRuns: 500, seed: 1606 },
    );
  });

  test('a link shows its real address next to its label', () => {
    expect(userText('see <https://grafana.acme.dev/d/pay|dashboard> & <http://evil.example|docs>')).toBe(
      'see dashboard (https://grafana.acme.dev/d/pay) &amp; docs (http://evil.example)',
    );
  });
});
