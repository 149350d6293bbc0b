// Teams in Slack: the list, one team's card, the line that says which team a report is for, and the modals.
import { Blocks, Elements, Message, Modal } from 'slack-block-builder';
import type { Team } from '../../src/teams/model.js';
import type { SlackMessage } from '../help.js';
import { type HomeOption, MAX_SELECT_OPTIONS } from '../home.js';
import { builtBlocks, builtModal, type SlackModal } from '../kit.js';
import { escapeMrkdwn, truncate } from '../text.js';

/**
 * The Home team picker: a drop-down of the org and every team. Slack's static_select holds 100 options (the org and
 * 99 teams); with more teams it is an external_select, whose options the bot gives as the person types.
 */
export const TEAM_PICK_ACTION = 'team_pick';
export const ORG_CHOICE = 'org';
const ORG_OPTION = { text: 'The whole org', value: ORG_CHOICE };
const teamOption = (t: Pick<Team, 'key' | 'name'>) => ({ text: truncate(t.name, 75), value: t.key });
export const TEAM_NEW_ACTION = 'team_new';
export const TEAM_EDIT_ACTION = 'team_edit';
export const TEAM_ARCHIVE_ACTION = 'team_archive';
export const TEAM_MODAL = 'team_modal';
export const TEAM_ARCHIVE_MODAL = 'team_archive_modal';

const users = (ids: string[]) => (ids.length ? ids.map((u) => `<@${u}>`).join(', ') : '–');
const codes = (values: string[]) => (values.length ? values.map((v) => `\`${escapeMrkdwn(v)}\``).join(', ') : '–');
const channel = (c: string | null) => (c ? (c.startsWith('#') ? escapeMrkdwn(c) : `<#${c}>`) : '–');
const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** Where a team is edited: in Slack, or in teams.yml (read-only in Slack). */
export const managedLine = (t: Pick<Team, 'managedByFile'>) =>
  t.managedByFile
    ? `:lock: Managed in \`${escapeMrkdwn(t.managedByFile)}\`: edit the file to change it.`
    : ':pencil2: Managed in Slack.';

export function teamLines(t: Team): string[] {
  return [
    `*Members* (${t.members.length}): ${users(t.members)}`,
    `*Managers*: ${users(t.managers)}`,
    `*Channel*: ${channel(t.channel)} · *on-call*: ${t.oncallGroup ? escapeMrkdwn(t.oncallGroup) : '–'}`,
    `*Repositories*: ${codes(t.repos)}`,
    `*Jira projects*: ${codes(t.jiraProjects)} · *boards*: ${codes(t.jiraBoards)} · *Linear teams*: ${codes(t.linearTeams)}`,
    `*Time zone*: ${escapeMrkdwn(t.timezone)} · *works*: ${t.workDays.map((d) => DAYS[d - 1]).join(' ')}`,
  ];
}

export function teamListMessage(teams: Team[]): SlackMessage {
  const lines = teams.map(
    (t) =>
      `• *${escapeMrkdwn(t.name)}* (\`${t.key}\`) — ${t.members.length} members, managers ${users(t.managers)}` +
      `${t.managedByFile ? ' · :lock: teams.yml' : ''}`,
  );
  const built = Message({ text: `${teams.length} team(s)` })
    .blocks(
      Blocks.Section({ text: `*Teams* (${teams.length})` }),
      Blocks.Section({
        text: lines.length
          ? truncate(lines.join('\n'), 2900)
          : '_No teams yet._ Create one on the Home tab, or define them in `teams.yml`.',
      }),
      Blocks.Context().elements(
        '`/em team show <team>` for one team; add a team to any report: `/em dora 30d payments`.',
      ),
    )
    .buildToObject();
  return { text: built.text ?? '', blocks: builtBlocks(built.blocks) };
}

export function teamCardMessage(t: Team): SlackMessage {
  const built = Message({ text: `Team ${escapeMrkdwn(t.name)}` })
    .blocks(
      Blocks.Section({ text: `*${escapeMrkdwn(t.name)}* (\`${t.key}\`)${t.archivedAt ? ' — archived' : ''}` }),
      Blocks.Section({ text: truncate(teamLines(t).join('\n'), 2900) }),
      Blocks.Context().elements(managedLine(t)),
    )
    .buildToObject();
  return { text: built.text ?? '', blocks: builtBlocks(built.blocks) };
}

/** The first line of a report scoped to a team, so nobody mistakes it for the org's. */
export function withTeamLine<M extends SlackMessage>(
  message: M,
  team: { key: string; name: string } | null | undefined,
  command: string,
): M {
  if (!team) return message;
  const line = {
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: `:busts_in_silhouette: Team *${escapeMrkdwn(team.name)}* (\`${team.key}\`) · \`/em ${command} org\` for the whole org`,
      },
    ],
  };
  // The notification text is mrkdwn as well: the name is escaped there too.
  return { ...message, text: `${escapeMrkdwn(team.name)}: ${message.text}`, blocks: [line, ...message.blocks] };
}

type HomeButton = { actionId: string; text: string; value?: string };
type HomePicker = {
  actionId: string;
  placeholder: string;
  options: HomeOption[];
  initial: HomeOption;
  external: boolean;
};

/** The picker's options for what the person typed (an external_select's): the org, then teams by name or key. */
export function teamPickerOptions(teams: Pick<Team, 'key' | 'name'>[], typed: string): HomeOption[] {
  const q = typed.trim().toLowerCase();
  const org = !q || 'the whole org'.includes(q) || q === ORG_CHOICE ? [ORG_OPTION] : [];
  const matching = teams.filter((t) => !q || t.name.toLowerCase().includes(q) || t.key.includes(q));
  return [...org, ...matching.map(teamOption)].slice(0, MAX_SELECT_OPTIONS);
}

/**
 * The Home tab's team section: the picker (the org and every team; the choice is remembered per person), then, for
 * a team, its card and figures, with Edit and Archive for those who may edit it.
 */
export function teamHomeSection(data: {
  teams: Pick<Team, 'key' | 'name'>[];
  team: Team | null;
  canCreate: boolean;
  canEdit: boolean;
  figures: string[];
}): { lines: string[]; empty: string; actions: HomeButton[]; picker?: HomePicker } {
  const t = data.team;
  const external = data.teams.length + 1 > MAX_SELECT_OPTIONS;
  const picker: HomePicker | undefined = data.teams.length
    ? {
        actionId: TEAM_PICK_ACTION,
        placeholder: 'Pick a team',
        options: external ? [] : teamPickerOptions(data.teams, ''),
        initial: t ? teamOption(t) : ORG_OPTION,
        external,
      }
    : undefined;
  const manage: HomeButton[] = [
    ...(data.canCreate ? [{ actionId: TEAM_NEW_ACTION, text: 'New team', value: 'new' }] : []),
    ...(t && data.canEdit && !t.managedByFile
      ? [
          { actionId: TEAM_EDIT_ACTION, text: 'Edit team', value: t.key },
          { actionId: TEAM_ARCHIVE_ACTION, text: 'Archive team', value: t.key },
        ]
      : []),
  ];
  const actions = manage;
  if (!t)
    return {
      lines: data.teams.length ? [`Showing *the whole org*. Pick a team to see its figures.`] : [],
      empty: data.canCreate ? 'No teams yet: create one with New team.' : 'No teams yet.',
      actions,
      ...(picker ? { picker } : {}),
    };
  return {
    lines: [
      `Showing *${escapeMrkdwn(t.name)}* (\`${t.key}\`)`,
      ...data.figures.slice(0, 3),
      ...teamLines(t).slice(0, 2),
      managedLine(t) + (t.managedByFile || data.canEdit ? '' : ' Only its managers and team admins can edit it.'),
    ],
    empty: '',
    actions,
    ...(picker ? { picker } : {}),
  };
}

/** Create or edit a team. `private_metadata` holds the key being edited ('' for a new team). */
export function teamModal(t?: Team): SlackModal {
  const text = (id: string, label: string, initial: string | undefined, hint?: string, optional = true) => {
    const input = Blocks.Input({ label, blockId: id, hint }).element(
      Elements.TextInput({ actionId: id, initialValue: initial || undefined }),
    );
    return optional ? input.optional() : input;
  };
  const userPicker = (id: string, label: string, initial: string[]) =>
    Blocks.Input({ label, blockId: id })
      .optional()
      .element(Elements.UserMultiSelect({ actionId: id }).initialUsers(initial.length ? initial : undefined));
  return builtModal(
    Modal({
      title: t ? 'Edit team' : 'New team',
      submit: 'Save',
      close: 'Cancel',
      callbackId: TEAM_MODAL,
      privateMetaData: t?.key ?? '',
    }).blocks(
      ...(t
        ? [Blocks.Section({ text: `Key: \`${t.key}\`` })]
        : [text('key', 'Key', undefined, 'lower-case, e.g. payments; used in /em dora 30d payments', false)]),
      text('name', 'Name', t?.name, undefined, false),
      userPicker('members', 'Members', t?.members ?? []),
      userPicker('managers', 'Managers', t?.managers ?? []),
      text('channel', 'Team channel', t?.channel ?? undefined, 'a channel id (C…) or #name'),
      text('repos', 'Repositories', t?.repos.join(', '), 'owner/name or owner/prefix-*, comma-separated'),
      text('jira_projects', 'Jira projects', t?.jiraProjects.join(', '), 'project keys, e.g. PAY'),
      text('jira_boards', 'Jira boards', t?.jiraBoards.join(', '), 'board ids, e.g. 12'),
      text('linear_teams', 'Linear teams', t?.linearTeams.join(', '), 'team keys, e.g. PAY'),
      text('oncall_group', 'On-call user group', t?.oncallGroup ?? undefined, 'e.g. @payments-oncall'),
      text('timezone', 'Time zone', t?.timezone ?? 'UTC', 'e.g. Europe/Berlin'),
    ),
  );
}

export function archiveTeamModal(t: Team): SlackModal {
  return builtModal(
    Modal({
      title: 'Archive team',
      submit: 'Archive',
      close: 'Cancel',
      callbackId: TEAM_ARCHIVE_MODAL,
      privateMetaData: t.key,
    }).blocks(
      Blocks.Section({
        text: `Archive *${escapeMrkdwn(t.name)}* (\`${t.key}\`)? Its reports go back to the org view; the record is kept.`,
      }),
    ),
  );
}
