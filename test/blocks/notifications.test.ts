import {
  type DigestView,
  digestMessage,
  type NoticeLine,
  notificationsHomeLines,
} from '../../blocks/notifications/messages.js';

const line = (id: number, group: NoticeLine['group'], rule: string): NoticeLine => ({
  id,
  group,
  title: `item ${id}`,
  url: null,
  reasons: [{ rule, kind: rule, text: `reason ${id}`, since: '2026-12-01T09:00:00.000Z' }],
});

const buttonsOf = (digest: DigestView, id: number) => {
  const blocks = digestMessage(digest).blocks as {
    type: string;
    block_id?: string;
    elements?: { text: { text: string } }[];
  }[];
  return (blocks.find((b) => b.block_id === `notify_item_${id}`)?.elements ?? []).map((e) => e.text.text);
};

describe('digest lines', () => {
  test('an approval waiting for you can be snoozed, not muted or marked done; other lines keep all four', () => {
    const digest: DigestView = {
      recipient: 'U1',
      lines: [line(1, 'approvals', 'approvals'), line(2, 'my_prs', 'stale_pr')],
      more: 0,
    };
    expect(buttonsOf(digest, 1)).toEqual(['Snooze 1 day', 'Snooze until Monday']);
    expect(buttonsOf(digest, 2)).toEqual(['Snooze 1 day', 'Snooze until Monday', 'Mute this rule for me', 'Done']);
  });

  test("the Home tile's counts match its lines: past five, it says how many more", () => {
    const lines = Array.from({ length: 8 }, (_, i) => line(i + 1, 'my_prs', 'stale_pr'));
    const prefs = {
      digestTime: '09:30',
      timezone: 'UTC',
      realtimeOff: [],
      quietStart: null,
      quietEnd: null,
      pausedUntil: null,
    };
    const shown = notificationsHomeLines({ recipient: 'U1', lines, more: 0 }, prefs, new Date());
    expect(shown.filter((l) => l.startsWith('• '))).toHaveLength(5);
    expect(shown).toContain('…and 3 more in your digest');
  });
});
