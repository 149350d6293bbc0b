import type { ApprovalService } from '../approvals/service.js';
import { personBy } from '../identity/store.js';
import { turnTaker } from '../lib/slices.js';
import { TEAM_KINDS } from '../notifications/audience.js';
import type { NotificationService } from '../notifications/service.js';
import type { Logger } from '../observability/logger.js';
import type { Db } from '../store/db.js';
import type { Team } from '../teams/model.js';
import { listTeams, teamChannelsFor } from '../teams/store.js';
import { intervalToMs } from '../yaml-file.js';
import { DEFAULT_ACTIONS, planActions, recoveryText } from './actions.js';
import { evaluatorFor } from './kinds/index.js';
import type { LoadedRule, RuleBook } from './rulebook.js';
import { ruleInTeamScope } from './scope.js';
import {
  lastRuleRuns,
  markBackfill,
  pendingActionSignals,
  reconcileSignals,
  recordRuleRun,
  resolveSignalsOfRemovedRules,
  type SignalRow,
  setActionPending,
} from './store.js';

/** How long a signal's notification is retried while someone it is for is not linked to Slack yet. */
const UNLINKED_RETRY_MS = 3_600_000;

export interface RuleRunResult {
  rule: string;
  findings: number;
  opened: number;
  resolved: number;
  durationMs: number;
  error?: string;
}

/** Runs rules against the synced data, keeps signals current, and proposes each new signal's action. */
export class SignalEngine {
  constructor(
    private readonly deps: {
      db: Db;
      logger: Logger;
      rules: RuleBook;
      approvals?: ApprovalService;
      /** When set, DMs to people go through the notification pipeline (digest, real time, snooze, preferences). */
      notifications?: NotificationService;
      /**
       * Aborted when the process begins to stop: an evaluation ends between rules (throwing the reason), and a rule
       * stops acting on the signals it opened; those keep `action_pending`, so the next tick acts on them.
       */
      stopping?: AbortSignal;
    },
  ) {}

  /** Policies narrowed to a rule no file defines are reported (PolicyBook.knownRules): the engine knows the rules. */
  private linkPolicies(): void {
    const policies = this.deps.approvals?.policies;
    if (policies && !policies.knownRules) policies.knownRules = () => this.deps.rules.names;
  }

  get rules(): RuleBook {
    return this.deps.rules;
  }

  /** The full evaluation waiting for the one running now to end, shared by everyone who asks meanwhile. */
  private nextFull?: Promise<RuleRunResult[]>;
  private lastFull: Promise<unknown> = Promise.resolve();

  /**
   * Rules whose schedule is due (or every rule with `all`), each in turn; one failing rule does not stop the rest.
   * Full evaluations on the clock (`/em triage`, `/em signals`) do not run side by side: a request arriving while
   * one runs waits for the next, which starts when it ends and serves every request made meanwhile. Each caller
   * sees data at least as new as its request, and fifty triages at once evaluate twice, not fifty times.
   */
  evaluate(options: { all?: boolean; now?: Date } = {}): Promise<RuleRunResult[]> {
    if (!options.all || options.now) return this.evaluateNow(options);
    if (this.nextFull) return this.nextFull;
    const next: Promise<RuleRunResult[]> = this.lastFull.then(() => {
      if (this.nextFull === next) this.nextFull = undefined;
      return this.evaluateNow({ all: true });
    });
    this.nextFull = next;
    this.lastFull = next.catch(() => {});
    return next;
  }

  private async evaluateNow(options: { all?: boolean; now?: Date }): Promise<RuleRunResult[]> {
    const { db } = this.deps;
    const now = options.now ?? new Date();
    const book = this.deps.rules.reload();
    this.linkPolicies();
    const removed = await resolveSignalsOfRemovedRules(
      db,
      book.rules.map((r) => r.rule.name),
    );
    // What their proposals would do was asked for by a rule that is gone (deleted, or `enabled: false`).
    await this.deps.approvals?.withdrawForSignals(removed, 'the rule that proposed it was removed or disabled');
    // Notes the moment the first sync is complete before any rule runs: each rule's next run is its last backfill.
    const backfillDone = await this.deps.notifications?.backfillDoneAt();
    const lastRuns = await lastRuleRuns(db);
    const due = book.rules.filter((r) => {
      if (options.all) return true;
      const last = lastRuns.get(r.rule.name);
      // A rule that last ran before the first sync was complete saw a partial org: it runs again at once rather
      // than after its whole schedule (an hour for some), so a new install shows its signals minutes after sync.
      if (!last || (backfillDone && last < backfillDone)) return true;
      return now.getTime() - last.getTime() >= intervalToMs(r.rule.schedule) - 1000;
    });
    await this.retryPendingActions(book.rules);
    const results: RuleRunResult[] = [];
    for (const loaded of due) {
      this.deps.stopping?.throwIfAborted();
      results.push(await this.runRule(loaded, now, lastRuns.get(loaded.rule.name)));
    }
    return results;
  }

  /** Actions whose proposal failed on an earlier tick are proposed again (the idempotency key keeps them single). */
  private async retryPendingActions(rules: LoadedRule[]): Promise<void> {
    if (!this.deps.approvals) return;
    const byName = new Map(rules.map((r) => [r.rule.name, r]));
    const pending = await pendingActionSignals(this.deps.db);
    const teams = pending.length ? await listTeams(this.deps.db) : [];
    for (const signal of pending) {
      if (this.deps.stopping?.aborted) return;
      const loaded = byName.get(signal.rule);
      if (loaded) await this.act(loaded, signal, teams);
    }
  }

  private async runRule(loaded: LoadedRule, now: Date, previousRun?: Date): Promise<RuleRunResult> {
    const { db, logger } = this.deps;
    const { rule } = loaded;
    const started = Date.now();
    try {
      // `scope.teams` is what the teams cover now (a team's repositories change); a team that is gone stops the rule.
      const scoped = await ruleInTeamScope(db, rule);
      const findings = await evaluatorFor(rule.kind)(scoped, { db, now, calendar: loaded.calendar });
      const { opened, resolved } = await db.transaction((tx) => reconcileSignals(tx, rule, findings));
      // What was already true before em-agent first saw the data is told in the first digest, not in real time.
      if (opened.length && (await this.deps.notifications?.isBackfill(previousRun))) {
        await markBackfill(
          db,
          opened.map((s) => s.id),
        );
        for (const s of opened) s.backfill = true;
      }
      await recordRuleRun(db, rule.name, findings.length, null);
      if (this.deps.approvals)
        await setActionPending(
          db,
          opened.map((s) => s.id),
          true,
        );
      // The pipeline's items of all signals this evaluation opened are written together (one statement for those
      // that can only wait for the digest), not several queries per item.
      const batch: SignalRow[] = [];
      // One read of the teams for the whole evaluation, not one per signal (thousands on a first run).
      const teams = opened.length ? await listTeams(db) : [];
      const turn = turnTaker();
      for (const signal of opened) {
        await turn();
        if (this.deps.stopping?.aborted) break;
        await this.act(loaded, signal, teams, batch);
      }
      await this.notifyBatch(loaded, batch);
      for (const signal of resolved) await this.deps.notifications?.signalResolved(signal.id);
      // A proposal still waiting for a decision about something no longer true (the PR was reviewed, merged or
      // closed, the ticket taken) is withdrawn, so nobody approves a nudge or comment that no longer fits.
      await this.deps.approvals?.withdrawForSignals(
        resolved.map((s) => Number(s.id)),
        'what it was about no longer holds (its signal resolved)',
      );
      if (rule.kind === 'metric_threshold') for (const signal of resolved) await this.announceRecovery(loaded, signal);
      return {
        rule: rule.name,
        findings: findings.length,
        opened: opened.length,
        resolved: resolved.length,
        durationMs: Date.now() - started,
      };
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      logger.error({ err, rule: rule.name }, 'rule evaluation failed');
      await recordRuleRun(db, rule.name, 0, message.slice(0, 500)).catch(() => {});
      return { rule: rule.name, findings: 0, opened: 0, resolved: 0, durationMs: Date.now() - started, error: message };
    }
  }

  private async act(loaded: LoadedRule, signal: SignalRow, teams: Team[], batch?: SignalRow[]): Promise<void> {
    const { approvals, db, logger } = this.deps;
    if (!approvals) return;
    const plans = planActions(loaded.rule, signal, teamChannelsFor(teams, signal.target));
    // A signal about a team's repository or ticket goes to the channel of each team owning it; the rest of
    // team-level signals and every DM go through the notification pipeline.
    const toTeamChannels = plans.some((p) => !('skipped' in p) && p.request.action === 'slack.post');
    if (!toTeamChannels && (await this.notify(loaded, signal, batch))) return;
    // A red main posted to the owning teams' channels is still DMed to whoever merged the breaking change.
    if (toTeamChannels && loaded.rule.kind === 'failing_main')
      await this.deps.notifications
        ?.mainFailed(loaded.rule, signal, signal.backfill === true)
        .catch((err) => logger.warn({ err, signal: signal.id }, 'could not tell the merger of a red main'));
    for (const plan of plans)
      if ('skipped' in plan)
        logger.info({ rule: loaded.rule.name, signal: signal.id, reason: plan.skipped }, 'no action for signal');
    const requests = plans.flatMap((p) => ('skipped' in p ? [] : [p]));
    if (!requests.length) return setActionPending(db, [signal.id], false);
    try {
      for (const plan of requests) {
        const owner = plan.owner ? (await personBy(db, plan.owner.source, plan.owner.id))?.slack : undefined;
        // Idempotency keys keep each proposal single when a failure part-way makes the next tick try them all again.
        await approvals.propose({ ...plan.request, subjectOwner: owner ?? null });
      }
      await setActionPending(db, [signal.id], false);
    } catch (err) {
      // The signal keeps action_pending, so the next tick proposes it again.
      logger.error(
        { err, rule: loaded.rule.name, signal: signal.id },
        'proposing an action failed; retrying next tick',
      );
    }
  }

  /**
   * DMs to people (and team-level signals, to the team's lead) go through the notification pipeline when the
   * `slack.dm` policy lets them run on their own. True when handled here; false leaves it to the approvals flow.
   */
  private async notify(loaded: LoadedRule, signal: SignalRow, batch?: SignalRow[]): Promise<boolean> {
    const { approvals, notifications, db, logger } = this.deps;
    if (!notifications || !approvals) return false;
    const { rule } = loaded;
    const spec = rule.action ?? DEFAULT_ACTIONS[rule.kind];
    const teamLevel = TEAM_KINDS.has(rule.kind) && (spec === 'none' || spec.kind === 'slack.dm');
    if (!teamLevel && (spec === 'none' || spec.kind !== 'slack.dm')) return false;
    const decision = await approvals.policies.fresh().resolve({
      action: 'slack.dm',
      rule: rule.name,
      severity: rule.severity,
      repo: signal.target.repo ?? null,
      requester: `rule:${rule.name}`,
    });
    if (decision.mode === 'approve') return false;
    if (decision.mode === 'deny' || decision.dryRun) {
      logger.info({ rule: rule.name, signal: signal.id, reason: decision.reason }, 'no notification for signal');
      await setActionPending(db, [signal.id], false);
      return true;
    }
    if (batch) {
      batch.push(signal);
      return true;
    }
    try {
      const complete = await notifications.fromSignal(rule, signal, signal.backfill === true);
      // Someone not linked to Slack yet is tried again on later ticks, for an hour.
      if (complete || Date.now() - signal.opened_at.getTime() > UNLINKED_RETRY_MS)
        await setActionPending(db, [signal.id], false);
    } catch (err) {
      logger.error({ err, rule: rule.name, signal: signal.id }, 'notifying failed; retrying next tick');
    }
    return true;
  }

  /** The notifications of the signals one evaluation opened, together (see NotificationService.fromSignals). */
  private async notifyBatch(loaded: LoadedRule, batch: SignalRow[]): Promise<void> {
    const { notifications, db, logger } = this.deps;
    if (!notifications || !batch.length) return;
    try {
      const complete = await notifications.fromSignals(loaded.rule, batch);
      // Someone not linked to Slack yet is tried again on later ticks, for an hour.
      const settled = batch.filter(
        (s) => complete.get(s.id) !== false || Date.now() - s.opened_at.getTime() > UNLINKED_RETRY_MS,
      );
      await setActionPending(
        db,
        settled.map((s) => s.id),
        false,
      );
    } catch (err) {
      logger.error({ err, rule: loaded.rule.name, signals: batch.length }, 'notifying failed; retrying next tick');
    }
  }

  /** A metric back under its threshold says so once, where the alert went. */
  private async announceRecovery(loaded: LoadedRule, signal: SignalRow): Promise<void> {
    const spec = loaded.rule.action;
    if (!this.deps.approvals || !spec || spec === 'none' || spec.kind !== 'slack.post' || !spec.channel) return;
    await this.deps.approvals.propose({
      action: 'slack.post',
      params: { channel: spec.channel, text: recoveryText(loaded.rule, signal) },
      summary: `Recovered: ${signal.title}`,
      rule: loaded.rule.name,
      severity: 'info',
      signalId: signal.id,
      requestedBy: `rule:${loaded.rule.name}`,
      idempotencyKey: `signal:${signal.id}:recovered`,
    });
  }
}
