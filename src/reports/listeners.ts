import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { SlackMessage } from '../../blocks/help.js';
import { myWorkLine, sprintHomeLines } from '../../blocks/home.js';
import { doraMessage, hours } from '../../blocks/reports/dora.js';
import { sprintMessage } from '../../blocks/reports/sprint.js';
import { standupHistoryMessage, standupMessage } from '../../blocks/reports/standup.js';
import { requestReviewModal, triageMessage } from '../../blocks/reports/triage.js';
import { withTeamLine } from '../../blocks/teams/teams.js';
import { escapeMrkdwn, link, narrativeBlock, plainText } from '../../blocks/text.js';
import { type ApprovalService, describeProposal } from '../approvals/service.js';
import { runTool } from '../capabilities/tool.js';
import { personBy } from '../identity/store.js';
import type { ModelUsage } from '../lib/chat-model.js';
import { narrate } from '../lib/narrative.js';
import { openSignalById } from '../signals/store.js';
import { type CommandContext, type CommandHandler, toolContextOf } from '../slack/commands.js';
import type { SlackDeps } from '../slack/deps.js';
import { fileImageBlock, uploadPng } from '../slack/files.js';
import { type HomeSectionProvider, sharedSection } from '../slack/home.js';
import { onlyVisible } from '../slack/membership.js';
import { type ButtonArgs, tellPrivately, type ViewArgs } from '../slack/private-reply.js';
import { viewInput } from '../slack/view-state.js';
import { answerTeamErrors } from '../teams/listeners.js';
import { scopeFor } from '../teams/scope.js';
import { getTeam } from '../teams/store.js';
import type { DoraCommand, SprintCommand, StandupCommand, TriageCommand } from './args.js';
import type { BandPoint } from './charts.js';
import { doraMetrics, doraTrend } from './dora.js';
import type { BandSet } from './dora-bands.js';
import { recoveryFor } from './dora-bands.js';
import { bandsOf, doraBandHistory } from './dora-report.js';
import { buildSprintHealth } from './sprint.js';
import { myOpenWork, standupHistory } from './store.js';
import { doraReportTool, reportTimezone, sprintHealthTool, standupReportTool, triageListTool } from './tools.js';

/** The Slack door's dependencies, with this capability's service. */
export type ReportSlackDeps = SlackDeps & { approvals?: ApprovalService };

export interface ReportSettings {
  bandSet: BandSet;
  timezone: string;
  /** The optional narrative model (OPENAI_API_KEY). */
  model?: () => Promise<BaseChatModel>;
  /** Each person's model tokens today: a narrative is paid from the asker's, and left out once they are spent. */
  modelUsage?: ModelUsage;
  /** The clock reports end at (default: the wall clock). */
  now?: () => Date;
}

/** Adds the optional model-written summary; the report's own blocks (and every figure) stay as they are. */
async function withNarrative(
  ctx: CommandContext,
  message: SlackMessage,
  settings?: ReportSettings,
): Promise<SlackMessage> {
  // The figures, without the footers (definitions hold numbers too, which are not facts about this report).
  const figures = message.blocks.filter((b) => (b as { type?: string }).type !== 'context');
  const text = await narrate(settings?.model, plainText(figures), ctx.logger, {
    usage: settings?.modelUsage,
    person: ctx.userId,
    purpose: 'narrative',
  });
  return text ? { ...message, blocks: [...message.blocks, narrativeBlock(text)] } : message;
}

/** `/em dora [window] [post #channel]`. */
/** A chart uploaded to Slack and appended as an image block; a chart that fails leaves the text report intact. */
type Charts = typeof import('./charts.js');

// Vega and resvg load on the first chart, not at start-up (they weigh tens of MB).
async function withChart(
  ctx: CommandContext,
  message: SlackMessage,
  chart: (charts: Charts) => Promise<{ png: Buffer; name: string; alt: string } | null>,
): Promise<SlackMessage> {
  try {
    const made = await chart(await import('./charts.js'));
    if (!made) return message;
    const fileId = await uploadPng(ctx.client, made.png, `${made.name}.png`, made.alt);
    return { ...message, blocks: [...message.blocks, fileImageBlock(fileId, made.alt)] };
  } catch (err) {
    ctx.logger.warn({ err }, 'chart could not be rendered or uploaded; sending the report without it');
    return message;
  }
}

/** `/em dora [window] [post #channel]`: the four keys, per repository, and a weekly trend chart. */
export function doraCommand(settings: ReportSettings): CommandHandler<DoraCommand> {
  const tool = doraReportTool(settings);
  return answerTeamErrors(async (ctx, command) => {
    const report = await runTool(tool, toolContextOf(ctx), { days: command.days, team: command.team });
    const now = report.to;
    const repos = report.scopeRepos ?? undefined;
    // The charts count days where the report did: in the team's time zone for a team's report.
    const timezone = reportTimezone(report.team && (await getTeam(ctx.db, report.team.key)), settings.timezone);
    const trend = await withChart(
      ctx,
      withTeamLine(await withNarrative(ctx, doraMessage(report), settings), report.team, 'dora'),
      async ({ doraTrendSpec, renderPng }) => {
        if (!report.org.current.deployments) return null;
        const points = await doraTrend(ctx.db, {
          from: report.from,
          to: report.to,
          repos,
          timezone,
        });
        return {
          png: await renderPng(doraTrendSpec(points)),
          name: `dora-${command.days}d`,
          alt: `Deployments per week and median lead time, last ${command.days} days`,
        };
      },
    );
    return withChart(ctx, trend, async ({ bandHistorySpec, renderPng }) => {
      if (!report.org.current.deployments) return null;
      const weeks = Math.min(26, Math.max(4, Math.round(command.days / 7)));
      const history = await doraBandHistory(ctx.db, {
        weeks,
        now,
        repos,
        bandSet: settings.bandSet,
        timezone,
      });
      const keys = [
        ['Deployment frequency', 'deploymentFrequency'],
        ['Lead time', 'leadTime'],
        ['Change failure rate', 'changeFailureRate'],
        ['Recovery', 'recovery'],
      ] as const;
      const points = history.flatMap((h) =>
        keys.map(([key, field]): BandPoint => ({ week: h.week, key, band: h.bands[field] ?? 'no data' })),
      );
      return {
        png: await renderPng(bandHistorySpec(points)),
        name: `dora-bands-${weeks}w`,
        alt: `DORA bands week by week (rolling four weeks), last ${weeks} weeks`,
      };
    });
  });
}

/** Org-wide tiles are the same for everyone: computed at most once a minute, an older copy shown while it refreshes. */
const SHARED_TILE: Parameters<typeof sharedSection>[1] = { freshForMs: 60_000, staleForMs: 10 * 60_000 };

/** Home tile: the org's four keys over 30 days, with bands (one window, no per-repository breakdown: it stays fast). */
export function doraHomeSection(settings: ReportSettings, cache = SHARED_TILE): HomeSectionProvider {
  return sharedSection(
    {
      id: 'dora',
      title: 'DORA four keys (30 days)',
      async load({ db }) {
        const to = new Date();
        const c = await doraMetrics(db, {
          from: new Date(to.getTime() - 30 * 86_400_000),
          to,
          timezone: settings.timezone,
        });
        if (!c.deployments && c.leadTimeHours === null)
          return { lines: [], empty: 'No deployments are synced yet: connect GitHub in sources.yml.' };
        const b = bandsOf(c, settings.bandSet);
        return {
          lines: [
            `Deploys: *${c.deploymentDaysPerWeek}* days/week (${c.deployments} in all) · ${b.deploymentFrequency ?? '–'}`,
            `Lead time: *${hours(c.leadTimeHours)}* · ${b.leadTime ?? '–'}`,
            `Change failure rate: *${c.changeFailureRate === null ? '–' : `${Math.round(c.changeFailureRate * 100)}%`}* · ${b.changeFailureRate ?? '–'}`,
            `Recovery: *${hours(recoveryFor(c, settings.bandSet))}* · ${b.recovery ?? '–'}`,
          ],
          empty: '',
        };
      },
    },
    cache,
  );
}

/** `/em triage [post #channel]`: the rules run first (so the list is current), then the ranked list. */
export function triageCommand(engine: {
  evaluate(options: { all: boolean }): Promise<unknown>;
}): CommandHandler<TriageCommand> {
  const tool = triageListTool(engine);
  return answerTeamErrors(async (ctx, command) => {
    const team = await scopeFor(ctx.db, ctx.userId, command.team);
    // Posted to a channel, it holds no private incident (without the Web API the tool leaves them out).
    const toolCtx = command.post ? { ...toolContextOf(ctx), slack: undefined } : toolContextOf(ctx);
    const groups = await runTool(tool, toolCtx, { team: command.team });
    return withTeamLine(triageMessage(groups), team && { key: team.team.key, name: team.team.name }, 'triage');
  });
}

/** `/em standup [hours] [post #channel]`, or `/em standup history @person`: that person's posted standups. */
export function standupCommand(settings?: ReportSettings, now = () => new Date()): CommandHandler<StandupCommand> {
  const tool = standupReportTool(now);
  return answerTeamErrors(async (ctx, command) => {
    if (command.history) {
      const rows = await standupHistory(ctx.db, command.history.user, command.history.search);
      // Standups posted to a private channel are shown only to its members.
      const visible = await onlyVisible(rows, ctx.client, ctx.userId);
      return standupHistoryMessage(command.history.user, visible.slice(0, 15));
    }
    const standup = await runTool(tool, toolContextOf(ctx), { hours: command.hours, team: command.team });
    return withNarrative(ctx, withTeamLine(standupMessage(standup), standup.team, 'standup'), settings);
  });
}

/** `/em sprint [days]`: `days` is how long in one status counts as aging (default 3). */
export function sprintCommand(settings?: ReportSettings, now = () => new Date()): CommandHandler<SprintCommand> {
  const tool = sprintHealthTool(now, settings?.timezone);
  return answerTeamErrors(async (ctx, command) => {
    const team = await scopeFor(ctx.db, ctx.userId, command.team);
    const health = await runTool(tool, toolContextOf(ctx), { agingDays: command.days ?? 3, team: command.team });
    const shownTeam = team && { key: team.team.key, name: team.team.name };
    return withChart(
      ctx,
      withTeamLine(await withNarrative(ctx, sprintMessage(health), settings), shownTeam, 'sprint'),
      async ({ burndownSpec, renderPng }) =>
        health
          ? {
              png: await renderPng(burndownSpec(health.name, health.burndown)),
              name: `burndown-${health.id}`,
              alt: `${health.name} burndown: points open per day against the ideal line`,
            }
          : null,
    );
  });
}

export function sprintHomeSection(cache = SHARED_TILE): HomeSectionProvider {
  return sharedSection(
    {
      id: 'sprint',
      title: 'Current sprint',
      async load({ db }) {
        const s = await buildSprintHealth(db);
        if (!s) return { lines: [], empty: 'No sprint is synced yet: connect Jira or Linear in sources.yml.' };
        return { lines: sprintHomeLines(s), empty: '' };
      },
    },
    cache,
  );
}

const NUDGE_TO = { review_bottleneck: 'reviewer', stale_pr: 'author', aging_blocked: 'assignee' } as const;

/** Nudge on a triage item: a DM to the person who can act, proposed through policy like any other action. */
export function triageNudge(deps: ReportSlackDeps) {
  return async (args: ButtonArgs) => {
    await args.ack();
    const userId = args.body.user.id;
    const signal = await openSignalById(deps.db, Number(args.action.value));
    const role = signal ? NUDGE_TO[signal.kind as keyof typeof NUDGE_TO] : undefined;
    const to = role ? signal?.target[role] : undefined;
    if (!signal || !to || !deps.approvals)
      return tellPrivately(args, userId, ':grey_question: That item is no longer open; nothing to nudge.');
    const owner = (await personBy(deps.db, to.source, to.id))?.slack ?? null;
    const day = new Date().toISOString().slice(0, 10);
    const result = await deps.approvals.propose({
      action: 'slack.dm',
      params: {
        to,
        text: `:wave: <@${userId}> asks you to take a look: ${escapeMrkdwn(signal.title)}.${signal.url ? ` ${link(signal.url, 'Open')}` : ''}`,
      },
      summary: `Nudge ${to.id}: ${signal.title}`,
      rule: signal.rule,
      severity: signal.severity,
      repo: signal.target.repo ?? null,
      signalId: signal.id,
      requestedBy: userId,
      subjectOwner: owner,
      idempotencyKey: `nudge:${signal.id}:${day}`,
    });
    await tellPrivately(
      args,
      userId,
      describeProposal(result, {
        done: `Nudged ${to.id}.`,
        pending: 'Nudges need approval here; it was sent to the approvers.',
        duplicate: `${to.id} was already nudged about this today.`,
        failed: 'The nudge could not be sent',
      }),
    );
  };
}

/** Home: the viewer's open PRs (and what they wait for) and the reviews others wait for from them. */
export function myWorkHomeSection(): HomeSectionProvider {
  return {
    id: 'mine',
    title: 'Your pull requests and reviews',
    async load({ db, userId }) {
      const person = await personBy(db, 'slack', userId);
      if (!person?.github)
        return { lines: [], empty: 'Your GitHub account is not linked yet (same e-mail, or people: in sources.yml).' };
      const rows = await myOpenWork(db, person.github);
      return {
        lines: rows.map(myWorkLine),
        empty: 'Nothing of yours is waiting.',
      };
    },
  };
}

/** "Request review" on a stale PR in triage: a modal to pick the reviewer. */
export function triageRequestReview(deps: ReportSlackDeps) {
  return async (args: ButtonArgs) => {
    await args.ack();
    const signal = await openSignalById(deps.db, Number(args.action.value));
    if (!signal?.target.repo || !signal.target.number)
      return tellPrivately(args, args.body.user.id, 'That pull request no longer needs a review.');
    await args.client.views.open({
      trigger_id: args.body.trigger_id,
      view: requestReviewModal(signal.id, signal.title),
    });
  };
}

/** The reviewer picked: their GitHub account is requested on the PR, through policy (often: approval first). */
export function requestReviewSubmitted(deps: ReportSlackDeps) {
  return async (args: ViewArgs) => {
    const reviewer = viewInput(args, 'reviewer')?.selected_user;
    const github = reviewer ? (await personBy(deps.db, 'slack', reviewer))?.github : undefined;
    if (!reviewer || !github)
      return args.ack({
        response_action: 'errors',
        errors: {
          reviewer: reviewer ? 'Their GitHub account is not linked (people: in sources.yml).' : 'Pick a reviewer.',
        },
      });
    await args.ack();
    const userId = args.body.user.id;
    const signal = await openSignalById(deps.db, Number(args.view.private_metadata));
    const repo = signal?.target.repo;
    const number = signal?.target.number;
    if (!signal || !repo || !number || !deps.approvals)
      return tellPrivately(args, userId, ':grey_question: That pull request no longer needs a review.');
    const result = await deps.approvals.propose({
      action: 'github.request_reviewers',
      params: { repo, number, reviewers: [github] },
      summary: `Request ${github} as reviewer on ${repo}#${number}`,
      rule: signal.rule,
      severity: signal.severity,
      repo,
      signalId: signal.id,
      requestedBy: userId,
      idempotencyKey: `request-review:${signal.id}:${github}`,
    });
    await tellPrivately(
      args,
      userId,
      describeProposal(result, {
        done: `Requested ${github} on ${repo}#${number}.`,
        pending: `Requesting ${github} on ${repo}#${number} needs approval; it was sent to the approvers.`,
        duplicate: `${github} was already requested on ${repo}#${number}.`,
        failed: 'The request failed',
      }),
    );
  };
}
