// The Slack door of OKRs: `/em okr [team] [quarter]` (with the burn-up chart), the Home section, and the weekly
// check-in's button and modal.
import type { SlackMessage } from '../../blocks/help.js';
import { failure } from '../../blocks/notice.js';
import {
  CHECKIN_FIELDS,
  checkinModal,
  MODAL_KEY_RESULTS,
  OBJECTIVE_FIELDS,
  OKR_CHECKIN_MODAL,
  OKR_CHECKIN_OPEN,
  OKR_NEW_ACTION,
  OKR_OBJECTIVE_MODAL,
  objectiveModal,
  okrHomeLines,
  okrMessage,
} from '../../blocks/okrs/okrs.js';
import { withTeamLine } from '../../blocks/teams/teams.js';
import { userText } from '../../blocks/text.js';
import { runTool } from '../capabilities/tool.js';
import { type CommandContext, type CommandReply, toolContextOf } from '../slack/commands.js';
import type { SlackDeps, SlackSurfaceOf } from '../slack/deps.js';
import { fileImageBlock, uploadPng } from '../slack/files.js';
import { type HomeSectionProvider, publishHome } from '../slack/home.js';
import { firstDelivery } from '../slack/listeners/once.js';
import { type ButtonArgs, tellPrivately, type ViewArgs } from '../slack/private-reply.js';
import { viewInput } from '../slack/view-state.js';
import { homeTeam } from '../teams/listeners.js';
import { TeamChoiceError } from '../teams/scope.js';
import { getTeam, resolveScope } from '../teams/store.js';
import type { OkrCommand } from './args.js';
import { currentQuarter, parseQuarter, parseTarget } from './model.js';
import { NO_OKR_EDITORS, type OkrEditors, okrEditRefusal } from './permissions.js';
import { buildOkrReport } from './service.js';
import { checkinsOf, getKeyResult, listObjectives } from './store.js';
import { okrsCheckinTool, okrsSaveTool, okrsShowTool, progressNow, QuarterError } from './tools.js';

export interface OkrSlackOptions {
  /** The clock the report and check-ins use (default: the wall clock). */
  clock?: () => Date;
  /** Who may create objectives besides each team's managers (policy `okrs.edit`). */
  editors?: OkrEditors;
}

/** `/em okr [team] [quarter]`: the report, then the burn-up chart (a chart that fails leaves the report intact). */
export function okrCommand(
  options: OkrSlackOptions = {},
): (ctx: CommandContext, command: OkrCommand) => Promise<CommandReply> {
  const tool = okrsShowTool(options.clock);
  return async (ctx, command): Promise<CommandReply> => {
    let report: Awaited<ReturnType<typeof tool.run>>;
    try {
      report = await runTool(tool, toolContextOf(ctx), { team: command.team, quarter: command.quarter });
    } catch (err) {
      if (err instanceof TeamChoiceError || err instanceof QuarterError)
        return failure(userText(err.message)) as CommandReply;
      throw err;
    }
    const message: SlackMessage = withTeamLine(okrMessage(report), report.team, 'okr');
    if (!report.burnup.length) return message;
    try {
      // Vega and resvg load on the first chart, not at start-up (one import after the other: they share modules).
      const { renderPng } = await import('../reports/charts.js');
      const { okrBurnupSpec } = await import('./chart.js');
      const alt = `Burn-up of the key results, ${report.quarter.key}`;
      const png = await renderPng(okrBurnupSpec(`Key results: burn-up, ${report.quarter.key}`, report.burnup));
      const fileId = await uploadPng(ctx.client, png, `okr-${report.quarter.key}.png`, alt);
      return { ...message, blocks: [...message.blocks, fileImageBlock(fileId, alt)] };
    } catch (err) {
      ctx.logger.warn({ err }, 'OKR chart could not be rendered or uploaded; sending the report without it');
      return message;
    }
  };
}

/** Home: the quarter's OKRs of the person's team, and the key results they own with their last confidence. */
export function okrsHomeSection(options: OkrSlackOptions = {}): HomeSectionProvider {
  return {
    id: 'okrs',
    title: 'OKRs',
    async load({ db, userId }) {
      const now = options.clock?.() ?? new Date();
      const team = await homeTeam(db, userId);
      const report = await buildOkrReport(db, {
        scope: team ? await resolveScope(db, team) : null,
        quarter: currentQuarter(now),
        now,
      });
      const canEdit = team && !(await okrEditRefusal(options.editors ?? NO_OKR_EDITORS, userId, team, false));
      return {
        lines: okrHomeLines(report, userId),
        empty: 'No OKRs this quarter (okrs.yml, or New objective).',
        ...(team && canEdit ? { actions: [{ actionId: OKR_NEW_ACTION, text: 'New objective', value: team.key }] } : {}),
      };
    },
  };
}

/** "Check in" on the weekly DM: opens the modal for that key result (its owner only). */
export function checkinOpened(deps: SlackDeps, options: OkrSlackOptions) {
  return async (args: ButtonArgs) => {
    await args.ack();
    const userId = args.body.user.id;
    const kr = await getKeyResult(deps.db, Number(args.action.value));
    if (!kr) return tellPrivately(args, userId, 'That key result no longer exists.');
    if (kr.owner !== userId) return tellPrivately(args, userId, `Only <@${kr.owner}> checks in on that key result.`);
    const [progress, checkins] = await Promise.all([
      progressNow(deps.db, kr.id, options.clock?.() ?? new Date()),
      checkinsOf(deps.db, [kr.id]),
    ]);
    await args.client.views.open({
      trigger_id: args.body.trigger_id,
      view: checkinModal({ id: kr.id, title: kr.title, progress, last: checkins.at(-1)?.confidence }),
    });
  };
}

/** The check-in modal's Check in: stored through okrs.checkin; the owner is told the trend. */
export function checkinSubmitted(deps: SlackDeps, options: OkrSlackOptions) {
  const tool = okrsCheckinTool(options.clock);
  return async (args: ViewArgs) => {
    const userId = args.body.user.id;
    const confidence = Number(viewInput(args, CHECKIN_FIELDS.confidence)?.selected_option?.value);
    if (!Number.isInteger(confidence) || confidence < 1 || confidence > 10)
      return args.ack({ response_action: 'errors', errors: { [CHECKIN_FIELDS.confidence]: 'Pick 1 to 10.' } });
    await args.ack();
    if (!(await firstDelivery(deps, args.body))) return;
    const note = viewInput(args, CHECKIN_FIELDS.note)?.value ?? undefined;
    const result = await tool.run(
      { person: { slackId: userId }, db: deps.db, logger: deps.logger, via: 'slack' },
      { key_result: Number(args.view.private_metadata), confidence, note: note?.trim() || undefined },
    );
    if (!result.ok) return tellPrivately(args, userId, `:no_entry: ${result.refusal}`);
    const history = (await checkinsOf(deps.db, [Number(args.view.private_metadata)])).map((c) => c.confidence);
    await tellPrivately(
      args,
      userId,
      `Checked in for the week of ${result.week}: confidence ${history.slice(-6).join(' → ')}/10.`,
    );
  };
}

/** New objective (Home): opens the modal for the team, or says who may. */
export function objectiveModalOpened(deps: SlackDeps, options: OkrSlackOptions) {
  return async (args: ButtonArgs) => {
    await args.ack();
    const userId = args.body.user.id;
    const team = await getTeam(deps.db, args.action.value ?? '');
    if (!team || team.archivedAt) return tellPrivately(args, userId, 'That team is archived or gone.');
    const refusal = await okrEditRefusal(options.editors ?? NO_OKR_EDITORS, userId, team);
    if (refusal) return tellPrivately(args, userId, `:no_entry: ${refusal}`);
    const quarter = currentQuarter(options.clock?.() ?? new Date()).key;
    await args.client.views.open({ trigger_id: args.body.trigger_id, view: objectiveModal(team, quarter) });
  };
}

/** Save in the objective modal: problems show on their fields; okrs.save decides who may. */
export function objectiveSubmitted(deps: SlackDeps, options: OkrSlackOptions) {
  const tool = okrsSaveTool(options.editors ?? NO_OKR_EDITORS);
  return async (args: ViewArgs) => {
    const userId = args.body.user.id;
    const text = (block: string) => viewInput(args, block)?.value?.trim() ?? '';
    const errors: Record<string, string> = {};
    const keyResults: Record<string, unknown>[] = [];
    for (let n = 1; n <= MODAL_KEY_RESULTS; n++) {
      const title = text(OBJECTIVE_FIELDS.krTitle(n));
      const owner = viewInput(args, OBJECTIVE_FIELDS.krOwner(n))?.selected_user ?? '';
      const target = text(OBJECTIVE_FIELDS.krTarget(n));
      if (!title && !owner && !target) continue;
      if (!title) errors[OBJECTIVE_FIELDS.krTitle(n)] = 'Name the key result.';
      if (!owner) errors[OBJECTIVE_FIELDS.krOwner(n)] = 'Pick its owner.';
      const parsed = parseTarget(target);
      if (!parsed.ok) errors[OBJECTIVE_FIELDS.krTarget(n)] = parsed.message;
      else keyResults.push({ title, owner, ...('work' in parsed ? { work: parsed.work } : { metric: parsed.metric }) });
    }
    const input = {
      team: args.view.private_metadata,
      quarter: text(OBJECTIVE_FIELDS.quarter),
      objective: { title: text(OBJECTIVE_FIELDS.title), key_results: keyResults },
    };
    const checked = tool.input.safeParse(input);
    if (!Object.keys(errors).length && !checked.success)
      for (const issue of checked.error.issues) {
        const [top, , kr, field] = issue.path as (string | number)[];
        const block =
          top === 'quarter'
            ? OBJECTIVE_FIELDS.quarter
            : typeof kr === 'number'
              ? field === 'title'
                ? OBJECTIVE_FIELDS.krTitle(kr + 1)
                : OBJECTIVE_FIELDS.krTarget(kr + 1)
              : kr === 'key_results'
                ? OBJECTIVE_FIELDS.krTitle(1)
                : OBJECTIVE_FIELDS.title;
        errors[block] ??= issue.message;
      }
    if (Object.keys(errors).length || !checked.success)
      return args.ack({
        response_action: 'errors',
        errors: Object.keys(errors).length ? errors : { [OBJECTIVE_FIELDS.title]: 'Invalid' },
      });
    // New objective makes one: saving under an existing title would replace that objective, deleting the key
    // results this modal does not list and their check-ins.
    const quarter = parseQuarter(checked.data.quarter);
    const existing = quarter ? await listObjectives(deps.db, { team: checked.data.team, quarter: quarter.key }) : [];
    // (One okrs.yml made is refused by okrs.save itself, which says to edit the file.)
    const same = existing.find((o) => o.title === checked.data.objective.title);
    if (same && !same.managedByFile)
      return args.ack({
        response_action: 'errors',
        errors: {
          [OBJECTIVE_FIELDS.title]: `${quarter?.key} already has an objective with this title; give this one another.`,
        },
      });
    const result = await tool.run(
      { person: { slackId: userId }, db: deps.db, logger: deps.logger, via: 'slack' },
      checked.data,
    );
    if (!result.ok)
      return args.ack({
        response_action: 'errors',
        errors: {
          [result.refusal.includes('quarter') ? OBJECTIVE_FIELDS.quarter : OBJECTIVE_FIELDS.title]: result.refusal,
        },
      });
    await args.ack();
    await publishHome(args.client, deps.home, { userId, db: deps.db }, deps.logger);
  };
}

export function okrsSurface(options: OkrSlackOptions = {}): SlackSurfaceOf {
  return (deps) => ({
    actions: {
      [OKR_CHECKIN_OPEN]: checkinOpened(deps, options),
      [OKR_NEW_ACTION]: objectiveModalOpened(deps, options),
    },
    views: {
      [OKR_CHECKIN_MODAL]: checkinSubmitted(deps, options),
      [OKR_OBJECTIVE_MODAL]: objectiveSubmitted(deps, options),
    },
  });
}
