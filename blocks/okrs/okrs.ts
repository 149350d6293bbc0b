// OKRs in Block Kit: the `/em okr` report, the weekly check-in DM and its modal, the Home section's lines.
import type { InputBlock, KnownBlock, PlainTextOption } from '@slack/types';
import type { OkrReport } from '../../src/okrs/service.js';
import type { SlackMessage } from '../help.js';
import type { ActionButton, SlackModal } from '../kit.js';
import { escapeMrkdwn, truncate } from '../text.js';

export const OKR_CHECKIN_OPEN = 'okr_checkin_open';
export const OKR_CHECKIN_MODAL = 'okr_checkin_modal';
export const CHECKIN_FIELDS = { confidence: 'okr_confidence', note: 'okr_note' } as const;

const BAR_CELLS = 10;

/** A text progress bar: ten cells, filled to the nearest tenth, then the percentage. */
export function progressBar(progress: number | null): string {
  if (progress === null) return '`░░░░░░░░░░` –';
  const filled = Math.round(Math.min(1, Math.max(0, progress)) * BAR_CELLS);
  return `\`${'█'.repeat(filled)}${'░'.repeat(BAR_CELLS - filled)}\` ${Math.round(progress * 100)}%`;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;
const TREND = { up: ':arrow_upper_right:', down: ':arrow_lower_right:', flat: ':arrow_right:' } as const;
const num = (x: number) => String(Math.round(x * 100) / 100);

type KrView = OkrReport['objectives'][number]['keyResults'][number];

function krDetail(kr: KrView): string {
  if (kr.work)
    return kr.work.total
      ? `${num(kr.work.done)} of ${num(kr.work.total)} ${kr.work.unit} done (${kr.work.items} tickets mapped)`
      : 'no mapped tickets yet';
  const m = kr.metric;
  if (!m) return '';
  const current = m.current === null ? 'no value yet' : `now ${num(m.current)} ${m.unit}`;
  return `${m.label}: ${current} · baseline ${num(m.baseline)} → target ${num(m.target)} ${m.unit} (last ${m.windowDays} days)`;
}

function checkinLine(kr: KrView): string | null {
  const last = kr.checkins.at(-1);
  if (!last) return null;
  const series = kr.checkins
    .slice(-6)
    .map((c) => c.confidence)
    .join(' → ');
  const trend = kr.trend ? ` ${TREND[kr.trend]}` : '';
  const note = last.note ? ` · “${escapeMrkdwn(truncate(last.note, 200))}”` : '';
  return `Confidence ${series}/10${trend} (week of ${last.week})${note}`;
}

/** `/em okr`: each objective with its key results, progress against the expected, check-ins, and unmapped work. */
export function okrMessage(report: OkrReport): SlackMessage {
  // The header is plain text (shown as typed); the notification text is mrkdwn (escaped).
  const header = (who: string) => `OKRs · ${who} · ${report.quarter.key}`;
  const name = report.team?.name ?? 'All teams';
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(header(name), 150) } },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `Expected by today: *${pct(report.expected)}* (linear over the quarter, ${report.quarter.start.toISOString().slice(0, 10)} to ${new Date(report.quarter.end.getTime() - 1).toISOString().slice(0, 10)})`,
        },
      ],
    },
  ];
  if (!report.objectives.length)
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `No objectives for ${report.quarter.key} yet: add them to okrs.yml.` },
    });
  for (const o of report.objectives.slice(0, 15)) {
    const team = report.team ? '' : ` _(${escapeMrkdwn(o.team)})_`;
    blocks.push({ type: 'divider' });
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: truncate(`*${escapeMrkdwn(o.title)}*${team}\n${progressBar(o.progress)}`, 3000),
      },
    });
    for (const kr of o.keyResults) {
      const behind = kr.progress !== null && kr.progress + 0.1 < report.expected ? ' :warning: behind' : '';
      const lines = [
        `• *${escapeMrkdwn(kr.title)}* — <@${kr.owner}>`,
        `${progressBar(kr.progress)} (expected ${pct(report.expected)})${behind}`,
        krDetail(kr),
        checkinLine(kr),
      ].filter(Boolean);
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(lines.join('\n'), 3000) } });
    }
  }
  const u = report.unmapped;
  blocks.push({ type: 'divider' });
  blocks.push({
    type: 'section',
    text: {
      type: 'mrkdwn',
      text:
        u.share === null
          ? '*Unmapped work:* no pull requests merged this quarter yet.'
          : `*Unmapped work:* ${pct(u.share)} of this quarter's merged pull requests (${u.unmapped} of ${u.merged}) map to no key result.`,
    },
  });
  return { text: header(escapeMrkdwn(name)), blocks };
}

/** The weekly check-in DM to a key result's owner: one button per key result. */
export function checkinRequestMessage(krs: { id: number; title: string; objective: string }[]): SlackMessage {
  const text = 'Weekly OKR check-in: how confident are you in your key results?';
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${text}*` } },
      ...krs.slice(0, 20).map(
        (kr): KnownBlock => ({
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: truncate(`*${escapeMrkdwn(kr.title)}*\n_${escapeMrkdwn(kr.objective)}_`, 3000),
          },
          accessory: {
            type: 'button',
            action_id: OKR_CHECKIN_OPEN,
            value: String(kr.id),
            text: { type: 'plain_text', text: 'Check in' },
          } satisfies ActionButton,
        }),
      ),
    ],
  };
}

/** The check-in modal: confidence 1-10 and a note; the key result rides in private_metadata. */
export function checkinModal(kr: { id: number; title: string; progress: number | null; last?: number }): SlackModal {
  const options = Array.from(
    { length: 10 },
    (_, i): PlainTextOption => ({
      text: { type: 'plain_text', text: String(i + 1) },
      value: String(i + 1),
    }),
  );
  const initial = kr.last ? options[kr.last - 1] : undefined;
  return {
    type: 'modal',
    callback_id: OKR_CHECKIN_MODAL,
    private_metadata: String(kr.id),
    title: { type: 'plain_text', text: 'OKR check-in' },
    submit: { type: 'plain_text', text: 'Check in' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: truncate(`*${escapeMrkdwn(kr.title)}*\nProgress now: ${progressBar(kr.progress)}`, 3000),
        },
      },
      {
        type: 'input',
        block_id: CHECKIN_FIELDS.confidence,
        label: { type: 'plain_text', text: 'Confidence it will be met (1-10)' },
        element: {
          type: 'static_select',
          action_id: CHECKIN_FIELDS.confidence,
          options,
          ...(initial ? { initial_option: initial } : {}),
        },
      },
      {
        type: 'input',
        block_id: CHECKIN_FIELDS.note,
        optional: true,
        label: { type: 'plain_text', text: 'Note' },
        element: { type: 'plain_text_input', action_id: CHECKIN_FIELDS.note, multiline: true, max_length: 2000 },
      },
    ],
  };
}

/** Home: the person's key results this quarter (those they own), each with its progress and last confidence. */
export function okrHomeLines(report: OkrReport, userId: string): string[] {
  const mine = report.objectives.flatMap((o) => o.keyResults.filter((k) => k.owner === userId));
  const lines = mine.map((kr) => {
    const last = kr.checkins.at(-1);
    const conf = last ? ` · confidence ${last.confidence}/10${kr.trend ? ` ${TREND[kr.trend]}` : ''}` : '';
    return `*${escapeMrkdwn(truncate(kr.title, 120))}* ${progressBar(kr.progress)}${conf}`;
  });
  const team = report.objectives.length
    ? `${report.quarter.key}: ${report.objectives.length} objectives, expected ${pct(report.expected)} by today`
    : null;
  return [...(team ? [team] : []), ...lines];
}

export const OKR_NEW_ACTION = 'okr_new';
export const OKR_OBJECTIVE_MODAL = 'okr_objective_modal';
/** Key results the modal offers (the first required). */
export const MODAL_KEY_RESULTS = 3;
export const OBJECTIVE_FIELDS = {
  title: 'okr_objective',
  quarter: 'okr_quarter',
  krTitle: (i: number) => `okr_kr${i}_title`,
  krOwner: (i: number) => `okr_kr${i}_owner`,
  krTarget: (i: number) => `okr_kr${i}_target`,
} as const;

const textInput = (
  blockId: string,
  label: string,
  options: { optional?: boolean; initial?: string; hint?: string },
): InputBlock => ({
  type: 'input',
  block_id: blockId,
  optional: options.optional ?? false,
  label: { type: 'plain_text', text: label },
  ...(options.hint ? { hint: { type: 'plain_text', text: options.hint } } : {}),
  element: {
    type: 'plain_text_input',
    action_id: blockId,
    max_length: 2000,
    ...(options.initial ? { initial_value: options.initial } : {}),
  },
});

/** New objective for a team: its title, the quarter, and up to three key results (title, owner, what measures it). */
export function objectiveModal(team: { key: string; name: string }, quarter: string): SlackModal {
  const krBlocks = Array.from({ length: MODAL_KEY_RESULTS }, (_, i): KnownBlock[] => {
    const n = i + 1;
    const optional = n > 1;
    return [
      { type: 'divider' },
      textInput(OBJECTIVE_FIELDS.krTitle(n), `Key result ${n}`, { optional }),
      {
        type: 'input',
        block_id: OBJECTIVE_FIELDS.krOwner(n),
        optional,
        label: { type: 'plain_text', text: `Owner of key result ${n}` },
        element: { type: 'users_select', action_id: OBJECTIVE_FIELDS.krOwner(n) },
      },
      textInput(OBJECTIVE_FIELDS.krTarget(n), `Measured by (key result ${n})`, {
        optional,
        hint: 'jira epics PAY-1; github labels checkout; points — or: metric lead_time_days 4 -> 2',
      }),
    ];
  }).flat();
  return {
    type: 'modal',
    callback_id: OKR_OBJECTIVE_MODAL,
    private_metadata: team.key,
    title: { type: 'plain_text', text: 'New objective' },
    submit: { type: 'plain_text', text: 'Save' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `Team: *${escapeMrkdwn(team.name)}*` } },
      textInput(OBJECTIVE_FIELDS.title, 'Objective', {}),
      textInput(OBJECTIVE_FIELDS.quarter, 'Quarter', { initial: quarter }),
      ...krBlocks,
    ],
  };
}

/** The objectives of a quarter with their key results and owners (`okrs.list`, the agent's answer). */
export function objectiveListMessage(
  quarter: string,
  objectives: { team: string; title: string; keyResults: { title: string; owner: string }[] }[],
): SlackMessage {
  const lines = objectives.map(
    (o) =>
      `*${escapeMrkdwn(truncate(o.title, 150))}* (${escapeMrkdwn(o.team)})\n${o.keyResults
        .map((k) => `   • ${escapeMrkdwn(truncate(k.title, 150))}: <@${k.owner}>`)
        .join('\n')}`,
  );
  const text = objectives.length
    ? `*Objectives, ${escapeMrkdwn(quarter)}*\n${lines.join('\n')}`
    : `No objectives for ${escapeMrkdwn(quarter)} yet.`;
  return {
    text: truncate(text, 2900),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncate(text, 2900) } }],
  };
}
