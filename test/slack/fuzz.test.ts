import fc from 'fast-check';
import { type BotHarness, startBotHarness, visibleText } from '../support/slack/harness.js';

const words = [
  'triage',
  'standup',
  'sprint',
  'dora',
  'signals',
  'approvals',
  'ask',
  'incident',
  'help',
  'post',
  'start',
  'note',
  'sources',
  'policy',
  'audit',
];

// Texts a person (or a cat on the keyboard) might type after /em.
const emText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 100 }),
  fc
    .array(
      fc.oneof(
        fc.constantFrom(...words),
        fc.integer().map(String),
        fc.constantFrom(
          '#eng',
          '<#C123|eng>',
          '<@U1>',
          '<!channel>',
          '"quoted"',
          "'x'",
          '*bold*',
          '`code`',
          '```',
          '>',
          '&amp;',
          '12w',
          '-1',
          '1e9',
        ),
      ),
      { maxLength: 12 },
    )
    .map((parts) => parts.join(' ')),
  fc.string({ minLength: 3900, maxLength: 4000 }),
  fc.constantFrom(
    '',
    ' ',
    '\n\n',
    'HELP',
    'Triage',
    'dora 0d',
    'standup 0',
    'incident',
    'ask',
    'ask post #eng',
    'x'.repeat(4001),
  ),
);

describe('fuzz: 10,000 random /em texts', () => {
  let h: BotHarness;
  beforeAll(async () => {
    // The property is "no crash, every command answered", not speed: a slow machine must not turn a late ack into a
    // redelivery here. How fast acks are is measured by npm run bench:slack.
    h = await startBotHarness({ emulator: { ackDeadlineMs: 120_000 } });
  });
  afterAll(() => h.stop());

  test('every one is acked with a private answer, and the bot keeps working', async () => {
    const texts = fc.sample(emText, { numRuns: 10_000, seed: 20261125 });
    const failures: string[] = [];
    const batch = 50;
    for (let start = 0; start < texts.length; start += batch) {
      const deliveries = await Promise.all(
        texts
          .slice(start, start + batch)
          .map((text) => h.emulator.command({ user: h.users.alice, channel: h.channels.eng, text })),
      );
      deliveries.forEach((d, i) => {
        const text = texts[start + i] as string;
        const answer = d.ack as { response_type?: string; text?: string; blocks?: unknown[] } | undefined;
        if (!d.acked || answer?.response_type !== 'ephemeral' || !visibleText(answer)) {
          failures.push(JSON.stringify(text.slice(0, 80)));
        }
      });
    }
    expect(failures).toEqual([]);
    expect(h.emulator.messagesIn(h.channels.eng)).toHaveLength(0); // nothing leaked into the channel
    const after = await h.emulator.command({ user: h.users.bob, channel: h.channels.eng, text: 'help' });
    expect(visibleText(after.ack as never)).toContain('/em triage');
  }, 600_000);
});
