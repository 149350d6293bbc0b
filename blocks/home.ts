import { Bits, type BlockBuilder, Blocks, Elements, HomeTab } from 'slack-block-builder';
import type { SprintHealth } from '../src/reports/sprint.js';
import { builtBlocks, type SlackHome } from './kit.js';
import { requestedReviewerNames } from './requested-reviewers.js';
import { escapeMrkdwn, graphemePrefix, link, slackDate, truncate } from './text.js';

export const HOME_REFRESH_ACTION = 'home_refresh';

export interface HomeSection {
  id: string;
  title: string;
  /** mrkdwn lines, most important first; empty means the empty state is shown. */
  lines: string[];
  empty: string;
  /** Buttons, e.g. "Open triage" (action id and label). */
  actions?: { actionId: string; text: string; value?: string }[];
  /**
   * A drop-down before the buttons (the team picker): a static_select of `options`, or with `external` an
   * external_select whose options the app gives as the person types (for more than a static_select holds).
   */
  picker?: {
    actionId: string;
    placeholder: string;
    options: HomeOption[];
    initial?: HomeOption;
    external?: boolean;
  };
}

export interface HomeOption {
  text: string;
  value: string;
}

/** Slack holds at most 100 options in a static_select, and in the options an external_select is given. */
export const MAX_SELECT_OPTIONS = 100;
const homeOption = (o: HomeOption) => Bits.Option({ text: truncate(o.text, 75), value: o.value });

function pickerElement(picker: NonNullable<HomeSection['picker']>) {
  const initial = picker.initial ? homeOption(picker.initial) : undefined;
  if (picker.external) {
    const select = Elements.ExternalSelect({
      actionId: picker.actionId,
      placeholder: picker.placeholder,
      minQueryLength: 0,
    });
    return initial ? select.initialOption(initial) : select;
  }
  const select = Elements.StaticSelect({ actionId: picker.actionId, placeholder: picker.placeholder }).options(
    picker.options.slice(0, MAX_SELECT_OPTIONS).map(homeOption),
  );
  return initial ? select.initialOption(initial) : select;
}

export interface HomeData {
  userId: string;
  updatedAt: Date;
  sections: HomeSection[];
}

const MAX_LINES_PER_SECTION = 8;

/** The App Home dashboard. Renders for a user with no data at all. */
export function homeView(data: HomeData): SlackHome {
  const blocks: BlockBuilder[] = [
    Blocks.Header({ text: 'EM Agent' }),
    Blocks.Actions({ blockId: 'home_actions' }).elements(
      Elements.Button({ text: 'Refresh', actionId: HOME_REFRESH_ACTION, value: 'refresh' }),
    ),
    Blocks.Context().elements(`Updated ${slackDate(data.updatedAt, '{date_short_pretty} at {time}')}`),
  ];
  for (const section of data.sections) {
    const shown = section.lines.slice(0, MAX_LINES_PER_SECTION);
    const more = section.lines.length - shown.length;
    blocks.push(
      Blocks.Divider(),
      Blocks.Section({ blockId: `home_${section.id}`, text: `*${section.title}*` }),
      Blocks.Section({
        text: truncate(
          shown.length ? shown.join('\n') + (more > 0 ? `\n…and ${more} more` : '') : `_${section.empty}_`,
          3000,
        ),
      }),
    );
    if (section.actions?.length || section.picker) {
      blocks.push(
        Blocks.Actions().elements(
          ...(section.picker ? [pickerElement(section.picker)] : []),
          ...(section.actions ?? []).map((a) =>
            Elements.Button({ text: a.text, actionId: a.actionId, value: a.value ?? a.actionId }),
          ),
        ),
      );
    }
  }
  const view = HomeTab({ callbackId: 'home' })
    .blocks(...blocks)
    .buildToObject();
  return { type: 'home', blocks: builtBlocks(view.blocks) };
}

/** Home, "Your pull requests and reviews": one open PR of the viewer's, or one waiting for their review. */
export interface MyWorkRow {
  repo: string;
  number: number;
  title: string;
  url: string | null;
  mine: boolean;
  reviewers: string[];
  /** Teams asked to review (slugs). */
  teams: string[];
}

export function myWorkLine(r: MyWorkRow): string {
  const name = `${escapeMrkdwn(r.repo)}#${r.number}`;
  const pr = r.url ? link(r.url, name) : name;
  // Cut between graphemes: half an emoji is a lone surrogate Slack shows as garbage.
  const title = escapeMrkdwn(truncate(r.title, 80));
  const waitingOn = requestedReviewerNames(r);
  return r.mine
    ? `:arrow_up: ${pr} ${title}${waitingOn.length ? ` — waiting on ${waitingOn.map(escapeMrkdwn).join(', ')}` : ''}`
    : `:eyes: ${pr} ${title} — your review is requested`;
}

/**
 * Home, "Current sprint": its name, progress, carry-over risk and blocked count. A sprint or cycle without an end date
 * (Jira and Linear allow one) has no days left to measure its pace against, so it is not called on track.
 */
export function sprintHomeLines(s: SprintHealth): string[] {
  return [
    `*${escapeMrkdwn(truncate(s.name, 200))}*: ${s.completed.points} of ${s.committed.points} committed points done, +${s.added.count} added after the start`,
    s.carryOverPoints === null
      ? ':grey_question: no end date set, so its pace is not judged'
      : s.carryOverPoints
        ? `:warning: about ${s.carryOverPoints} points may carry over`
        : ':large_green_circle: on track',
    ...(s.blocked.length ? [`:construction: ${s.blocked.length} blocked`] : []),
  ];
}

/** Home, "Waiting for you": the line after the proposals shown, when more wait than Home shows. */
export function approvalsHomeMore(more: number, all: number): string {
  return `_…and ${more} more (${all} in all wait for you): see \`/em approvals\`_`;
}

/** Home, "Waiting for you": one proposal the viewer may decide. */
export function approvalHomeLine(r: { id: number; action: string; summary: string }): string {
  return `*#${r.id}* \`${r.action}\` — ${escapeMrkdwn(graphemePrefix(r.summary, 200))}`;
}
