// The onboarding autopilot: a plan from a template for a new hire in a team; access em-agent can grant goes through
// policies and approvals; the welcome DM is the checklist; overdue tasks go to their owner's digest; at the end the
// manager gets a summary.
import type { WebClient } from '@slack/web-api';
import {
  overdueTitle,
  type PlanView,
  planStartedMessage,
  summaryMessage,
  type TaskView,
  welcomeMessages,
} from '../../blocks/onboarding.js';
import type { PolicyBook } from '../approvals/policies.js';
import type { ActionRequest, ProposeOutcome } from '../approvals/service.js';
import { getApproval } from '../approvals/store.js';
import { personBy } from '../identity/store.js';
import type { NotificationInput } from '../notifications/model.js';
import { dropReason } from '../notifications/store.js';
import type { Logger } from '../observability/logger.js';
import { slackErrorCode } from '../slack/errors.js';
import { channelIdOf } from '../slack/membership.js';
import type { Db } from '../store/db.js';
import type { Team } from '../teams/model.js';
import { scopeFor } from '../teams/scope.js';
import { getTeam, listTeams, type TeamScope } from '../teams/store.js';
import {
  dueAt,
  dueDayOf,
  isOverdue,
  type OwnerRole,
  type PlanSummary,
  summarize,
  type Template,
  type TemplateTask,
} from './model.js';
import {
  finishPlan,
  firstMergedPr,
  getPlan,
  getTask,
  githubLoginOf,
  indexedDocs,
  insertPlan,
  listPlans,
  type NewTask,
  newcomerIssues,
  type Plan,
  planTasks,
  setTaskApproval,
  setTaskDetail,
  setTaskStatus,
  setWelcome,
  type Task,
  type TaskDetail,
  usefulDocs,
} from './store.js';
import type { TemplateBook } from './templates.js';

/** The policy action that names who, besides a team's managers, may start onboarding plans. */
export const ONBOARDING_START_ACTION = 'onboarding.start';

export interface OnboardingServiceDeps {
  db: Db;
  logger: Logger;
  slack: () => WebClient | undefined;
  templates: TemplateBook;
  policies: PolicyBook;
  approvals: {
    propose(request: ActionRequest): Promise<ProposeOutcome>;
    expandApprovers(approvers: string[], maxAgeMs?: number): Promise<string[]>;
  };
  notifications: { notify(input: NotificationInput): Promise<unknown> };
  clock?: () => Date;
}

export type StartInput = { person: string; team?: string; buddy?: string; template?: string };
export type StartOutcome =
  | {
      ok: true;
      plan: PlanView;
      warnings: string[];
      /** Whether the welcome DM went out. */
      welcomed: boolean;
    }
  | { ok: false; message: string };

const reasonKey = (taskId: number) => `onboarding:task:${taskId}`;

export class OnboardingService {
  constructor(private readonly deps: OnboardingServiceDeps) {}

  private now(): Date {
    return this.deps.clock?.() ?? new Date();
  }

  /** Who may start a plan: the team's managers, and whoever a policy names for `onboarding.start`. */
  async mayStart(userId: string, team: Team | null): Promise<boolean> {
    if (team?.managers.includes(userId)) return true;
    const named = this.deps.policies.fresh().policies.filter((p) => p.policy.action === ONBOARDING_START_ACTION);
    if (named.some((p) => p.policy.mode === 'auto')) return true;
    const approvers = named.filter((p) => p.policy.mode === 'approve').flatMap((p) => p.policy.approvers);
    return approvers.length > 0 && (await this.deps.approvals.expandApprovers(approvers, 0)).includes(userId);
  }

  /**
   * What "Start onboarding" offers a person: the teams they may start plans in (those they manage, or every active
   * team when a policy names them for `onboarding.start`) and the loaded templates; undefined when they may not.
   */
  async startChoices(userId: string): Promise<{ teams: Team[]; templates: string[] } | undefined> {
    const active = await listTeams(this.deps.db);
    const named = await this.mayStart(userId, null);
    const teams = named ? active : active.filter((t) => t.managers.includes(userId));
    if (!named && !teams.length) return undefined;
    return { teams, templates: this.deps.templates.names() };
  }

  /** Starts a plan: tasks from the template, access requests proposed, the welcome DM sent. */
  async start(by: string, input: StartInput, via?: string): Promise<StartOutcome> {
    const { db } = this.deps;
    const scope = await scopeFor(db, input.person, input.team);
    const team = scope?.team ?? null;
    if (!(await this.mayStart(by, team)))
      return {
        ok: false,
        message: team
          ? `Only ${team.name}'s managers, or whoever a policy names for \`${ONBOARDING_START_ACTION}\`, can start onboarding there.`
          : `Name the new hire's team (\`/em onboard @person <team>\`): only team managers, or whoever a policy names for \`${ONBOARDING_START_ACTION}\`, start onboarding.`,
      };
    const absent = await this.notAUser(input.person);
    if (absent) return { ok: false, message: absent };
    const picked = this.deps.templates.pick(input.template, team?.key);
    if (!picked)
      return {
        ok: false,
        message: input.template
          ? `There is no onboarding template \`${input.template}\` (onboarding/*.yml has: ${this.deps.templates.names().join(', ') || 'none'}).`
          : 'There is no onboarding template: add onboarding/default.yml.',
      };
    const start = this.now();
    const manager = team?.managers.includes(by) ? by : (team?.managers[0] ?? by);
    const buddy = input.buddy ?? null;
    const warnings: string[] = [];
    const tasks = await this.buildTasks(picked.template, {
      person: input.person,
      manager,
      buddy,
      scope,
      start,
      warnings,
    });
    const plan = await insertPlan(
      db,
      {
        person: input.person,
        teamKey: team?.key ?? null,
        template: picked.name,
        buddy,
        manager,
        startedBy: by,
        startedAt: start,
        endAt: new Date(start.getTime() + picked.template.ends_after_days * 86_400_000),
      },
      tasks,
    );
    if (!plan) return { ok: false, message: `<@${input.person}> already has a running onboarding plan.` };
    const name = await this.nameOf(input.person);
    for (const task of await planTasks(db, plan.id)) {
      const access = task.detail.access;
      if (!access || !('action' in access)) continue;
      const outcome = await this.deps.approvals.propose({
        action: access.action,
        params: access.params,
        summary: `Onboarding ${name}: ${task.title}`,
        repo: access.repo ?? null,
        requestedBy: by,
        subjectOwner: input.person,
        idempotencyKey: `onboarding:${plan.id}:${task.id}`,
        ...(via ? { via } : {}),
      });
      if ('approval' in outcome) {
        await setTaskApproval(db, task.id, outcome.approval.id);
        if (outcome.outcome === 'executed') await setTaskStatus(db, task.id, 'done', this.now());
      } else {
        await setTaskApproval(db, task.id, null, `Not requested: ${outcome.decision.reason}. Do it by hand.`);
        warnings.push(`${task.title}: not requested (${outcome.decision.reason})`);
      }
    }
    const unsent = await this.sendWelcome(plan.id);
    if (unsent)
      warnings.push(
        `The welcome DM could not be sent (${unsent}): they can have it sent again with "Send me my checklist" in the Onboarding section of their em-agent Home tab.`,
      );
    return { ok: true, plan: await this.view(plan.id), warnings, welcomed: !unsent };
  }

  private async buildTasks(
    template: Template,
    ctx: {
      person: string;
      manager: string;
      buddy: string | null;
      scope: TeamScope | null;
      start: Date;
      warnings: string[];
    },
  ): Promise<NewTask[]> {
    const { db } = this.deps;
    const team = ctx.scope?.team;
    const ownerOf = (role: OwnerRole) =>
      role === 'new_hire' ? ctx.person : role === 'manager' ? ctx.manager : (ctx.buddy ?? ctx.manager);
    const due = (t: Pick<TemplateTask, 'day' | 'week'>) => {
      const day = dueDayOf(t);
      return day === undefined ? null : dueAt(ctx.start, day, team?.workDays);
    };
    const entries: TemplateTask[] = [...template.tasks];
    if (template.reading_list === 'auto' && !entries.some((t) => t.kind === 'read' && t.links === 'auto'))
      entries.unshift({
        title: "Read the team's most useful documents",
        kind: 'read',
        owner: 'new_hire',
        week: 1,
        links: 'auto',
        labels: [],
        count: 5,
      });
    const login = await githubLoginOf(db, ctx.person);
    const out: NewTask[] = [];
    const push = (t: TemplateTask, detail: TaskDetail, title = t.title) =>
      out.push({
        position: out.length,
        kind: t.kind,
        title,
        ownerRole: t.owner,
        owner: ownerOf(t.owner),
        dueAt: due(t),
        detail,
      });
    for (const t of entries) {
      switch (t.kind) {
        case 'read': {
          if (t.links === 'auto') {
            const docs = await usefulDocs(db, team ? [team.key, team.name] : [], 5);
            if (!docs.length) {
              ctx.warnings.push(
                `"${t.title}" was left out: no document was marked helpful in /em ask yet, and none has the team's name in its title.`,
              );
              break;
            }
            push(t, { links: docs.map((d) => ({ url: d.url, title: d.title, indexed: true })) });
          } else {
            const urls = t.links ?? [];
            const found = await indexedDocs(db, urls);
            for (const url of urls)
              if (!found.has(url)) ctx.warnings.push(`${url} is not in the ask index (a typo, or a page not synced).`);
            push(t, { links: urls.map((url) => ({ url, title: found.get(url) ?? null, indexed: found.has(url) })) });
          }
          break;
        }
        case 'meet': {
          const people = (t.people ?? []).flatMap((p) =>
            p === 'manager' ? [ctx.manager] : p === 'buddy' ? (ctx.buddy ? [ctx.buddy] : []) : [p],
          );
          push(t, { people: [...new Set(people)].filter((p) => p !== ctx.person) });
          break;
        }
        case 'first_issue': {
          const issues = ctx.scope ? await newcomerIssues(db, ctx.scope, t.labels, t.count) : [];
          push(t, { issues });
          break;
        }
        case 'access': {
          const access = t.access ?? {};
          if (access.system) {
            push(t, { access: { system: access.system } });
          } else if (access.github_team) {
            const [org, slug] = access.github_team.split('/') as [string, string];
            const repo = ctx.scope?.repos.find((r) => r.toLowerCase().startsWith(`${org.toLowerCase()}/`));
            if (!login || !repo) {
              const why = !login
                ? 'the new hire has no GitHub account linked (people: in sources.yml)'
                : `the team has no repository in ${org}`;
              ctx.warnings.push(`${t.title}: em-agent cannot add them to ${access.github_team}: ${why}.`);
              push(t, { access: { system: `GitHub team ${access.github_team}` }, note: `By hand: ${why}.` });
            } else
              push(t, {
                access: { action: 'github.team_add', params: { repo, org, team: slug, username: login }, repo },
              });
          } else if (access.slack_channels) {
            const teamChannel = access.slack_channels === 'team' ? await this.channelOf(team?.channel) : undefined;
            const channels =
              access.slack_channels === 'team' ? (teamChannel ? [teamChannel] : []) : access.slack_channels;
            if (!channels.length) {
              const why = team?.channel
                ? `the team's channel ${team.channel} is not one the bot can see`
                : 'the team has no channel';
              ctx.warnings.push(`${t.title}: ${why}.`);
              push(t, { access: { system: "The team's Slack channels" }, note: `By hand: ${why}.` });
            }
            for (const channel of channels)
              push(
                t,
                { access: { action: 'slack.invite', params: { channel, users: [ctx.person] } } },
                channels.length > 1 ? `${t.title} (<#${channel}>)` : t.title,
              );
          }
          break;
        }
        default:
          push(t, {});
      }
    }
    return out;
  }

  // ---- reading ---------------------------------------------------------------------------------------------------

  async view(planId: number): Promise<PlanView> {
    const plan = (await getPlan(this.deps.db, planId)) as Plan;
    const tasks = await planTasks(this.deps.db, planId);
    const now = this.now();
    const team = plan.teamKey ? await getTeam(this.deps.db, plan.teamKey) : undefined;
    const views: TaskView[] = [];
    for (const t of tasks) {
      const approval = t.approvalId ? await getApproval(this.deps.db, t.approvalId) : null;
      const access = t.detail.access;
      views.push({
        id: t.id,
        kind: t.kind,
        title: t.title,
        ownerRole: t.ownerRole,
        owner: t.owner,
        dueAt: t.dueAt,
        status: t.status,
        overdue: isOverdue(t, now),
        links: t.detail.links,
        people: t.detail.people,
        issues: t.detail.issues,
        accepted: t.detail.accepted,
        approval: approval ? { id: approval.id, status: approval.status } : null,
        system: access && 'system' in access ? access.system : undefined,
        note: t.detail.note,
      });
    }
    return {
      id: plan.id,
      person: plan.person,
      team: team ? { key: team.key, name: team.name } : plan.teamKey ? { key: plan.teamKey, name: plan.teamKey } : null,
      template: plan.template,
      buddy: plan.buddy,
      manager: plan.manager,
      startedAt: plan.startedAt,
      finishedAt: plan.finishedAt,
      tasks: views,
    };
  }

  /** Running plans, each brought up to date first (access requests executed, ended plans summarised). */
  async running(): Promise<PlanView[]> {
    const views: PlanView[] = [];
    for (const plan of await listPlans(this.deps.db)) {
      await this.refresh(plan.id);
      if (!(await getPlan(this.deps.db, plan.id))?.finishedAt) views.push(await this.view(plan.id));
    }
    return views;
  }

  /** The plan of a person (running, else their latest), by Slack id. */
  async planOf(person: string): Promise<PlanView | undefined> {
    const plans = (await listPlans(this.deps.db, { finished: true })).filter((p) => p.person === person);
    const plan = plans.find((p) => !p.finishedAt) ?? plans[0];
    if (!plan) return undefined;
    await this.refresh(plan.id);
    return this.view(plan.id);
  }

  /**
   * A person's plan as `viewer` may see it: the new hire, their buddy and manager, a task's owner, the team's
   * managers and whoever may start plans see it; anyone else gets undefined.
   */
  async planFor(viewer: string, person: string): Promise<PlanView | undefined> {
    const plan = await this.planOf(person);
    if (!plan) return undefined;
    const involved = [plan.person, plan.buddy, plan.manager, ...plan.tasks.map((t) => t.owner)].includes(viewer);
    if (involved) return plan;
    const team = plan.team ? await getTeam(this.deps.db, plan.team.key) : undefined;
    return (await this.mayStart(viewer, team ?? null)) ? plan : undefined;
  }

  /** Running plans a person takes part in (the new hire, the buddy, the manager, a task's owner). */
  async plansFor(userId: string): Promise<PlanView[]> {
    const plans = await this.running();
    return plans.filter(
      (p) =>
        p.person === userId || p.buddy === userId || p.manager === userId || p.tasks.some((t) => t.owner === userId),
    );
  }

  // ---- changes ---------------------------------------------------------------------------------------------------

  /**
   * A checkbox ticked or unticked. The new hire, the task's owner, the buddy and the manager may; the state is
   * stored, so it survives restarts. Returns a refusal, or undefined.
   */
  async setDone(userId: string, taskId: number, done: boolean): Promise<string | undefined> {
    const { db } = this.deps;
    const task = await getTask(db, taskId);
    const plan = task ? await getPlan(db, task.planId) : undefined;
    if (!task || !plan) return 'That task is gone.';
    if (plan.finishedAt) return 'That onboarding plan is over.';
    if (![plan.person, plan.buddy, plan.manager, task.owner].includes(userId))
      return 'Only the new hire, their buddy, their manager and the task’s owner can tick it.';
    if (task.status === 'skipped') return 'That task was skipped.';
    // The nudge leaves the digest before the task reads as done, so whoever sees it done sees no nudge either.
    if (done) await dropReason(db, reasonKey(taskId));
    const changed = await setTaskStatus(db, taskId, done ? 'done' : 'open', this.now());
    if (changed) await this.refresh(plan.id, { redraw: true });
    return undefined;
  }

  /** The new hire takes an offered first issue: assigning it to them is a proposal through policies. */
  async takeIssue(userId: string, taskId: number, key: string): Promise<string> {
    const { db } = this.deps;
    const task = await getTask(db, taskId);
    const plan = task ? await getPlan(db, task.planId) : undefined;
    if (!task || !plan || plan.finishedAt) return 'That onboarding plan is over.';
    if (userId !== plan.person) return 'Only the new hire takes a first issue.';
    const issue = task.detail.issues?.find((i) => i.key === key);
    const match = /^([\w.-]+\/[\w.-]+)#(\d+)$/.exec(key);
    if (!issue || !match) return 'That issue is not on offer.';
    if (task.detail.accepted) return `You already took ${task.detail.accepted}.`;
    const login = await githubLoginOf(db, userId);
    if (!login) return 'Your GitHub account is not linked, so em-agent cannot assign it: ask your buddy.';
    const outcome = await this.deps.approvals.propose({
      action: 'github.assign',
      params: { repo: match[1], number: Number(match[2]), assignees: [login] },
      summary: `Assign ${key} (${issue.title}) to ${login}, a first issue for a new hire`,
      repo: match[1] as string,
      requestedBy: userId,
      subjectOwner: userId,
      idempotencyKey: `onboarding:${plan.id}:${task.id}:take`,
    });
    await setTaskDetail(db, taskId, { ...task.detail, accepted: key });
    await this.refresh(plan.id, { redraw: true });
    return outcome.outcome === 'denied'
      ? `You took ${key}; em-agent may not assign it (${outcome.decision.reason}), so assign it to yourself.`
      : outcome.outcome === 'executed'
        ? `You took ${key}: it is assigned to you.`
        : `You took ${key}: assigning it is waiting for approval.`;
  }

  /**
   * Brings a plan up to date: access requests executed → done, rejected or expired → skipped; a plan whose tasks
   * are all closed, or whose end has passed (open tasks are then skipped), is finished and summarised to the manager.
   */
  async refresh(planId: number, options: { redraw?: boolean } = {}): Promise<void> {
    const { db } = this.deps;
    const plan = await getPlan(db, planId);
    if (!plan || plan.finishedAt) return;
    let changed = options.redraw ?? false;
    const tasks = await planTasks(db, planId);
    for (const t of tasks) {
      if (t.status !== 'open' || !t.approvalId) continue;
      const approval = await getApproval(db, t.approvalId);
      if (approval?.status === 'executed') {
        // Done when em-agent sees it executed (within a tick of the job).
        changed = (await setTaskStatus(db, t.id, 'done', this.now())) || changed;
        await dropReason(db, reasonKey(t.id));
      } else if (approval && ['rejected', 'expired'].includes(approval.status)) {
        changed = (await setTaskStatus(db, t.id, 'skipped', this.now())) || changed;
        await dropReason(db, reasonKey(t.id));
      }
    }
    const now = this.now();
    const after = await planTasks(db, planId);
    const ended = plan.endAt <= now;
    if (ended || after.every((t) => t.status !== 'open')) {
      if (ended)
        for (const t of after.filter((x) => x.status === 'open')) {
          await setTaskStatus(db, t.id, 'skipped', now);
          await dropReason(db, reasonKey(t.id));
        }
      const final = await planTasks(db, planId);
      const summary = summarize(
        final,
        plan.startedAt,
        await firstMergedPr(db, await githubLoginOf(db, plan.person), plan.startedAt),
      );
      if (await finishPlan(db, planId, summary, now)) {
        await this.sendSummary(planId, summary);
        changed = true;
      }
    }
    if (changed) await this.redrawWelcome(planId);
  }

  /** Overdue open tasks go to their owner's digest (the notification pipeline; never a DM of its own). */
  async nudgeOverdue(): Promise<number> {
    let nudged = 0;
    const now = this.now();
    for (const plan of await listPlans(this.deps.db)) {
      await this.refresh(plan.id);
      if ((await getPlan(this.deps.db, plan.id))?.finishedAt) continue;
      const name = await this.nameOf(plan.person);
      for (const t of await planTasks(this.deps.db, plan.id)) {
        if (!isOverdue(t, now)) continue;
        await this.deps.notifications.notify({
          recipient: t.owner,
          subject: `onboarding:task:${t.id}`,
          group: 'team',
          title: overdueTitle(t, name),
          reasonKey: reasonKey(t.id),
          reason: {
            rule: 'onboarding',
            kind: 'onboarding_overdue',
            text: `onboarding task overdue since ${(t.dueAt as Date).toISOString().slice(0, 10)}`,
            since: (t.dueAt as Date).toISOString(),
          },
        });
        nudged += 1;
      }
    }
    return nudged;
  }

  /** A team's channel as an id: ids as they are, `#name` looked up in Slack (teams may be written either way). */
  private async channelOf(channel: string | null | undefined): Promise<string | undefined> {
    if (!channel) return undefined;
    if (/^[CG][A-Z0-9]+$/.test(channel)) return channel;
    const slack = this.deps.slack();
    if (!slack || !channel.startsWith('#')) return undefined;
    return channelIdOf(slack, channel).catch(() => undefined);
  }

  private async nameOf(slack: string): Promise<string> {
    const known = (await personBy(this.deps.db, 'slack', slack))?.displayName;
    if (known) return known;
    try {
      const info = await this.deps.slack()?.users.info({ user: slack });
      return info?.user?.real_name || info?.user?.name || slack;
    } catch {
      return slack;
    }
  }

  // ---- Slack messages ----------------------------------------------------------------------------------------------

  /** Why `user` cannot be onboarded (not in this workspace, or deactivated), or null; null too when Slack cannot say. */
  private async notAUser(user: string): Promise<string | null> {
    const slack = this.deps.slack();
    if (!slack) return null;
    try {
      const info = await slack.users.info({ user });
      return info.user?.deleted ? `${user} has been deactivated in Slack; nothing was started.` : null;
    } catch (err) {
      return slackErrorCode(err) === 'user_not_found' ? `There is no Slack user ${user}; nothing was started.` : null;
    }
  }

  /** Sends the welcome DM (the checklist, in as many messages as it takes); what went wrong, or null when it was sent. */
  private async sendWelcome(planId: number): Promise<string | null> {
    const slack = this.deps.slack();
    if (!slack) return 'Slack is not connected';
    const view = await this.view(planId);
    const sent: string[] = [];
    let channel: string | undefined;
    try {
      const dm = await slack.conversations.open({ users: view.person });
      channel = dm.channel?.id as string;
      for (const message of welcomeMessages(view)) {
        const posted = await slack.chat.postMessage({ channel, ...message, unfurl_links: false });
        if (posted.ts) sent.push(posted.ts);
      }
      return null;
    } catch (err) {
      this.deps.logger.warn({ err, plan: planId }, 'could not send the onboarding welcome DM');
      return slackErrorCode(err) ?? 'an error';
    } finally {
      // What went out is redrawn as tasks change (a part that did not is posted on the next redraw).
      if (channel && sent.length) await setWelcome(this.deps.db, planId, channel, sent);
    }
  }

  /**
   * "Send me my checklist": the new hire's welcome DM sent again (it failed when the plan started, or was lost); once
   * it is, the copy sent before is deleted, so one checklist stays up to date. What went wrong, or undefined when it was sent.
   */
  async resendWelcome(userId: string): Promise<string | undefined> {
    const plan = (await listPlans(this.deps.db)).find((p) => p.person === userId);
    if (!plan) return 'You have no onboarding plan running.';
    await this.refresh(plan.id);
    const fresh = await getPlan(this.deps.db, plan.id);
    if (!fresh || fresh.finishedAt) return 'Your onboarding plan is over.';
    const unsent = await this.sendWelcome(plan.id);
    if (unsent) return `Your checklist could not be sent (${unsent}); try again in a while.`;
    const slack = this.deps.slack();
    const before = [fresh.welcomeTs, ...fresh.welcomeMore].filter((x): x is string => Boolean(x));
    if (slack && fresh.welcomeChannel)
      for (const ts of before)
        await slack.chat.delete({ channel: fresh.welcomeChannel, ts }).catch((err: unknown) => {
          this.deps.logger.debug({ err, plan: plan.id }, 'could not delete the earlier onboarding checklist');
        });
    return undefined;
  }

  /** Redraws the checklist in place; a part not yet posted (a longer list than was sent) is posted after the rest. */
  private async redrawWelcome(planId: number): Promise<void> {
    const slack = this.deps.slack();
    const plan = await getPlan(this.deps.db, planId);
    if (!slack || !plan?.welcomeChannel || !plan.welcomeTs) return;
    const channel = plan.welcomeChannel;
    const stored = [plan.welcomeTs, ...plan.welcomeMore];
    const messages = welcomeMessages(await this.view(planId));
    const posted = [...stored];
    try {
      for (const [i, message] of messages.entries()) {
        const ts = stored[i];
        if (ts) await slack.chat.update({ channel, ts, ...message });
        else {
          const added = await slack.chat.postMessage({ channel, ...message, unfurl_links: false });
          if (added.ts) posted.push(added.ts);
        }
      }
    } catch (err) {
      this.deps.logger.warn({ err, plan: planId }, 'could not redraw the onboarding checklist');
    } finally {
      if (posted.length > stored.length) await setWelcome(this.deps.db, planId, channel, posted);
    }
  }

  private async sendSummary(planId: number, summary: PlanSummary): Promise<void> {
    const slack = this.deps.slack();
    const view = await this.view(planId);
    const to = view.manager;
    if (!slack || !to) return;
    try {
      const dm = await slack.conversations.open({ users: to });
      await slack.chat.postMessage({ channel: dm.channel?.id as string, ...summaryMessage(view, summary) });
    } catch (err) {
      this.deps.logger.warn({ err, plan: planId }, 'could not send the onboarding summary');
    }
  }

  startedMessage(plan: PlanView, warnings: string[], welcomed: boolean) {
    return planStartedMessage(plan, warnings, welcomed);
  }
}

export type { Task };
