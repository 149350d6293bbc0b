import { type ApprovalView, approvalMessage } from '../../blocks/approvals/messages.js';
import type { Logger } from '../observability/logger.js';
import type { Severity } from '../signals/rules.js';
import type { Db } from '../store/db.js';
import { type ExecutorClients, execute, PermanentActionError } from './executors.js';
import { approvalDecisions, approvalLatency, approvalOverrides, workflowsByMode } from './metrics.js';
import type { PolicyBook, PolicyDecision } from './policies.js';
import {
  type ApprovalRow,
  addApprovalMessage,
  approvalMessages,
  audit,
  CLAIM_LEASE_MS,
  claimForExecution,
  decideProposal,
  expireDue,
  getApproval,
  getApprovalByKey,
  insertApproval,
  markAttemptFailed,
  markExecuted,
  recordVote,
  renewClaim,
} from './store.js';

/** An action someone (a rule or a person) wants done; policy decides what happens to it. */
export interface ActionRequest {
  action: string;
  params: Record<string, unknown>;
  summary: string;
  evidence?: Record<string, unknown>;
  rule?: string | null;
  severity?: Severity | null;
  repo?: string | null;
  signalId?: number | null;
  /** A Slack user id, or rule:<name>. */
  requestedBy: string;
  /** The Slack user the action is about (e.g. the PR author); they cannot approve it unless policy allows. */
  subjectOwner?: string | null;
  /** Same request → same key: proposing it again is a no-op. */
  idempotencyKey: string;
  /** The door a person proposed it through (agent, api, mcp), for the audit log. */
  via?: string;
  /**
   * A person asking: once the earlier proposal with this key is finished (rejected, expired, failed, or executed
   * more than REPEAT_EXECUTED_AFTER_MS ago), asking again is a new proposal (under a key derived from the earlier
   * one's id), not a duplicate. A rule's
   * proposals leave it unset: the same finding never proposes the same action twice.
   */
  again?: boolean;
}

/**
 * Whether a person may ask for the same action again: the earlier proposal was rejected, expired or failed, or ran
 * long enough ago that asking again is a new request, not a client retrying a request whose answer it lost.
 */
function finished(row: ApprovalRow, now: number): boolean {
  if (row.status === 'rejected' || row.status === 'expired' || row.status === 'failed') return true;
  return row.status === 'executed' && (row.executed_at?.getTime() ?? now) <= now - REPEAT_EXECUTED_AFTER_MS;
}

/** How long after an action ran the same request from the same person is still the same request (a retry). */
export const REPEAT_EXECUTED_AFTER_MS = 10 * 60_000;

export type ProposeOutcome =
  | { outcome: 'denied' | 'dry_run'; decision: PolicyDecision }
  | { outcome: 'duplicate'; decision: PolicyDecision /** The proposal it repeats. */; existing?: ApprovalRow }
  | {
      outcome: 'proposed' | 'executed' | 'failed' | 'retrying';
      decision: PolicyDecision;
      approval: ApprovalRow;
      /** A proposal fewer people may approve than it needs (its requester is the only approver): what to do. */
      stuck?: string;
    };

export type DecideOutcome =
  | { outcome: 'approved' | 'rejected' | 'vote_recorded'; approval: ApprovalRow }
  | { outcome: 'refused'; message: string }
  | { outcome: 'already_decided' | 'expired'; approval: ApprovalRow }
  | { outcome: 'not_found' };

const MAX_ATTEMPTS = 5;
const RETRY_BASE_MS = 30_000;
/** A person removed from an approver group can still approve for at most this long (documented in the README). */
export const GROUP_CACHE_MS = 60_000;

interface Groups {
  at: number;
  byHandle: Map<string, string[]>;
  byId: Map<string, string[]>;
}

export interface ApprovalServiceDeps {
  db: Db;
  logger: Logger;
  policies: PolicyBook;
  clients: ExecutorClients;
  /** Base delay between execution attempts (tests shorten it). */
  retryBaseMs?: number;
  /** The clock (tests fix it). */
  now?: () => number;
  /** How long an execution claim lasts unless renewed (tests shorten it). */
  claimLeaseMs?: number;
}

/** Who a proposed DM goes to, from its parameters (not from the summary, which is text and shown escaped). */
function dmRecipient(row: ApprovalRow): string | undefined {
  const to = (row.params as { to?: { slack?: unknown } }).to?.slack;
  return row.action === 'slack.dm' && typeof to === 'string' ? to : undefined;
}

export function approvalView(row: ApprovalRow, policyReason?: string): ApprovalView {
  return {
    id: row.id,
    action: row.action,
    summary: row.summary,
    recipient: dmRecipient(row),
    evidence: row.evidence,
    rule: row.rule,
    severity: row.severity,
    status: row.status,
    policyReason,
    requestedBy: row.requested_by,
    approvers: row.approvers,
    minApprovals: row.min_approvals,
    expiresAt: row.expires_at,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    reason: row.reason,
    lastError: row.last_error,
    attempts: row.attempts,
  };
}

/** Proposals, decisions and executions: the human-in-the-loop core. */
export class ApprovalService {
  private groupCache?: Groups;
  /** The user-group fetch in flight: simultaneous clicks share one Slack call. */
  private groupFetch?: Promise<Groups>;

  /**
   * When set (the notification pipeline), a proposal DM'd to an approver goes through it: real time unless the
   * approver's preferences, quiet hours or cap hold it for their digest; `deliver` posts the proposal itself.
   */
  notifyApprover?: (
    recipient: string,
    approval: { id: number; summary: string; signal_id?: number | null },
    deliver: (recipient: string) => Promise<void>,
  ) => Promise<unknown>;

  constructor(private readonly deps: ApprovalServiceDeps) {}

  get policies(): PolicyBook {
    return this.deps.policies;
  }

  async propose(request: ActionRequest): Promise<ProposeOutcome> {
    const { db, logger } = this.deps;
    const decision = await this.deps.policies.fresh().resolve({
      action: request.action,
      rule: request.rule,
      severity: request.severity,
      repo: request.repo,
      via: request.via,
      requester: request.requestedBy,
    });
    const base = { actor: request.requestedBy, action: request.action };
    const door = request.via ? { via: request.via } : {};
    if (decision.mode === 'deny') {
      workflowsByMode.inc({ mode: 'deny' });
      await audit(db, {
        ...base,
        event: 'denied',
        detail: { summary: request.summary, reason: decision.reason, ...door },
      });
      return { outcome: 'denied', decision };
    }
    if (decision.dryRun) {
      workflowsByMode.inc({ mode: 'dry_run' });
      logger.info(
        { action: request.action, mode: decision.mode, summary: request.summary },
        'dry run: action not taken',
      );
      await audit(db, {
        ...base,
        event: 'dry_run',
        detail: { summary: request.summary, would: decision.mode, reason: decision.reason, params: request.params },
      });
      return { outcome: 'dry_run', decision };
    }
    const approval = await this.insertOnce(request, decision);
    if ('existing' in approval) return { outcome: 'duplicate', decision, existing: approval.existing ?? undefined };
    workflowsByMode.inc({ mode: decision.mode === 'auto' ? 'auto' : 'hitl' });
    await audit(db, {
      ...base,
      event: 'proposed',
      approvalId: approval.id,
      detail: {
        summary: request.summary,
        mode: decision.mode,
        policy: decision.policy,
        params: request.params,
        ...door,
      },
    });
    if (decision.mode === 'auto') {
      const executed = await this.executeNow(approval.id);
      return {
        outcome: executed?.status === 'executed' ? 'executed' : executed?.status === 'failed' ? 'failed' : 'retrying',
        decision,
        approval: executed ?? approval,
      };
    }
    const notes = [await this.postProposal(approval, decision), await this.whyStuck(approval)].filter(Boolean);
    const stuck = notes.length ? notes.join(' ') : undefined;
    return { outcome: 'proposed', decision, approval, ...(stuck ? { stuck } : {}) };
  }

  /**
   * Stores a proposal once per key. The same request again is a duplicate (naming the proposal it repeats), unless
   * a person asks again (`again`) after that one finished: then it is a new proposal under the next key of the chain
   * (key#<earlier id>), so two people's simultaneous retries still make one.
   */
  private async insertOnce(
    request: ActionRequest,
    decision: PolicyDecision,
  ): Promise<ApprovalRow | { existing: ApprovalRow | null }> {
    const { db } = this.deps;
    let key = request.idempotencyKey;
    for (let hops = 0; ; hops += 1) {
      const inserted = await insertApproval(db, {
        idempotencyKey: key,
        action: request.action,
        params: request.params,
        summary: request.summary,
        evidence: request.evidence ?? {},
        rule: request.rule,
        severity: request.severity,
        repo: request.repo,
        signalId: request.signalId,
        mode: decision.mode === 'auto' ? 'auto' : 'approve',
        policy: decision.policy,
        requestedBy: request.requestedBy,
        subjectOwner: request.subjectOwner,
        approvers: decision.approvers,
        minApprovals: decision.minApprovals,
        allowSelfApproval: decision.allowSelfApproval,
        expiresAt: decision.mode === 'approve' ? new Date(Date.now() + decision.ttlMs) : null,
      });
      if (inserted) return inserted;
      let existing = await getApprovalByKey(db, key);
      // Past its time but not yet swept by the expiry job: it is expired.
      if (existing?.status === 'proposed' && existing.expires_at && existing.expires_at <= new Date()) {
        await this.expire();
        existing = await getApprovalByKey(db, key);
      }
      if (!request.again || !existing || !finished(existing, Date.now()) || hops >= 1000) return { existing };
      key = `${request.idempotencyKey}#${existing.id}`;
    }
  }

  /** Why nobody can approve a proposal, when the four-eyes rule leaves fewer approvers than it needs. */
  private async whyStuck(approval: ApprovalRow): Promise<string | undefined> {
    if (approval.allow_self_approval) return undefined;
    const approvers = await this.expandApprovers(approval.approvers).catch(() => undefined);
    // Only when the requester is among them: an empty expansion (Slack unreachable) says nothing.
    if (!approvers?.includes(approval.requested_by)) return undefined;
    const others = approvers.filter((u) => u !== approval.requested_by && u !== approval.subject_owner);
    if (others.length >= approval.min_approvals) return undefined;
    return `Nobody else in ${approval.approvers.join(', ')} can approve it (you cannot approve what you asked for): add an approver to ${approval.approvers.join(', ')}, or ask an admin to change the policy ${approval.policy}.`;
  }

  /**
   * Posts the proposal to the policy's channel, or as a DM to each approver; when the channel cannot be posted to
   * (archived, unknown, the bot not in it), to each approver by DM instead. Returns what the requester should know
   * when it did not go as the policy says (it went by DM instead, or nobody could be told, and why); the proposal
   * stays either way, and a proposal nobody was told about is audited (not_delivered).
   */
  private async postProposal(approval: ApprovalRow, decision: PolicyDecision): Promise<string | undefined> {
    const slack = this.deps.clients.slack;
    if (!slack) return undefined;
    const message = approvalMessage(approvalView(approval, decision.reason));
    const post = async (channel: string) => {
      const posted = await slack.chat.postMessage({ channel, ...message, unfurl_links: false });
      if (posted.channel && posted.ts) await addApprovalMessage(this.deps.db, approval.id, posted.channel, posted.ts);
    };
    const notDelivered = async (error: string, told: string) => {
      await audit(this.deps.db, {
        actor: 'em-agent',
        event: 'not_delivered',
        approvalId: approval.id,
        action: approval.action,
        detail: { error },
      });
      return `Nobody was told about it: ${told}. Ask an admin to check the Slack app and the policy ${approval.policy}, then tell an approver about #${approval.id}.`;
    };
    let channelError: string | undefined;
    if (decision.channel) {
      try {
        await post(decision.channel);
        return undefined;
      } catch (err) {
        channelError = describeActionError(err);
        this.deps.logger.warn(
          { err, approval: approval.id, channel: decision.channel },
          "could not post a proposal to its policy's channel; sending it to the approvers by DM",
        );
      }
    }
    const channelWords = decision.channel ? `${decision.channel} could not be posted to (${channelError}) and ` : '';
    let approvers: string[];
    try {
      approvers = await this.expandApprovers(approval.approvers);
    } catch (err) {
      const why = describeActionError(err);
      this.deps.logger.warn({ err, approval: approval.id }, 'could not look up the approvers of a proposal');
      return notDelivered(
        `${channelWords}the approvers could not be looked up: ${why}`,
        `${channelWords}the approvers in ${approval.approvers.join(', ')} could not be looked up in Slack (${why})`,
      );
    }
    // Only those who may decide it: not the requester, nor the owner of the work, unless the policy allows that.
    if (!approval.allow_self_approval)
      approvers = approvers.filter((u) => u !== approval.requested_by && u !== approval.subject_owner);
    let delivered = 0;
    let lastError: string | undefined;
    for (const target of approvers) {
      try {
        if (this.notifyApprover) await this.notifyApprover(target, approval, post);
        else await post(target);
        delivered += 1;
      } catch (err) {
        lastError = describeActionError(err);
        this.deps.logger.warn({ err, approval: approval.id, target }, 'could not post a proposal');
      }
    }
    if (delivered === 0) {
      const why = approvers.length ? `no approver could be sent a DM (${lastError})` : 'it names no approver in Slack';
      return notDelivered(`${channelWords}${why}`, `${channelWords}${why}`);
    }
    if (decision.channel)
      return `${decision.channel} could not be posted to (${channelError}), so the approvers were sent it by DM instead; ask an admin to fix the channel of the policy ${approval.policy}.`;
    return undefined;
  }

  /**
   * Slack user ids behind approver entries (user ids as they are, user groups by handle or id). Group membership
   * may be up to `maxAgeMs` old: minutes for showing buttons and lists, none for a decision.
   */
  async expandApprovers(approvers: string[], maxAgeMs = GROUP_CACHE_MS): Promise<string[]> {
    const users = new Set<string>();
    const groups = approvers.some((a) => a.startsWith('@') || a.startsWith('S'))
      ? await this.userGroups(maxAgeMs)
      : undefined;
    for (const a of approvers) {
      if (/^[UW]/.test(a)) users.add(a);
      else if (a.startsWith('@')) for (const u of groups?.byHandle.get(a.slice(1).toLowerCase()) ?? []) users.add(u);
      else for (const u of groups?.byId.get(a) ?? []) users.add(u);
    }
    return [...users];
  }

  private async userGroups(maxAgeMs: number): Promise<Groups> {
    const now = this.deps.now?.() ?? Date.now();
    if (this.groupCache && now - this.groupCache.at < maxAgeMs) return this.groupCache;
    this.groupFetch ??= this.fetchUserGroups().finally(() => {
      this.groupFetch = undefined;
    });
    return this.groupFetch;
  }

  private async fetchUserGroups(): Promise<Groups> {
    const now = this.deps.now?.() ?? Date.now();
    const slack = this.deps.clients.slack;
    const byHandle = new Map<string, string[]>();
    const byId = new Map<string, string[]>();
    if (slack) {
      const result = await slack.usergroups.list({ include_users: true });
      for (const g of result.usergroups ?? []) {
        byHandle.set(String(g.handle).toLowerCase(), g.users ?? []);
        byId.set(String(g.id), g.users ?? []);
      }
    }
    this.groupCache = { at: now, byHandle, byId };
    return this.groupCache;
  }

  async isApprover(userId: string, approvers: string[], maxAgeMs = GROUP_CACHE_MS): Promise<boolean> {
    return (await this.expandApprovers(approvers, maxAgeMs)).includes(userId);
  }

  /**
   * Whether a person may decide a proposal: one of its approvers, and not its requester or the owner of the work it
   * is about unless the policy allows self-approval (what `decide` checks, for lists, Home and buttons).
   */
  async mayDecide(
    userId: string,
    row: Pick<ApprovalRow, 'approvers' | 'allow_self_approval' | 'requested_by' | 'subject_owner'>,
    maxAgeMs = GROUP_CACHE_MS,
  ): Promise<boolean> {
    if (!row.allow_self_approval && (userId === row.requested_by || userId === row.subject_owner)) return false;
    return this.isApprover(userId, row.approvers, maxAgeMs);
  }

  /** A person's Approve or Reject. Only the policy's approvers count; everything is audited. */
  async decide(
    id: number,
    userId: string,
    vote: 'approve' | 'reject',
    reason?: string,
    via?: string,
  ): Promise<DecideOutcome> {
    const { db } = this.deps;
    const door = via ? { via } : {};
    const approval = await getApproval(db, id);
    if (!approval) return { outcome: 'not_found' };
    if (approval.status !== 'proposed') return { outcome: 'already_decided', approval };
    if (approval.expires_at && approval.expires_at <= new Date()) {
      await this.expire();
      return { outcome: 'expired', approval: (await getApproval(db, id)) ?? approval };
    }
    const refuse = async (message: string) => {
      approvalDecisions.inc({ status: 'refused' });
      await audit(db, {
        actor: userId,
        event: 'refused',
        approvalId: id,
        action: approval.action,
        detail: { vote, message, ...door },
      });
      return { outcome: 'refused' as const, message };
    };
    // Membership as Slack has it now: someone taken out of the group since the proposal no longer decides.
    const approversNow = await this.expandApprovers(approval.approvers, 0);
    if (!approversNow.includes(userId))
      return refuse(`Only ${approval.approvers.join(', ')} can decide on this (policy ${approval.policy}).`);
    if (!approval.allow_self_approval && userId === approval.requested_by)
      return refuse('You cannot decide on an action you asked for; another approver has to.');
    if (!approval.allow_self_approval && userId === approval.subject_owner)
      return refuse('You cannot decide on an action about your own work; another approver has to.');

    let decided: ApprovalRow | null = null;
    if (vote === 'reject') {
      decided = await decideProposal(db, id, 'rejected', userId, reason ?? null);
    } else {
      // Only the votes of people who may decide now count: an approver taken out of the group since voting no
      // longer does (nor would the requester or the subject's owner, unless the policy allows self-approval).
      const { added, voters } = await recordVote(db, id, userId);
      const votes = voters.filter(
        (voter) =>
          approversNow.includes(voter) &&
          (approval.allow_self_approval || (voter !== approval.requested_by && voter !== approval.subject_owner)),
      ).length;
      if (votes < approval.min_approvals) {
        // The same approver clicking again changes nothing, and is not audited again.
        if (!added) return { outcome: 'vote_recorded', approval };
        await audit(db, {
          actor: userId,
          event: 'approval_vote',
          approvalId: id,
          action: approval.action,
          detail: { votes, ...door },
        });
        return { outcome: 'vote_recorded', approval };
      }
      decided = await decideProposal(db, id, 'approved', userId, null);
    }
    if (!decided) return { outcome: 'already_decided', approval: (await getApproval(db, id)) ?? approval };

    approvalDecisions.inc({ status: decided.status });
    approvalLatency.observe((Date.now() - decided.created_at.getTime()) / 1000);
    if (decided.status === 'rejected' && decided.rule) approvalOverrides.inc();
    await audit(db, {
      actor: userId,
      event: decided.status,
      approvalId: id,
      action: decided.action,
      detail: { ...(reason ? { reason } : {}), ...door },
    });
    await this.refreshMessages(decided);
    if (decided.status === 'approved') {
      const executed = await this.executeNow(id);
      return { outcome: 'approved', approval: executed ?? decided };
    }
    return { outcome: 'rejected', approval: decided };
  }

  /** Runs an approved action once (if this process wins the claim); failures retry later with back-off. */
  async executeNow(id?: number): Promise<ApprovalRow | null> {
    const { db, logger, clients } = this.deps;
    const leaseMs = this.deps.claimLeaseMs ?? CLAIM_LEASE_MS;
    const claimed = await claimForExecution(db, id, leaseMs);
    if (!claimed) return id ? getApproval(db, id) : null;
    // Renewed while the action runs, so the short lease only lapses when this process is gone.
    const renewal = setInterval(
      () =>
        renewClaim(db, claimed.id, leaseMs).catch((err: unknown) =>
          logger.warn({ err, approval: claimed.id }, 'could not renew the claim on an action'),
        ),
      leaseMs / 3,
    );
    try {
      const result = await execute(claimed.action, claimed.params, {
        db,
        clients,
        idempotencyKey: claimed.idempotency_key,
        attempt: claimed.attempts,
      });
      await markExecuted(db, claimed.id, result);
      approvalDecisions.inc({ status: 'executed' });
      await audit(db, {
        actor: 'em-agent',
        event: 'executed',
        approvalId: claimed.id,
        action: claimed.action,
        detail: result,
      });
    } catch (err) {
      const message = describeActionError(err);
      const permanent = err instanceof PermanentActionError || claimed.attempts >= MAX_ATTEMPTS;
      const retryAt = permanent
        ? null
        : new Date(Date.now() + (this.deps.retryBaseMs ?? RETRY_BASE_MS) * 2 ** (claimed.attempts - 1));
      await markAttemptFailed(db, claimed.id, message, retryAt);
      logger.warn(
        { approval: claimed.id, action: claimed.action, attempt: claimed.attempts, error: message },
        'action failed',
      );
      if (permanent) approvalDecisions.inc({ status: 'failed' });
      await audit(db, {
        actor: 'em-agent',
        event: permanent ? 'failed' : 'execution_retry',
        approvalId: claimed.id,
        action: claimed.action,
        detail: { error: message, attempt: claimed.attempts, ...(retryAt ? { retry_at: retryAt.toISOString() } : {}) },
      });
    } finally {
      clearInterval(renewal);
    }
    const after = await getApproval(db, claimed.id);
    if (after) await this.refreshMessages(after);
    return after;
  }

  /** Runs every approved action whose retry is due (the retry job). */
  async runDue(limit = 50): Promise<number> {
    let n = 0;
    while (n < limit && (await this.executeNow())) n += 1;
    return n;
  }

  /** Expires proposals past their time-to-live and shows it on their messages. */
  async expire(): Promise<ApprovalRow[]> {
    const expired = await expireDue(this.deps.db);
    for (const row of expired) {
      approvalDecisions.inc({ status: 'expired' });
      await audit(this.deps.db, { actor: 'ttl', event: 'expired', approvalId: row.id, action: row.action });
      await this.refreshMessages(row);
    }
    return expired;
  }

  private async refreshMessages(row: ApprovalRow): Promise<void> {
    const slack = this.deps.clients.slack;
    if (!slack) return;
    const message = approvalMessage(approvalView(row));
    for (const m of await approvalMessages(this.deps.db, row.id)) {
      try {
        await slack.chat.update({ channel: m.channel, ts: m.ts, ...message });
      } catch (err) {
        this.deps.logger.warn({ err, approval: row.id }, 'could not update a proposal message');
      }
    }
  }
}

/** What the person who asked for an action is told about what policy did with it, in the caller's words. */
export function describeProposal(
  result: ProposeOutcome,
  words: { done: string; pending: string; duplicate: string; failed: string },
): string {
  switch (result.outcome) {
    case 'executed':
      return `:white_check_mark: ${words.done}`;
    case 'proposed':
      return `:hourglass_flowing_sand: ${words.pending}`;
    case 'duplicate':
      return `:information_source: ${words.duplicate}`;
    case 'denied':
    case 'dry_run':
      return `:no_entry: ${result.decision.reason}.`;
    default:
      return `:warning: ${words.failed}: ${result.approval.last_error ?? 'unknown error'}`;
  }
}

/** A reason a person can read; never a token or a stack. */
export function describeActionError(err: unknown): string {
  if (err instanceof PermanentActionError) return err.message;
  const e = err as { status?: number; code?: string; data?: { error?: string }; message?: string };
  if (e.data?.error) return `Slack answered ${e.data.error}`;
  if (typeof e.status === 'number') return `the API answered ${e.status}`;
  if (e.code) return `network error (${e.code})`;
  return (e.message ?? 'unknown error').slice(0, 200);
}
