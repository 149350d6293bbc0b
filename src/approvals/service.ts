import { type ApprovalView, approvalMessage } from '../../blocks/approvals/messages.js';
import { escapeMrkdwn, truncate } from '../../blocks/text.js';
import type { Logger } from '../observability/logger.js';
import type { Severity } from '../signals/rules.js';
import type { Db } from '../store/db.js';
import { type ExecutorClients, execute, PermanentActionError } from './executors.js';
import { approvalDecisions, approvalLatency, approvalOverrides, workflowsByMode } from './metrics.js';
import { type PolicyBook, type PolicyDecision, policyAt } from './policies.js';
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
  withdrawForSignals,
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
/** How often the approvals tick looks again at the approvers policies name when the policies did not change. */
export const CHECK_APPROVERS_MS = 10 * 60_000;

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

  constructor(private readonly deps: ApprovalServiceDeps) {
    // Each policy problem is logged when it appears: at start (the kernel logs those), and when a file is edited while
    // em-agent runs (before, only /em policy showed it).
    deps.policies.onNewProblems ??= (problems) => {
      for (const problem of problems) deps.logger.warn({ problem }, 'invalid policy');
    };
  }

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
        via: request.via ?? null,
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
    const approvers = await this.expandApprovers(approval.approvers).catch(() => undefined);
    // Nobody at all (an empty or deleted group) is said when the proposal could not be delivered; Slack unreachable,
    // nothing is known.
    if (!approvers?.length) return undefined;
    const others = approval.allow_self_approval
      ? approvers
      : approvers.filter((u) => u !== approval.requested_by && u !== approval.subject_owner);
    if (others.length >= approval.min_approvals) return undefined;
    const group = approval.approvers.join(', ');
    if (!others.length && approvers.includes(approval.requested_by))
      return `Nobody else in ${group} can approve it (you cannot approve what you asked for): add an approver to ${group}, or ask an admin to change the policy ${approval.policy}.`;
    // Fewer people than the approvals it needs (min_approvals above the size of the group): it would wait until it expires.
    return `It needs ${approval.min_approvals} approvals but only ${others.length} person(s) in ${group} can give one: add approvers to ${group}, or ask an admin to change the policy ${approval.policy}.`;
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

  private async fetchUserGroups(keep = true): Promise<Groups> {
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
    const groups = { at: now, byHandle, byId };
    if (keep) this.groupCache = groups;
    return groups;
  }

  /** Slack's answer about people policies name one by one (users.info), kept as long as group membership is. */
  private userChecks = new Map<string, { at: number; problem?: string }>();

  /**
   * What is wrong with the approvers the policies name, as Slack has them now: a user group that does not exist
   * (misspelt, disabled or deleted) or has no members, a user id Slack does not know or has deactivated, fewer people
   * than `min_approvals`, nobody at all. Each reads `file:line: policies.N.field: …`, like a file's own problems.
   * For `/em policy`, the REST and MCP policy tool, and the log (see `checkApprovers`).
   */
  async approverProblems(maxAgeMs = GROUP_CACHE_MS): Promise<string[]> {
    const slack = this.deps.clients.slack;
    const policies = this.deps.policies.policies.filter((p) => p.policy.mode === 'approve');
    if (!slack || !policies.length) return [];
    let groups: Groups | undefined;
    if (policies.some((p) => p.policy.approvers.some((a) => !/^[UW]/.test(a))))
      try {
        // A recent lookup serves; a new one is not kept for proposals and buttons (those keep their own timing).
        const now = this.deps.now?.() ?? Date.now();
        groups =
          this.groupCache && now - this.groupCache.at < maxAgeMs ? this.groupCache : await this.fetchUserGroups(false);
      } catch (err) {
        return [`The approvers in policies/ could not be checked in Slack (user groups: ${describeActionError(err)})`];
      }
    const problems: string[] = [];
    for (const loaded of policies) {
      const { policy } = loaded;
      const people = new Set<string>();
      for (const [i, approver] of policy.approvers.entries()) {
        const at = policyAt(loaded, `approvers.${i}`, loaded.approverLines?.[i]);
        if (/^[UW]/.test(approver)) {
          const problem = await this.userProblem(approver, maxAgeMs);
          if (problem) problems.push(`${at}: ${approver} ${problem}`);
          else people.add(approver);
          continue;
        }
        const members = approver.startsWith('@')
          ? groups?.byHandle.get(approver.slice(1).toLowerCase())
          : groups?.byId.get(approver);
        if (!members) problems.push(`${at}: ${approver} is not a user group in Slack (misspelt, disabled or deleted)`);
        else if (!members.length) problems.push(`${at}: ${approver} has no members in Slack`);
        for (const u of members ?? []) people.add(u);
      }
      const named = `policy ${loaded.file.split('/').at(-1)}:${policy.name ?? `#${loaded.index + 1}`}`;
      if (!people.size)
        problems.push(`${policyAt(loaded, 'approvers')}: nobody in Slack can approve what ${named} asks approval for`);
      else if (people.size < policy.min_approvals)
        problems.push(
          `${policyAt(loaded, 'min_approvals')}: ${policy.min_approvals} approvals are needed but only ${people.size} person(s) in ${policy.approvers.join(', ')} can give one`,
        );
    }
    return problems;
  }

  /** Why Slack says a user id cannot approve (unknown, deactivated), or undefined when it can. */
  private async userProblem(user: string, maxAgeMs: number): Promise<string | undefined> {
    const now = this.deps.now?.() ?? Date.now();
    const known = this.userChecks.get(user);
    if (known && now - known.at < maxAgeMs) return known.problem;
    let problem: string | undefined;
    try {
      const info = await this.deps.clients.slack?.users.info({ user });
      if (info?.user?.deleted) problem = 'is deactivated in Slack';
    } catch (err) {
      const code = (err as { data?: { error?: string } }).data?.error;
      if (code === 'user_not_found') problem = 'is not a user in this Slack workspace';
      else return `could not be checked in Slack (${describeActionError(err)})`;
    }
    this.userChecks.set(user, { at: now, ...(problem ? { problem } : {}) });
    return problem;
  }

  private logged = new Set<string>();
  private lastCheck?: { at: number; approvers: string };

  /**
   * Logs each approver problem once, when it appears. The approvals tick calls it: it looks when the policies' approvers
   * changed, else every CHECK_APPROVERS_MS (groups change in Slack while em-agent runs). Never throws.
   */
  async checkApprovers(): Promise<void> {
    const now = this.deps.now?.() ?? Date.now();
    const approvers = JSON.stringify(
      this.deps.policies.fresh().policies.map((p) => [p.policy.mode, p.policy.approvers]),
    );
    if (this.lastCheck && this.lastCheck.approvers === approvers && now - this.lastCheck.at < CHECK_APPROVERS_MS)
      return;
    this.lastCheck = { at: now, approvers };
    try {
      const problems = await this.approverProblems();
      for (const problem of problems)
        if (!this.logged.has(problem))
          this.deps.logger.warn({ problem }, 'a policy names approvers Slack does not have');
      this.logged = new Set(problems);
    } catch (err) {
      this.deps.logger.warn({ err }, 'could not check the approvers of the policies');
    }
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
    // A group deleted or emptied in Slack since: nobody can, which is said rather than "only @eng-leads can".
    if (!approversNow.length)
      return refuse(
        `Nobody can decide on this now: ${approval.approvers.join(', ')} has no members in Slack (or is no longer a user group); ask an admin to fix it or the policy ${approval.policy}.`,
      );
    if (!approversNow.includes(userId))
      return refuse(`Only ${approval.approvers.join(', ')} can decide on this (policy ${approval.policy}).`);
    if (!approval.allow_self_approval && userId === approval.requested_by)
      return refuse('You cannot decide on an action you asked for; another approver has to.');
    if (!approval.allow_self_approval && userId === approval.subject_owner)
      return refuse('You cannot decide on an action about your own work; another approver has to.');

    // The policies as they are now: one that denies the action since it was proposed (or dry run switched on) stops
    // it, whatever the old message's buttons offer. Rejecting it stays possible, to close it.
    const blocked = vote === 'approve' ? await this.blockedByPolicyNow(approval) : undefined;
    if (blocked)
      return refuse(
        `The policies no longer let this run (${blocked}), so it cannot be approved; reject it, or ask an admin to change the policy.`,
      );

    let decided: ApprovalRow | null = null;
    /** Whether this click is a vote not counted before (a repeated click of the same approver is not). */
    let newVote = vote === 'reject';
    if (vote === 'reject') {
      decided = await decideProposal(db, id, 'rejected', userId, reason ?? null);
    } else {
      // Only the votes of people who may decide now count: an approver taken out of the group since voting no
      // longer does (nor would the requester or the subject's owner, unless the policy allows self-approval).
      const { added, voters } = await recordVote(db, id, userId);
      newVote = added;
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
    if (!decided) {
      // Another approver (or the expiry) decided it a moment before: this decision is audited too, as too late.
      const now = (await getApproval(db, id)) ?? approval;
      if (newVote)
        await audit(db, {
          actor: userId,
          event: 'too_late',
          approvalId: id,
          action: approval.action,
          detail: { vote, message: `already ${now.status}`, ...(reason ? { reason } : {}), ...door },
        });
      return { outcome: 'already_decided', approval: now };
    }

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
    await this.tellRequester(decided);
    return { outcome: 'rejected', approval: decided };
  }

  /**
   * Why the policies as they are now would not let a proposal run (a policy that denies it, dry run), or undefined.
   * The approvers and count a proposal was made with still hold (README); only a policy that stops it is new.
   */
  private async blockedByPolicyNow(row: ApprovalRow): Promise<string | undefined> {
    const now = await this.deps.policies.fresh().resolve({
      action: row.action,
      rule: row.rule,
      severity: row.severity as Severity | null,
      repo: row.repo,
      via: row.via,
      requester: row.requested_by,
    });
    const fallback = now.fallback ? `; ${now.fallback}` : '';
    if (now.mode === 'deny') return `${now.reason}${fallback}`;
    if (now.dryRun) return `dry run is on for ${now.policy}${fallback}`;
    return undefined;
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
      // A later attempt asks the policies again: an admin who denied the action meanwhile stops its retries.
      const blocked = claimed.attempts > 1 ? await this.blockedByPolicyNow(claimed) : undefined;
      if (blocked)
        throw new PermanentActionError(
          `stopped before attempt ${claimed.attempts}: the policies no longer let it run (${blocked})`,
        );
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
      // The back-off, or longer when the vendor said how long to wait (429 Retry-After).
      const retryAt = permanent
        ? null
        : new Date(
            Date.now() +
              Math.max((this.deps.retryBaseMs ?? RETRY_BASE_MS) * 2 ** (claimed.attempts - 1), retryAfterMs(err)),
          );
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
    // A person's action that a person approved, or that ran on a later attempt: they did not see it happen.
    if (
      after &&
      (after.status === 'executed' || after.status === 'failed') &&
      (after.mode === 'approve' || claimed.attempts > 1)
    )
      await this.tellRequester(after);
    return after;
  }

  /** Runs every approved action whose retry is due (the retry job). */
  async runDue(limit = 50): Promise<number> {
    let n = 0;
    while (n < limit && (await this.executeNow())) n += 1;
    return n;
  }

  /**
   * Withdraws what still waits for a decision about these signals (they resolved, or their rule is gone): audited,
   * shown on the proposal messages with why, and told to a person who asked for it.
   */
  async withdrawForSignals(signalIds: number[], reason: string): Promise<ApprovalRow[]> {
    const withdrawn = await withdrawForSignals(this.deps.db, signalIds, reason);
    for (const row of withdrawn) {
      approvalDecisions.inc({ status: 'expired' });
      await audit(this.deps.db, {
        actor: 'em-agent',
        event: 'withdrawn',
        approvalId: row.id,
        action: row.action,
        detail: { reason, signal: row.signal_id },
      });
      await this.refreshMessages(row);
      await this.tellRequester(row);
    }
    return withdrawn;
  }

  /** Expires proposals past their time-to-live and shows it on their messages. */
  async expire(): Promise<ApprovalRow[]> {
    const expired = await expireDue(this.deps.db);
    for (const row of expired) {
      approvalDecisions.inc({ status: 'expired' });
      await audit(this.deps.db, { actor: 'ttl', event: 'expired', approvalId: row.id, action: row.action });
      await this.refreshMessages(row);
      await this.tellRequester(row);
    }
    return expired;
  }

  /**
   * Tells the person who proposed an action how it ended: rejected (with the reason the approver gave, which the reject
   * modal promises them), expired, run, or failed (with why). The proposal message goes to the approvers only, so
   * without this the requester never learnt it. Rules' proposals have nobody to tell; nor has a decision the requester
   * made themselves (self-approval).
   */
  private async tellRequester(row: ApprovalRow): Promise<void> {
    const slack = this.deps.clients.slack;
    const to = row.requested_by;
    if (!slack || !/^[UW][A-Z0-9]+$/.test(to)) return;
    if (row.status === 'rejected' && row.decided_by === to) return;
    const by = row.decided_by && /^[UW][A-Z0-9]+$/.test(row.decided_by) ? ` by <@${row.decided_by}>` : '';
    const what = `#${row.id} (\`${row.action}\`: ${escapeMrkdwn(truncate(row.summary, 200))})`;
    const text =
      row.status === 'rejected'
        ? `:no_entry_sign: Your proposal ${what} was rejected${by}${row.reason ? `: _${escapeMrkdwn(truncate(row.reason, 500))}_` : '.'}`
        : row.status === 'expired'
          ? row.decided_by === 'ttl' || !row.reason
            ? `:clock3: Your proposal ${what} expired without a decision; nothing was done. Ask again if it is still needed.`
            : `:clock3: Your proposal ${what} was withdrawn before a decision: ${escapeMrkdwn(row.reason)}. Nothing was done.`
          : row.status === 'executed'
            ? `:white_check_mark: Your proposal ${what} ${row.mode === 'approve' ? `was approved${by} and ` : ''}is done.`
            : row.status === 'failed'
              ? `:warning: Your proposal ${what} ${row.mode === 'approve' ? `was approved${by}, but ` : ''}failed after ${row.attempts} attempt(s): ${escapeMrkdwn(truncate(row.last_error ?? 'unknown error', 300))}. Nothing more will be tried; ask again once that is fixed.`
              : undefined;
    if (!text) return;
    try {
      await slack.chat.postMessage({ channel: to, text, unfurl_links: false });
    } catch (err) {
      this.deps.logger.warn({ err, approval: row.id }, 'could not tell the requester how their proposal ended');
    }
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

/** How long a vendor asked to wait before the next attempt (Retry-After in seconds, at most a day), or 0. */
function retryAfterMs(err: unknown): number {
  const e = err as { retryAfter?: unknown; response?: { headers?: Record<string, unknown> }; headers?: unknown };
  const headers = (e?.response?.headers ?? (typeof e?.headers === 'object' ? e.headers : undefined)) as
    | Record<string, unknown>
    | undefined;
  const raw = e?.retryAfter ?? headers?.['retry-after'];
  const seconds = Number(raw);
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 86_400) * 1000 : 0;
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
