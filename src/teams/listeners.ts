// The Slack door of teams: `/em team list|show`, the Home team section (picker, card, figures, Edit/Archive), the
// create/edit/archive modals, and the wrapper that answers "no team is called x" for every scoped report.
import type { SlackMessage } from '../../blocks/help.js';
import { failure } from '../../blocks/notice.js';
import { hours } from '../../blocks/reports/dora.js';
import {
  archiveTeamModal,
  ORG_CHOICE,
  TEAM_ARCHIVE_ACTION,
  TEAM_ARCHIVE_MODAL,
  TEAM_EDIT_ACTION,
  TEAM_MODAL,
  TEAM_NEW_ACTION,
  TEAM_PICK_ACTION,
  teamCardMessage,
  teamHomeSection,
  teamListMessage,
  teamModal,
  teamPickerOptions,
} from '../../blocks/teams/teams.js';
import { userText } from '../../blocks/text.js';
import { runTool } from '../capabilities/tool.js';
import { doraMetrics } from '../reports/dora.js';
import { buildSprintHealth } from '../reports/sprint.js';
import { listOpenSignals } from '../signals/store.js';
import { type CommandHandler, type CommandReply, toolContextOf } from '../slack/commands.js';
import type { SlackDeps, SlackSurfaceOf } from '../slack/deps.js';
import { type HomeContext, type HomeSectionProvider, publishHome } from '../slack/home.js';
import { type ButtonArgs, tellPrivately, type ViewArgs } from '../slack/private-reply.js';
import type { Db } from '../store/db.js';
import type { TeamCommand } from './args.js';
import type { Team } from './model.js';
import { editRefusal, NO_TEAM_ADMINS, type TeamAdmins } from './permissions.js';
import { TeamChoiceError } from './scope.js';
import { getTeam, listTeams, rememberChoice, rememberedChoice, resolveScope, targetInScope, teamsOf } from './store.js';
import { teamsArchiveTool, teamsListTool, teamsSaveTool, teamsShowTool } from './tools.js';

/** A report handler whose unknown or ambiguous team is answered in one line instead of "failed". */
export function answerTeamErrors<Command>(handler: CommandHandler<Command>): CommandHandler<Command> {
  return async (ctx, command) => {
    try {
      return await handler(ctx, command);
    } catch (err) {
      // The message quotes what the person typed: escaped, it pings and links nothing.
      if (err instanceof TeamChoiceError) return failure(userText(err.message)) as CommandReply;
      throw err;
    }
  };
}

/** `/em team list` and `/em team show <team>`. */
export function teamCommand(): CommandHandler<TeamCommand> {
  const list = teamsListTool();
  const show = teamsShowTool();
  return answerTeamErrors(async (ctx, command): Promise<SlackMessage> => {
    if (command.action === 'list') return teamListMessage((await runTool(list, toolContextOf(ctx), {})).teams);
    const team = await runTool(show, toolContextOf(ctx), { team: command.team });
    return team
      ? teamCardMessage(team)
      : failure('That means the whole org, not a team. `/em team list` shows the teams.');
  });
}

/** The team a person sees on Home: the one they last picked, else their only team, else the org (null). */
export async function homeTeam(db: Db, userId: string): Promise<Team | null> {
  const picked = await rememberedChoice(db, userId);
  if (picked !== undefined) {
    if (picked === '') return null;
    const team = await getTeam(db, picked);
    if (team && !team.archivedAt) return team;
  }
  const mine = await teamsOf(db, userId);
  return mine.length === 1 ? (mine[0] as Team) : null;
}

/** A team's figures for Home: DORA over 30 days from its repositories, its sprint, its open signals. */
async function teamFigures(db: Db, team: Team): Promise<string[]> {
  const scope = await resolveScope(db, team);
  const to = new Date();
  const [dora, sprint, signals] = await Promise.all([
    doraMetrics(db, { from: new Date(to.getTime() - 30 * 86_400_000), to, repos: scope.repos }),
    buildSprintHealth(db, { now: to, team: { boards: scope.boards, projects: scope.projects } }),
    listOpenSignals(db),
  ]);
  const open = signals.filter((s) => targetInScope(scope, s.target)).length;
  return [
    `DORA (30 days): *${dora.deploymentDaysPerWeek}* deploy days/week (${dora.deployments} in all) · lead time *${hours(dora.leadTimeHours)}* · CFR *${dora.changeFailureRate === null ? '–' : `${Math.round(dora.changeFailureRate * 100)}%`}*`,
    sprint
      ? `Sprint: ${sprint.completed.points} of ${sprint.committed.points} committed points done`
      : 'Sprint: none active on its boards',
    `Signals: *${open}* open`,
  ];
}

/** Home: the team picker and, for the chosen team, its card and figures. */
export function teamsHomeSection(admins: TeamAdmins = NO_TEAM_ADMINS): HomeSectionProvider {
  return {
    id: 'team',
    title: 'Team',
    async load({ db, userId }: HomeContext) {
      const [teams, team, admin] = await Promise.all([listTeams(db), homeTeam(db, userId), admins.isAdmin(userId)]);
      const canEdit = Boolean(team && (admin || team.managers.includes(userId)));
      return teamHomeSection({
        teams,
        team,
        canCreate: admin,
        canEdit,
        figures: team ? await teamFigures(db, team) : [],
      });
    },
  };
}

const republish = (deps: SlackDeps, args: ButtonArgs | ViewArgs, userId: string) =>
  publishHome(args.client, deps.home, { userId, db: deps.db }, deps.logger);

type PickArgs = Omit<ButtonArgs, 'action'> & { action: { selected_option?: { value: string } | null } };

/** Home picker: remembers the choice ('' = the org) and redraws Home. */
export function teamPicked(deps: SlackDeps) {
  return async (args: PickArgs) => {
    await args.ack();
    const userId = args.body.user.id;
    const value = args.action.selected_option?.value ?? ORG_CHOICE;
    const key = value === ORG_CHOICE ? '' : value;
    const team = key ? await getTeam(deps.db, key) : undefined;
    if (key && (!team || team.archivedAt))
      return tellPrivately(args as unknown as ButtonArgs, userId, 'That team is archived or gone; showing the org.');
    await rememberChoice(deps.db, userId, key);
    await republish(deps, args as unknown as ButtonArgs, userId);
  };
}

/** The picker's options as the person types, when there are more teams than a static drop-down holds. */
export function teamPickerSuggested(deps: SlackDeps) {
  return async (args: {
    body: { value?: string };
    ack: (response: { options: { text: { type: 'plain_text'; text: string }; value: string }[] }) => Promise<void>;
  }) => {
    const options = teamPickerOptions(await listTeams(deps.db), args.body.value ?? '');
    await args.ack({ options: options.map((o) => ({ text: { type: 'plain_text', text: o.text }, value: o.value })) });
  };
}

/** New team / Edit team: opens the modal, or says why not (not an admin, not a manager, managed by teams.yml). */
export function teamModalOpened(deps: SlackDeps, admins: TeamAdmins, mode: 'new' | 'edit' | 'archive') {
  return async (args: ButtonArgs) => {
    await args.ack();
    const userId = args.body.user.id;
    const team = mode === 'new' ? undefined : await getTeam(deps.db, args.action.value ?? '');
    if (mode !== 'new' && (!team || team.archivedAt))
      return tellPrivately(args, userId, 'That team is archived or gone.');
    const refusal = await editRefusal(admins, userId, team);
    if (refusal) return tellPrivately(args, userId, `:no_entry: ${refusal}`);
    await args.client.views.open({
      trigger_id: args.body.trigger_id,
      view: mode === 'archive' ? archiveTeamModal(team as Team) : teamModal(team),
    });
  };
}

type StateValues = Record<string, Record<string, { value?: string | null; selected_users?: string[] }>>;
const split = (v: string | null | undefined) =>
  (v ?? '')
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

/** The modal's fields as the tool's input; the tool validates them and decides who may. */
function modalFields(values: StateValues, key: string) {
  const text = (id: string) => values[id]?.[id]?.value?.trim() || null;
  const users = (id: string) => values[id]?.[id]?.selected_users ?? [];
  return {
    key: key || (text('key') ?? '').toLowerCase(),
    name: text('name') ?? '',
    members: users('members'),
    managers: users('managers'),
    channel: text('channel'),
    repos: split(text('repos')),
    jira_projects: split(text('jira_projects')).map((p) => p.toUpperCase()),
    jira_boards: split(text('jira_boards')),
    linear_teams: split(text('linear_teams')),
    oncall_group: text('oncall_group'),
    timezone: text('timezone') ?? 'UTC',
  };
}

/** Save in the team modal: field errors show on the fields; a refusal closes nothing and says why. */
export function teamSubmitted(deps: SlackDeps, admins: TeamAdmins) {
  const tool = teamsSaveTool(admins);
  return async (args: ViewArgs) => {
    const userId = args.body.user.id;
    const editing = args.view.private_metadata;
    // The modal has no field for the work days (teams.save sets them): an edit keeps the team's.
    const before = editing ? await getTeam(deps.db, editing) : undefined;
    const input = {
      ...modalFields(args.view.state.values as StateValues, editing),
      ...(before ? { work_days: before.workDays } : {}),
    };
    const parsed = tool.input.safeParse(input);
    if (!parsed.success) {
      const errors: Record<string, string> = {};
      for (const issue of parsed.error.issues) {
        const field = String(issue.path[0] ?? 'name');
        const block = field === 'key' && editing ? 'name' : field;
        errors[block] ??= issue.message;
      }
      return args.ack({ response_action: 'errors', errors });
    }
    if (!editing && (await getTeam(deps.db, parsed.data.key)))
      return args.ack({ response_action: 'errors', errors: { key: `${parsed.data.key} is taken; pick another key.` } });
    const result = await tool.run({ person: { slackId: userId }, db: deps.db, logger: deps.logger }, parsed.data);
    if (!result.ok) return args.ack({ response_action: 'errors', errors: { name: result.refusal } });
    await args.ack();
    if (!editing) await rememberChoice(deps.db, userId, result.team.key);
    await republish(deps, args, userId);
  };
}

export function teamArchiveSubmitted(deps: SlackDeps, admins: TeamAdmins) {
  const tool = teamsArchiveTool(admins);
  return async (args: ViewArgs) => {
    await args.ack();
    const userId = args.body.user.id;
    const result = await tool.run(
      { person: { slackId: userId }, db: deps.db, logger: deps.logger },
      { key: args.view.private_metadata },
    );
    if (!result.ok) return tellPrivately(args, userId, `:no_entry: ${result.message}`);
    await republish(deps, args, userId);
  };
}

/** The teams' buttons and modals: the Slack surface of the teams capability. */
export function teamsSurface(admins: TeamAdmins): SlackSurfaceOf {
  return (deps) => ({
    actions: {
      [TEAM_PICK_ACTION]: teamPicked(deps),
      [TEAM_NEW_ACTION]: teamModalOpened(deps, admins, 'new'),
      [TEAM_EDIT_ACTION]: teamModalOpened(deps, admins, 'edit'),
      [TEAM_ARCHIVE_ACTION]: teamModalOpened(deps, admins, 'archive'),
    },
    options: { [TEAM_PICK_ACTION]: teamPickerSuggested(deps) },
    views: { [TEAM_MODAL]: teamSubmitted(deps, admins), [TEAM_ARCHIVE_MODAL]: teamArchiveSubmitted(deps, admins) },
  });
}
