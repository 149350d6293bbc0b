import { Bits, type BlockBuilder, Blocks, Elements, Message, Modal } from 'slack-block-builder';
import type { Prefs } from '../../src/notifications/model.js';
import {
  GROUP_TITLES,
  GROUPS,
  type Group,
  REALTIME_KINDS,
  REALTIME_LABELS,
  type Reason,
} from '../../src/notifications/model.js';
import type { SlackMessage } from '../help.js';
import { builtBlocks, builtModal, type SlackModal } from '../kit.js';
import { escapeMrkdwn, link, truncate } from '../text.js';

export const NOTIFY_ACTIONS = {
  snoozeDay: 'notify_snooze_day',
  snoozeMonday: 'notify_snooze_monday',
  mute: 'notify_mute',
  done: 'notify_done',
} as const;
export const NOTIFY_PREFS_OPEN = 'notify_prefs_open';
export const NOTIFY_PREFS_MODAL = 'notify_prefs_modal';
export const PREFS_FIELDS = {
  digestTime: 'notify_digest_time',
  quietStart: 'notify_quiet_start',
  quietEnd: 'notify_quiet_end',
  pauseDays: 'notify_pause_days',
  realtime: (kind: string) => `notify_rt_${kind}`,
} as const;

/** One line of a digest or a nudge: a subject with every reason for it. */
export interface NoticeLine {
  id: number;
  group: Group;
  title: string;
  url: string | null;
  reasons: Reason[];
}

export interface DigestView {
  recipient: string;
  lines: NoticeLine[];
  /** Lines beyond what one message holds. */
  more: number;
}

/** Title (escaped, linked) and every reason, on one line. */
export function noticeLine(line: NoticeLine): string {
  const title = escapeMrkdwn(truncate(line.title, 150));
  const subject = line.url ? link(line.url, title) : title;
  const reasons = line.reasons.map((r) => escapeMrkdwn(truncate(r.text, 120))).join(' · ');
  return `${subject}${reasons ? ` — ${reasons}` : ''}`;
}

/**
 * "Snooze 1 day", "Snooze until Monday", "Mute this rule for me", "Done", for one item. An approval waiting for the
 * person is no rule to mute, nor done until decided: it can only be snoozed (its card has Approve and Reject).
 */
function itemButtons(line: NoticeLine) {
  const rule = line.reasons[0]?.rule ?? '';
  const snoozes = [
    Elements.Button({ text: 'Snooze 1 day', actionId: NOTIFY_ACTIONS.snoozeDay, value: String(line.id) }),
    Elements.Button({ text: 'Snooze until Monday', actionId: NOTIFY_ACTIONS.snoozeMonday, value: String(line.id) }),
  ];
  const actions = Blocks.Actions({ blockId: `notify_item_${line.id}` });
  if (line.group === 'approvals') return actions.elements(...snoozes);
  return actions.elements(
    ...snoozes,
    Elements.Button({
      text: 'Mute this rule for me',
      actionId: NOTIFY_ACTIONS.mute,
      value: JSON.stringify({ id: line.id, rule }),
    }),
    Elements.Button({ text: 'Done', actionId: NOTIFY_ACTIONS.done, value: String(line.id) }),
  );
}

/** A real-time nudge: one subject, its reasons, and the four buttons. */
export function realtimeMessage(line: NoticeLine): SlackMessage {
  const text = truncate(noticeLine(line), 3000);
  const built = Message({ text }).blocks(Blocks.Section({ text }), itemButtons(line)).buildToObject();
  return { text: built.text ?? text, blocks: builtBlocks(built.blocks) };
}

/** Items with buttons in one digest (each takes two blocks; Slack allows 50 per message). */
export const DIGEST_ITEMS_WITH_BUTTONS = 15;
/** Slack's limit, less the closing context block. */
const MAX_BLOCKS = 49;

/** The daily digest: everything waiting on the person, grouped, one line per subject with every reason. */
export function digestMessage(digest: DigestView): SlackMessage {
  const blocks: BlockBuilder[] = [Blocks.Header({ text: 'Your digest' })];
  let withButtons = 0;
  let hidden = digest.more;
  for (const group of GROUPS) {
    const lines = digest.lines.filter((l) => l.group === group);
    if (!lines.length) continue;
    if (blocks.length + 2 > MAX_BLOCKS) {
      hidden += lines.length;
      continue;
    }
    blocks.push(Blocks.Section({ text: `*${GROUP_TITLES[group]}* (${lines.length})` }));
    for (const line of lines) {
      if (withButtons < DIGEST_ITEMS_WITH_BUTTONS && blocks.length + 2 <= MAX_BLOCKS) {
        blocks.push(Blocks.Section({ text: truncate(noticeLine(line), 3000) }), itemButtons(line));
        withButtons += 1;
      } else if (blocks.length + 1 <= MAX_BLOCKS)
        blocks.push(Blocks.Context().elements(truncate(noticeLine(line), 3000)));
      else hidden += 1;
    }
  }
  blocks.push(
    Blocks.Context().elements(
      `${hidden > 0 ? `…and ${hidden} more on the Home tab. ` : ''}Digest time, real-time kinds, quiet hours and pauses: Home tab → Notification preferences.`,
    ),
  );
  const text = `Your digest: ${digest.lines.length + hidden} item(s) waiting on you`;
  const built = Message({ text })
    .blocks(...blocks)
    .buildToObject();
  return { text, blocks: builtBlocks(built.blocks) };
}

/** A person's notification preferences, as the pipeline keeps them. */
export type PrefsView = Prefs;

/** The Home section's summary lines: what the digest holds now, and the preferences in force. */
export function notificationsHomeLines(digest: DigestView, prefs: PrefsView, now: Date): string[] {
  const counts = GROUPS.map((g) => [g, digest.lines.filter((l) => l.group === g).length] as const).filter(
    ([, n]) => n > 0,
  );
  const shown = 5;
  const more = digest.lines.length - shown + digest.more;
  const lines = [
    ...digest.lines.slice(0, shown).map((l) => `• ${noticeLine(l)}`),
    ...(more > 0 ? [`…and ${more} more in your digest`] : []),
  ];
  const summary = counts.length
    ? `Your next digest: ${counts.map(([g, n]) => `${n} ${GROUP_TITLES[g].toLowerCase()}`).join(', ')}`
    : 'Your next digest is empty.';
  const off = REALTIME_KINDS.filter((k) => prefs.realtimeOff.includes(k));
  const settings = [
    `Digest at ${prefs.digestTime} (${escapeMrkdwn(prefs.timezone)}) on working days`,
    off.length ? `real time off for: ${off.map((k) => REALTIME_LABELS[k].toLowerCase()).join(', ')}` : '',
    prefs.quietStart && prefs.quietEnd ? `quiet ${prefs.quietStart}–${prefs.quietEnd}` : '',
    prefs.pausedUntil && prefs.pausedUntil > now
      ? `*paused until ${prefs.pausedUntil.toISOString().slice(0, 10)}*`
      : '',
  ].filter(Boolean);
  return [summary, ...lines, `_${settings.join(' · ')}_`];
}

const onOff = [Bits.Option({ text: 'On', value: 'on' }), Bits.Option({ text: 'Off', value: 'off' })];

/** Preferences: digest time, each real-time kind on or off, quiet hours, pause for N days. */
export function prefsModal(prefs: PrefsView): SlackModal {
  return builtModal(
    Modal({ title: 'Notifications', submit: 'Save', close: 'Cancel', callbackId: NOTIFY_PREFS_MODAL }).blocks(
      Blocks.Input({
        label: `Digest time (HH:MM, ${truncate(prefs.timezone, 60)})`,
        blockId: PREFS_FIELDS.digestTime,
      }).element(
        Elements.TextInput({ actionId: PREFS_FIELDS.digestTime, initialValue: prefs.digestTime }).maxLength(5),
      ),
      ...REALTIME_KINDS.map((kind) =>
        Blocks.Input({ label: `Real time: ${REALTIME_LABELS[kind]}`, blockId: PREFS_FIELDS.realtime(kind) }).element(
          Elements.StaticSelect({ actionId: PREFS_FIELDS.realtime(kind) })
            .options(onOff)
            .initialOption(prefs.realtimeOff.includes(kind) ? onOff[1] : onOff[0]),
        ),
      ),
      Blocks.Input({ label: 'Quiet hours from (HH:MM)', blockId: PREFS_FIELDS.quietStart })
        .optional()
        .element(
          Elements.TextInput({
            actionId: PREFS_FIELDS.quietStart,
            ...(prefs.quietStart ? { initialValue: prefs.quietStart } : {}),
          }).maxLength(5),
        ),
      Blocks.Input({ label: 'Quiet hours until (HH:MM)', blockId: PREFS_FIELDS.quietEnd })
        .optional()
        .element(
          Elements.TextInput({
            actionId: PREFS_FIELDS.quietEnd,
            ...(prefs.quietEnd ? { initialValue: prefs.quietEnd } : {}),
          }).maxLength(5),
        ),
      Blocks.Input({ label: 'Pause everything for N days (0 resumes)', blockId: PREFS_FIELDS.pauseDays })
        .optional()
        .element(
          Elements.TextInput({ actionId: PREFS_FIELDS.pauseDays, placeholder: 'e.g. 10 for a holiday' }).maxLength(3),
        ),
    ),
  );
}
