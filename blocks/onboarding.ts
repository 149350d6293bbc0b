// Onboarding in Slack: the welcome DM with the checklist (one checkbox per task), the plan lines of `/em onboarding`
// and Home, the answer to `/em onboard`, and the manager's summary. Pure: data in, Block Kit out.
import type { KnownBlock, MrkdwnOption, PlainTextOption } from '@slack/types';
import type { PlanSummary } from '../src/onboarding/model.js';
import type { SlackMessage } from './help.js';
import type { ActionButton, SlackModal } from './kit.js';
import { failure } from './notice.js';
import { escapeMrkdwn, slackDate, truncate, userText } from './text.js';

export const ONBOARDING_CHECK_ACTION = 'onboarding_check';
/** "Send me my checklist" on the new hire's Home: the welcome DM sent again (when it failed, or was lost). */
export const ONBOARDING_RESEND_ACTION = 'onboarding_resend';
/** "Take this issue" buttons: one per offered issue, distinct within their block. */
export const ONBOARDING_TAKE_ACTION = 'onboarding_take';
export const MAX_OFFERED_ISSUES = 5;
export const onboardingTakeAction = (i: number) => `${ONBOARDING_TAKE_ACTION}_${i}`;

export interface TaskView {
  id: number;
  kind: string;
  title: string;
  ownerRole: string;
  owner: string;
  dueAt: Date | null;
  status: 'open' | 'done' | 'skipped';
  overdue: boolean;
  links?: { url: string; title: string | null; indexed: boolean }[];
  people?: string[];
  issues?: { key: string; title: string; url: string | null; source: string }[];
  accepted?: string;
  /** An access request em-agent performs: its proposal's state (proposed, executed, failed, rejected…). */
  approval?: { id: number; status: string } | null;
  system?: string;
  note?: string;
}

export interface PlanView {
  id: number;
  person: string;
  team: { key: string; name: string } | null;
  template: string;
  buddy: string | null;
  manager: string | null;
  startedAt: Date;
  finishedAt: Date | null;
  tasks: TaskView[];
}

const ROLE = { new_hire: 'you', buddy: 'your buddy', manager: 'your manager' } as Record<string, string>;
const KIND_EMOJI: Record<string, string> = {
  access: ':key:',
  read: ':books:',
  meet: ':wave:',
  first_issue: ':seedling:',
  text: ':white_small_square:',
};

const due = (d: Date | null) => (d ? `due ${slackDate(d, '{date_short_pretty}', d.toISOString().slice(0, 10))}` : '');
const safeUrl = (url: string) => url.replace(/[<>|]/g, encodeURIComponent);

/** One task's text: what, who, when, and its details (links, people, issues, the access request's state). */
export function taskText(t: TaskView): string {
  const who = t.ownerRole === 'new_hire' ? 'you' : `${ROLE[t.ownerRole] ?? t.ownerRole} <@${t.owner}>`;
  const state =
    t.status === 'done'
      ? ' :white_check_mark:'
      : t.status === 'skipped'
        ? ' _(skipped)_'
        : t.overdue
          ? ' :alarm_clock: *overdue*'
          : '';
  const head = `${KIND_EMOJI[t.kind] ?? ''} *${escapeMrkdwn(t.title)}*${state}\n_${[who, due(t.dueAt)].filter(Boolean).join(' · ')}_`;
  const lines: string[] = [];
  for (const l of t.links ?? [])
    lines.push(
      `• <${safeUrl(l.url)}|${escapeMrkdwn(truncate(l.title ?? l.url, 80))}>${l.indexed ? '' : ' _(not in the ask index)_'}`,
    );
  if (t.people?.length) lines.push(`• ${t.people.map((p) => `<@${p}>`).join(', ')}`);
  if (t.accepted) lines.push(`• You took *${escapeMrkdwn(t.accepted)}*`);
  else
    for (const i of t.issues ?? [])
      lines.push(
        `• ${i.url ? `<${safeUrl(i.url)}|${escapeMrkdwn(i.key)}>` : escapeMrkdwn(i.key)} ${escapeMrkdwn(truncate(i.title, 80))}`,
      );
  if (t.kind === 'first_issue' && !t.issues?.length && !t.accepted)
    lines.push('• No open issue is labelled for newcomers in the team’s projects yet: ask your buddy.');
  if (t.system) lines.push(`• ${escapeMrkdwn(t.system)}`);
  if (t.approval) lines.push(`• em-agent's request: *${escapeMrkdwn(t.approval.status)}*`);
  if (t.note) lines.push(`• ${userText(t.note)}`);
  return truncate([head, ...lines].join('\n'), 2900);
}

/** Slack shows at most 50 blocks in a message: a longer checklist goes on in further messages. */
const MESSAGE_BLOCKS = 50;
/** The most blocks a task takes: its section, and for a first issue the row of "Take" buttons. */
const mostBlocks = (t: TaskView) => (t.kind === 'first_issue' ? 2 : 1);

/** One task of the checklist: its text with a checkbox (none once skipped), and the issues to take as buttons. */
function taskBlocks(t: TaskView): KnownBlock[] {
  const option: MrkdwnOption = { text: { type: 'mrkdwn', text: 'Done' }, value: String(t.id) };
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      block_id: `onboarding_task_${t.id}`,
      text: { type: 'mrkdwn', text: taskText(t) },
      ...(t.status === 'skipped'
        ? {}
        : {
            accessory: {
              type: 'checkboxes',
              action_id: ONBOARDING_CHECK_ACTION,
              options: [option],
              ...(t.status === 'done' ? { initial_options: [option] } : {}),
            },
          }),
    },
  ];
  const offered = (t.issues ?? []).filter((i) => i.source === 'github').slice(0, MAX_OFFERED_ISSUES);
  if (t.kind === 'first_issue' && t.status === 'open' && !t.accepted && offered.length)
    blocks.push({
      type: 'actions',
      block_id: `onboarding_take_${t.id}`,
      elements: offered.map(
        (i, n): ActionButton => ({
          type: 'button',
          action_id: onboardingTakeAction(n),
          text: { type: 'plain_text', text: truncate(`Take ${i.key.split('/').pop() ?? i.key}`, 70) },
          value: `${t.id}|${i.key}`.slice(0, 2000),
        }),
      ),
    });
  return blocks;
}

/**
 * The welcome DM: the checklist, one checkbox per task, ticked as stored; issues to take as buttons. Every task is
 * shown: a checklist longer than one message holds goes on in further messages. Which message holds which task
 * depends only on the tasks' kinds, so a plan's checklist keeps its messages as it is redrawn.
 */
export function welcomeMessages(plan: PlanView): SlackMessage[] {
  const parts: TaskView[][] = [[]];
  let used = 2; // the greeting and the progress line
  for (const t of plan.tasks) {
    if (used + mostBlocks(t) > MESSAGE_BLOCKS) {
      parts.push([]);
      used = 1; // the "continued" line
    }
    parts[parts.length - 1]?.push(t);
    used += mostBlocks(t);
  }
  const team = plan.team ? ` to ${escapeMrkdwn(plan.team.name)}` : '';
  const done = plan.tasks.filter((t) => t.status === 'done').length;
  const more = parts.length - 1;
  return parts.map((tasks, i): SlackMessage => {
    if (i > 0)
      return {
        text: `Your onboarding checklist, continued (${i + 1} of ${parts.length})`,
        blocks: [
          {
            type: 'context',
            elements: [{ type: 'mrkdwn', text: `Your onboarding checklist, continued (${i + 1} of ${parts.length})` }],
          },
          ...tasks.flatMap(taskBlocks),
        ],
      };
    return {
      text: `Welcome${team}: your onboarding checklist`,
      blocks: [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text:
              `:tada: *Welcome${team}, <@${plan.person}>!* Here is your onboarding checklist; tick what is done.` +
              `${plan.manager ? ` Your manager is <@${plan.manager}>` : ''}${plan.buddy ? `${plan.manager ? ',' : ' Your'} buddy <@${plan.buddy}>` : ''}${plan.manager || plan.buddy ? '.' : ''}`,
          },
        },
        {
          type: 'context',
          elements: [
            {
              type: 'mrkdwn',
              text: `${done} of ${plan.tasks.length} done${more ? ` · the list goes on in the next ${more === 1 ? 'message' : `${more} messages`}` : ''}`,
            },
          ],
        },
        ...tasks.flatMap(taskBlocks),
      ],
    };
  });
}

/** One line per plan: whose, which team, progress, overdue, the next task. */
export function planLine(plan: PlanView, now: Date): string {
  const done = plan.tasks.filter((t) => t.status === 'done').length;
  const overdue = plan.tasks.filter((t) => t.overdue).length;
  const next = plan.tasks.find((t) => t.status === 'open');
  const day = Math.floor((now.getTime() - plan.startedAt.getTime()) / 86_400_000) + 1;
  return [
    `<@${plan.person}>${plan.team ? ` (${escapeMrkdwn(plan.team.name)})` : ''}: *${done} of ${plan.tasks.length}* done`,
    overdue ? `:alarm_clock: ${overdue} overdue` : '',
    `day ${day}`,
    next ? `next: ${escapeMrkdwn(truncate(next.title, 60))}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
}

export function planListMessage(plans: PlanView[], now: Date): SlackMessage {
  const text = plans.length
    ? `*Running onboarding plans* (${plans.length})\n${plans.map((p) => `• ${planLine(p, now)}`).join('\n')}`
    : 'No onboarding plan is running. `/em onboard @person [team]` starts one.';
  return {
    text: truncate(text, 2900),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncate(text, 2900) } }],
  };
}

/** The answer to `/em onboard`: the plan started, how many requests went to approvals, and what to check. */
export function planStartedMessage(plan: PlanView, warnings: string[], welcomed: boolean): SlackMessage {
  const requests = plan.tasks.filter((t) => t.approval).length;
  const text = [
    `:rocket: Onboarding started for <@${plan.person}>${plan.team ? ` in ${escapeMrkdwn(plan.team.name)}` : ''} from template \`${escapeMrkdwn(plan.template)}\`: *${plan.tasks.length}* tasks, ${requests} access request(s) through approvals.${welcomed ? ' The welcome DM is sent.' : ''}`,
    ...warnings.map((w) => `:warning: ${escapeMrkdwn(w)}`),
  ].join('\n');
  return {
    text: truncate(text, 2900),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncate(text, 2900) } }],
  };
}

/**
 * A refusal of `/em onboard`, escaped like any answer that may quote what was typed, with the new hire (a Slack id
 * the command checked) shown as a mention, not as `<@U…>` typed out.
 */
export function startRefusal(message: string, person: string): SlackMessage {
  return failure(userText(message).replaceAll(escapeMrkdwn(`<@${person}>`), `<@${person}>`));
}

/** The manager's summary when a plan ends. */
export function summaryMessage(plan: PlanView, summary: PlanSummary): SlackMessage {
  const pr =
    summary.daysToFirstMergedPr === null
      ? 'no merged pull request yet'
      : `first merged pull request after *${summary.daysToFirstMergedPr}* day(s)`;
  const skipped = plan.tasks.filter((t) => t.status === 'skipped').map((t) => `• ${escapeMrkdwn(t.title)}`);
  const text = [
    `:checkered_flag: *Onboarding of <@${plan.person}> is over*${plan.team ? ` (${escapeMrkdwn(plan.team.name)})` : ''}: ${summary.done} of ${summary.tasks} tasks done, ${summary.late} late, ${summary.skipped} skipped; ${pr}.`,
    ...(skipped.length ? ['Skipped:', ...skipped] : []),
  ].join('\n');
  return {
    text: truncate(text, 2900),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncate(text, 2900) } }],
  };
}

/** The digest line of an overdue task, as plain text (the digest escapes its titles). */
export function overdueTitle(task: { title: string }, personName: string): string {
  return `Onboarding of ${truncate(personName, 40)}: ${truncate(task.title, 100)}`;
}

/** "Start onboarding" on Home (managers and whoever a policy names for onboarding.start) and its modal. */
export const ONBOARDING_START_OPEN = 'onboarding_start_open';
export const ONBOARDING_START_MODAL = 'onboarding_start';
export const START_FIELDS = {
  person: 'onboarding_person',
  team: 'onboarding_team',
  buddy: 'onboarding_buddy',
  template: 'onboarding_template',
} as const;

/** Slack allows at most 100 options in a static select. */
const MAX_OPTIONS = 100;
const option = (text: string, value: string): PlainTextOption => ({
  text: { type: 'plain_text', text: truncate(text, 75) },
  value,
});

/**
 * The modal behind "Start onboarding": the new hire, their team (the teams the person may start plans in), an
 * optional buddy and template. An empty list leaves its select out (the tool then picks the default).
 */
export function startOnboardingModal(teams: { key: string; name: string }[], templates: string[]): SlackModal {
  const blocks: KnownBlock[] = [
    {
      type: 'input',
      block_id: START_FIELDS.person,
      label: { type: 'plain_text', text: 'New hire' },
      element: { type: 'users_select', action_id: START_FIELDS.person },
    },
  ];
  if (teams.length)
    blocks.push({
      type: 'input',
      block_id: START_FIELDS.team,
      label: { type: 'plain_text', text: 'Team' },
      element: {
        type: 'static_select',
        action_id: START_FIELDS.team,
        options: teams.slice(0, MAX_OPTIONS).map((t) => option(t.name, t.key)),
        ...(teams.length === 1 ? { initial_option: option(teams[0]?.name ?? '', teams[0]?.key ?? '') } : {}),
      },
    });
  blocks.push({
    type: 'input',
    block_id: START_FIELDS.buddy,
    optional: true,
    label: { type: 'plain_text', text: 'Buddy' },
    element: { type: 'users_select', action_id: START_FIELDS.buddy },
  });
  if (templates.length)
    blocks.push({
      type: 'input',
      block_id: START_FIELDS.template,
      optional: true,
      label: { type: 'plain_text', text: 'Template' },
      hint: { type: 'plain_text', text: "Default: the team's own template (onboarding/<team>.yml), else default." },
      element: {
        type: 'static_select',
        action_id: START_FIELDS.template,
        options: templates.slice(0, MAX_OPTIONS).map((name) => option(name, name)),
      },
    });
  return {
    type: 'modal',
    callback_id: ONBOARDING_START_MODAL,
    title: { type: 'plain_text', text: 'Start onboarding' },
    submit: { type: 'plain_text', text: 'Start' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

/** The running plans as the `onboarding.list` tool gives them (the agent's answer). */
export function planCountsMessage(
  plans: { person: string; team: { name: string } | null; done: number; overdue: number; total: number }[],
): SlackMessage {
  const lines = plans.map(
    (p) =>
      `• <@${p.person}>${p.team ? ` (${escapeMrkdwn(p.team.name)})` : ''}: ${p.done} of ${p.total} done${p.overdue ? `, ${p.overdue} late` : ''}`,
  );
  const text = plans.length
    ? `*Running onboarding plans* (${plans.length})\n${lines.join('\n')}`
    : 'No onboarding plan is running. `/em onboard @person [team]` starts one.';
  return {
    text: truncate(text, 2900),
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncate(text, 2900) } }],
  };
}
