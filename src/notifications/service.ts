import type { WebClient } from '@slack/web-api';
import type { SlackMessage } from '../../blocks/help.js';
import {
  type DigestView,
  digestMessage,
  type NoticeLine,
  realtimeMessage,
} from '../../blocks/notifications/messages.js';
import type { PolicyBook } from '../approvals/policies.js';
import { getApproval } from '../approvals/store.js';
import type { DigestFeed } from '../capabilities/capability.js';
import { personBy } from '../identity/store.js';
import { turnTaker } from '../lib/slices.js';
import type { Logger } from '../observability/logger.js';
import type { PersonRef } from '../signals/finding.js';
import { isBackfillSignal, type SignalRow } from '../signals/store.js';
import { shownName } from '../slack/people.js';
import type { Db } from '../store/db.js';
import { listSyncStatus } from '../sync/status-store.js';
import type { Team } from '../teams/model.js';
import { listTeams } from '../teams/store.js';
import { audienceForTeamSignal, teamLeadsFor } from './audience.js';
import {
  notificationsDeferred,
  notificationsMuted,
  notificationsPerPersonDay,
  notificationsSent,
  notificationsSnoozed,
} from './metrics.js';
import {
  DEFAULT_DIGEST_TIME,
  digestDue,
  GROUPS,
  inQuietHours,
  isGroup,
  isPaused,
  localDay,
  type NotificationInput,
  type Prefs,
  pauseEnd,
  percentiles,
  previousWorkingDay,
  REALTIME_KINDS,
  type Route,
  route,
  snoozeEnd,
  workingDaysBetween,
} from './model.js';
import { escalationDays, notificationPolicyOf } from './settings.js';
import { signalNotices } from './signals.js';
import {
  claimDigest,
  dropReason,
  escalationCandidates,
  getItem,
  getMarker,
  getPrefs,
  type ItemRow,
  mainCulprit,
  markDone,
  markEscalated,
  markRealtime,
  mutedRules,
  muteRule,
  openItems,
  openSubjectsLike,
  realtimeSentOn,
  recipientsWithOpenItems,
  recordSend,
  releaseDigest,
  savePrefs,
  sendsOnDay,
  setMarkerOnce,
  snoozeItem,
  upsertItem,
  upsertItems,
} from './store.js';

export interface NotificationSettings {
  /** Real-time DMs per person per local day; beyond it, items wait for the digest. */
  realtimeCap: number;
  /** An item open this many working days is added to the lead's digest, once. */
  escalateAfterDays: number;
  /** The digest time for people who did not choose one. */
  digestTime: string;
  /** The time zone when Slack's users.info gives none. */
  fallbackTimezone: string;
}

export const DEFAULT_NOTIFICATION_SETTINGS: NotificationSettings = {
  realtimeCap: 2,
  escalateAfterDays: 3,
  digestTime: DEFAULT_DIGEST_TIME,
  fallbackTimezone: 'UTC',
};

export interface NotificationServiceDeps {
  db: Db;
  logger: Logger;
  slack: () => WebClient | undefined;
  policies: PolicyBook;
  /** Slack user ids behind approver entries (user groups expanded). */
  expand: (approvers: string[]) => Promise<string[]>;
  /** How many sync scopes sources.yml configures: the first sync (backfill) is complete when each has succeeded once. */
  scopes: number | (() => number);
  settings?: Partial<NotificationSettings>;
  clock?: () => Date;
}

const BACKFILL_DONE = 'backfill_done';

/** How long the fallback time zone stands in for a person whose users.info failed, before Slack is asked again. */
const TIMEZONE_RETRY_MS = 10 * 60_000;

/** Items in one digest; the rest are counted ("…and N more") and stay on the Home tab. */
const DIGEST_MAX_LINES = 40;

/** What a sender asks of the pipeline for a DM that is not an item (a report, an incident nudge, a Nudge button). */
export type DmGate = (recipient: string, kind: string, options?: { paging?: boolean }) => Promise<boolean>;

/**
 * The one way em-agent tells a person something: items (one per person and subject, every reason on it), routed
 * to real time only where waiting costs and the person's preferences, caps and clock allow; everything else waits
 * for one digest per working day. Snooze, mute and done are stored here.
 */
export class NotificationService {
  readonly settings: NotificationSettings;
  /** The capabilities' digest feeds (app.ts collects them at start). */
  feeds: DigestFeed[] = [];
  /** Time zones from users.info; a fallback after a failed call is kept only until `retryAt`. */
  private readonly timezones = new Map<string, { tz: string; retryAt?: Date }>();

  constructor(private readonly deps: NotificationServiceDeps) {
    this.settings = { ...DEFAULT_NOTIFICATION_SETTINGS, ...deps.settings };
  }

  private now(): Date {
    return this.deps.clock?.() ?? new Date();
  }

  get db(): Db {
    return this.deps.db;
  }

  // ---- backfill ------------------------------------------------------------------------------------------------

  /** When the first sync of every configured scope was first seen complete (undefined while it runs). */
  async backfillDoneAt(): Promise<Date | undefined> {
    const { db } = this.deps;
    const done = await getMarker(db, BACKFILL_DONE);
    if (done) return done;
    const statuses = await listSyncStatus(db);
    const scopes = typeof this.deps.scopes === 'function' ? this.deps.scopes() : this.deps.scopes;
    if (statuses.filter((s) => s.lastSuccessAt).length < scopes) return undefined;
    return setMarkerOnce(db, BACKFILL_DONE);
  }

  /**
   * Whether what a rule finds now was already true before em-agent first saw the data: while the first sync runs,
   * and in each rule's first evaluation after it (that evaluation sees the whole backfill at once).
   */
  async isBackfill(previousRun: Date | undefined): Promise<boolean> {
    const done = await this.backfillDoneAt();
    if (!done) return true;
    return !previousRun || previousRun < done;
  }

  // ---- preferences ---------------------------------------------------------------------------------------------

  /** The person's time zone from Slack's users.info (cached in their preferences). */
  private async timezoneOf(recipient: string, stored: string | null | undefined): Promise<string> {
    if (stored) return stored;
    const cached = this.timezones.get(recipient);
    if (cached && (!cached.retryAt || cached.retryAt > this.now())) return cached.tz;
    let tz = this.settings.fallbackTimezone;
    try {
      const info = await this.deps.slack()?.users.info({ user: recipient });
      if (info?.user?.tz) {
        tz = info.user.tz;
        await savePrefs(this.deps.db, recipient, { timezone: tz });
      }
      this.timezones.set(recipient, { tz });
    } catch (err) {
      this.deps.logger.warn({ err, recipient }, 'users.info failed; using the fallback time zone for now');
      // Slack is asked again a little later: a failure once must not move the person's digest for good.
      this.timezones.set(recipient, { tz, retryAt: new Date(this.now().getTime() + TIMEZONE_RETRY_MS) });
    }
    return tz;
  }

  async prefsOf(recipient: string): Promise<Prefs> {
    const row = await getPrefs(this.deps.db, recipient);
    return {
      digestTime: row?.digest_time ?? this.settings.digestTime,
      timezone: await this.timezoneOf(recipient, row?.timezone),
      realtimeOff: row?.realtime_off ?? [],
      quietStart: row?.quiet_start ?? null,
      quietEnd: row?.quiet_end ?? null,
      pausedUntil: row?.paused_until ?? null,
    };
  }

  async savePrefs(
    recipient: string,
    input: {
      digestTime: string;
      realtimeOff: string[];
      quietStart: string | null;
      quietEnd: string | null;
      pauseDays?: number;
    },
  ): Promise<Prefs> {
    await savePrefs(this.deps.db, recipient, {
      digestTime: input.digestTime,
      realtimeOff: input.realtimeOff,
      quietStart: input.quietStart,
      quietEnd: input.quietEnd,
      ...(input.pauseDays !== undefined
        ? { pausedUntil: input.pauseDays > 0 ? pauseEnd(input.pauseDays, this.now()) : null }
        : {}),
    });
    return this.prefsOf(recipient);
  }

  // ---- items in --------------------------------------------------------------------------------------------------

  /**
   * Hands an item to the pipeline. A new reason (or a new item) is routed: real time when it matters and is allowed,
   * else it waits for the digest. `deliver` posts a real-time message of the sender's own (an approval's buttons).
   */
  async notify(
    input: NotificationInput,
    options: { deliver?: (recipient: string) => Promise<void> } = {},
  ): Promise<Route & { item: number }> {
    const { db } = this.deps;
    const muted = (await mutedRules(db, input.recipient)).has(input.reason.rule);
    const now = this.now();
    const { item, material } = await upsertItem(db, input, now);
    if (!material) return { to: 'none', why: 'already known', item: item.id };
    const prefs = await this.prefsOf(input.recipient);
    const day = localDay(now, prefs.timezone);
    const decided = route({
      kind: input.reason.kind,
      paging: input.paging,
      backfill: input.backfill,
      prefs,
      now,
      sentToday: await realtimeSentOn(db, input.recipient, day),
      cap: this.settings.realtimeCap,
      muted,
      snoozed: !!item.snoozed_until && item.snoozed_until > now,
    });
    if (decided.to === 'none') notificationsMuted.inc();
    if (decided.to === 'digest') notificationsDeferred.inc({ why: decided.why });
    if (decided.to !== 'realtime') return { ...decided, item: item.id };
    try {
      if (options.deliver) await options.deliver(input.recipient);
      else await this.dm(input.recipient, realtimeMessage(this.lineOf(item, new Set())));
      await recordSend(db, {
        recipient: input.recipient,
        kind: input.reason.kind,
        realtime: true,
        day,
        subject: input.subject,
      });
      await markRealtime(db, item.id);
      notificationsSent.inc({ kind: input.reason.kind });
    } catch (err) {
      this.deps.logger.warn({ err, item: item.id }, 'real-time notification failed; it waits for the digest');
      return { to: 'digest', why: 'send failed', item: item.id };
    }
    return { ...decided, item: item.id };
  }

  /**
   * For DMs that are not items (scheduled reports, incident nudges, a Nudge button): may it be sent now? A kind the
   * person switched off, pauses, quiet hours and the real-time cap apply; paging goes through all of them. A yes is
   * counted against the cap.
   */
  readonly gate: DmGate = async (recipient, kind, options = {}) => {
    const now = this.now();
    const prefs = await this.prefsOf(recipient);
    const day = localDay(now, prefs.timezone);
    if (!options.paging) {
      // A real-time kind the person switched off ("An incident pages me" off) waits, like route() does for items.
      if (prefs.realtimeOff.includes(kind)) {
        notificationsDeferred.inc({ why: 'switched off' });
        return false;
      }
      if (isPaused(prefs, now) || inQuietHours(prefs, now)) {
        notificationsDeferred.inc({ why: isPaused(prefs, now) ? 'paused' : 'quiet hours' });
        return false;
      }
      if (kind !== 'report' && (await realtimeSentOn(this.deps.db, recipient, day)) >= this.settings.realtimeCap) {
        notificationsDeferred.inc({ why: 'cap' });
        return false;
      }
    }
    await recordSend(this.deps.db, { recipient, kind, realtime: true, day });
    notificationsSent.inc({ kind });
    return true;
  };

  private async dm(recipient: string, message: SlackMessage): Promise<void> {
    const slack = this.deps.slack();
    if (!slack) throw new Error('Slack is not connected');
    const dm = await slack.conversations.open({ users: recipient });
    await slack.chat.postMessage({
      channel: dm.channel?.id as string,
      text: message.text,
      blocks: message.blocks,
      unfurl_links: false,
    });
  }

  /** A person in a source as a Slack user; undefined while they are not linked yet. */
  private async slackOf(ref: PersonRef): Promise<string | undefined> {
    return (await personBy(this.deps.db, ref.source, ref.id))?.slack ?? undefined;
  }

  /**
   * A new signal's notifications. Returns false when someone it is for has no Slack user yet, so the caller can try
   * again on a later tick (linking runs right after each sync that brought new people).
   */
  async fromSignal(
    rule: { name: string; kind: string; severity?: string | null },
    signal: SignalRow,
    backfill: boolean,
  ): Promise<boolean> {
    return (await this.fromSignals(rule, [{ ...signal, backfill }])).get(signal.id) ?? true;
  }

  /**
   * The notifications of the signals one rule evaluation opened. Items that can only wait for the digest (backfill,
   * or kinds never sent in real time) are written in one statement; the rest go through notify() one by one.
   * Returns, per signal, false when someone it is for has no Slack user yet.
   */
  async fromSignals(
    rule: { name: string; kind: string; severity?: string | null },
    signals: SignalRow[],
  ): Promise<Map<number, boolean>> {
    const complete = new Map<number, boolean>();
    const people = new Map<string, Promise<string | undefined>>();
    const teams = new Map<string, Promise<string[]>>();
    // One read of the teams for every signal of the evaluation (thousands on a first run), when any needs them.
    let activeTeams: Promise<Team[]> | undefined;
    const digestOnly: NotificationInput[] = [];
    const routed: NotificationInput[] = [];
    const turn = turnTaker();
    for (const signal of signals) {
      await turn();
      const backfill = signal.backfill === true;
      let ok = true;
      for (const notice of signalNotices(rule.kind, signal)) {
        let recipients: string[];
        if (notice.to === 'team') {
          const subject = {
            repo: signal.target.repo,
            ticketKey: signal.target.ticket?.key,
            person: signal.target.author ?? signal.target.assignee,
          };
          const ref = {
            rule: rule.name,
            kind: rule.kind,
            severity: rule.severity ?? null,
            repo: signal.target.repo ?? null,
          };
          const key = JSON.stringify([subject, ref]);
          if (!teams.has(key)) {
            activeTeams ??= listTeams(this.deps.db);
            teams.set(
              key,
              activeTeams.then((active) => this.teamAudience(subject, ref, undefined, active)),
            );
          }
          recipients = (await teams.get(key)) ?? [];
        } else {
          const to = notice.to;
          const key = `${to.source}:${to.id}`;
          if (!people.has(key)) people.set(key, this.slackOf(to));
          const slack = await people.get(key);
          recipients = slack ? [slack] : [];
          if (!slack) ok = false;
        }
        for (const recipient of recipients) {
          const input: NotificationInput = {
            recipient,
            subject: notice.subject,
            group: notice.group,
            title: notice.title,
            url: signal.url,
            reasonKey: `signal:${signal.id}`,
            reason: { rule: rule.name, kind: notice.kind, text: notice.reason, since: signal.opened_at.toISOString() },
            backfill,
          };
          if (backfill || !(REALTIME_KINDS as readonly string[]).includes(notice.kind)) digestOnly.push(input);
          else routed.push(input);
        }
      }
      complete.set(signal.id, ok);
    }
    if (digestOnly.length) {
      await upsertItems(this.deps.db, digestOnly, this.now());
      for (const input of digestOnly)
        notificationsDeferred.inc({ why: input.backfill ? 'backfill' : 'not a real-time kind' });
    }
    for (const input of routed) await this.notify(input);
    if (rule.kind === 'failing_main')
      for (const signal of signals)
        if (!(await this.mainFailed(rule, signal, signal.backfill === true))) complete.set(signal.id, false);
    return complete;
  }

  /**
   * A red default branch, for whoever merged the breaking change: the PR whose merge commit the first red run built
   * (else the last one merged before it). A real-time kind of its own (main_failed); the team's lead still has the
   * failing_main signal in the digest. False while the merger has no Slack user yet.
   */
  async mainFailed(rule: { name: string }, signal: SignalRow, backfill: boolean): Promise<boolean> {
    const repo = signal.target.repo;
    if (!repo || !signal.subject.startsWith(`ci:${repo}:`)) return true;
    const workflow = signal.subject.slice(`ci:${repo}:`.length);
    const culprit = await mainCulprit(this.deps.db, repo, workflow);
    if (!culprit) return true;
    const recipient = await this.slackOf({ source: 'github', id: culprit.merger });
    if (!recipient) return false;
    await this.notify({
      recipient,
      subject: `pr:${culprit.repo}#${culprit.number}`,
      group: 'my_prs',
      title: `${culprit.repo}#${culprit.number} ${culprit.title}`,
      url: signal.url ?? culprit.url,
      reasonKey: `signal:${signal.id}:merger`,
      reason: {
        rule: rule.name,
        kind: 'main_failed',
        text: culprit.exact
          ? `"${workflow}" on the default branch fails since your merge (${culprit.sha.slice(0, 7)})`
          : `"${workflow}" on the default branch fails since shortly after your merge`,
        since: signal.opened_at.toISOString(),
      },
      backfill,
    });
    return true;
  }

  /**
   * Every feed's open items, each in its owner's digest until it is done there or the feed no longer lists it. Not
   * a real-time kind: they wait for the digest.
   */
  async syncFeeds(): Promise<number> {
    const { db } = this.deps;
    let count = 0;
    for (const feed of this.feeds) {
      const open = await feed.open();
      // Never real time: one statement per feed, every tick.
      await upsertItems(
        db,
        open.map((item) => ({
          recipient: item.recipient,
          subject: `${feed.name}:${item.key}`,
          group: isGroup(item.group) ? item.group : 'other',
          title: item.title,
          reasonKey: `${feed.name}:${item.key}`,
          reason: item.reason,
        })),
        this.now(),
      );
      const listed = (await openSubjectsLike(db, `${feed.name}:`)).map((s) => s.slice(feed.name.length + 1));
      for (const key of await feed.closed(listed)) await dropReason(db, `${feed.name}:${key}`);
      count += open.length;
    }
    return count;
  }

  /**
   * The lead of a team-level matter: the managers of the teams it belongs to (`accept` filters them, e.g. not the
   * person an escalation is about); where none is left, the approvers the policy names.
   */
  private async teamAudience(
    subject: Parameters<typeof teamLeadsFor>[1],
    signal: Parameters<typeof audienceForTeamSignal>[1],
    accept: (user: string) => boolean = () => true,
    activeTeams?: Team[],
  ): Promise<string[]> {
    const managers = (await teamLeadsFor(this.deps.db, subject, activeTeams)).filter(accept);
    return managers.length ? managers : this.deps.expand(audienceForTeamSignal(this.deps.policies, signal));
  }

  /** The signal cleared: its reason leaves every item; items left without reasons are resolved. */
  async signalResolved(signalId: number): Promise<void> {
    await dropReason(this.deps.db, `signal:${signalId}`);
  }

  /** An approval that waits for `recipient`; `deliver` posts the proposal with its buttons when real time is allowed. */
  async approvalRequested(
    recipient: string,
    approval: { id: number; summary: string; signal_id?: number | null },
    deliver: (recipient: string) => Promise<void>,
  ): Promise<Route> {
    // A proposal a backfill signal made is as old as that signal: it waits for the digest too.
    const backfill = approval.signal_id ? await isBackfillSignal(this.deps.db, approval.signal_id) : false;
    return this.notify(
      {
        recipient,
        subject: `approval:${approval.id}`,
        group: 'approvals',
        title: `Approval #${approval.id}: ${approval.summary}`,
        reasonKey: `approval:${approval.id}`,
        reason: {
          rule: 'approvals',
          kind: 'approval',
          text: 'waits for your decision',
          since: this.now().toISOString(),
        },
        backfill,
      },
      { deliver },
    );
  }

  // ---- the digest ------------------------------------------------------------------------------------------------

  private lineOf(item: ItemRow, muted: Set<string>): NoticeLine {
    return {
      id: item.id,
      group: item.grp,
      title: item.title,
      url: item.url,
      reasons: Object.values(item.reasons)
        .filter((r) => !muted.has(r.rule))
        .sort((a, b) => a.since.localeCompare(b.since)),
    };
  }

  /** What the person's digest would hold now: open, unsnoozed items with an unmuted reason, grouped, oldest first. */
  async digestFor(recipient: string): Promise<DigestView> {
    const { db } = this.deps;
    const muted = await mutedRules(db, recipient);
    const lines: NoticeLine[] = [];
    for (const item of await openItems(db, recipient, this.now())) {
      if (item.grp === 'approvals' && !(await this.approvalWaits(item))) continue;
      const line = this.lineOf(item, muted);
      if (line.reasons.length) lines.push(line);
    }
    lines.sort((a, b) => GROUPS.indexOf(a.group) - GROUPS.indexOf(b.group));
    return { recipient, lines: lines.slice(0, DIGEST_MAX_LINES), more: Math.max(0, lines.length - DIGEST_MAX_LINES) };
  }

  /** An approval item whose proposal was decided or expired resolves here. */
  private async approvalWaits(item: ItemRow): Promise<boolean> {
    const id = Number(item.subject.split(':')[1]);
    const approval = Number.isInteger(id) ? await getApproval(this.deps.db, id) : null;
    if (approval?.status === 'proposed') return true;
    await dropReason(this.deps.db, `approval:${id}`);
    return false;
  }

  /** Sends each due digest: once per person per working day at their time; nothing to say, no message. */
  async sendDigests(): Promise<number> {
    const { db, logger } = this.deps;
    if (!(await this.backfillDoneAt())) return 0; // the first digest waits for the whole backfill
    await this.syncFeeds();
    await this.escalate();
    const now = this.now();
    let sent = 0;
    for (const recipient of await recipientsWithOpenItems(db)) {
      const prefs = await this.prefsOf(recipient);
      if (!digestDue(prefs, now)) continue;
      const day = localDay(now, prefs.timezone);
      const digest = await this.digestFor(recipient);
      if (!digest.lines.length) continue;
      if (!(await claimDigest(db, recipient, day))) continue;
      try {
        await this.dm(recipient, digestMessage(digest));
        notificationsSent.inc({ kind: 'digest' });
        sent += 1;
      } catch (err) {
        await releaseDigest(db, recipient, day);
        logger.warn({ err, recipient }, 'digest failed; retried on the next tick');
      }
    }
    return sent;
  }

  /**
   * DMs per person over the last working day (in the fallback time zone; each send counts on its recipient's local
   * day): p50, p95 and max, as the notifications_dms_per_person_day gauge in /metrics.
   */
  async updateDayMetrics(): Promise<{ day: string; p50: number; p95: number; max: number }> {
    const day = previousWorkingDay(this.now(), this.settings.fallbackTimezone);
    const stats = percentiles(await sendsOnDay(this.deps.db, day));
    for (const [stat, value] of Object.entries(stats)) notificationsPerPersonDay.set({ stat }, value);
    return { day, ...stats };
  }

  /** Items open for N working days are added to the digest of the team's lead, once. */
  async escalate(): Promise<number> {
    const { db } = this.deps;
    const now = this.now();
    const policy = notificationPolicyOf(this.deps.policies.fresh());
    const fallback = this.settings.escalateAfterDays;
    const configured = [
      fallback,
      policy?.escalate_after_days,
      ...Object.values(policy?.rules ?? {}).map((r) => r.escalate_after_days),
    ].filter((d): d is number => d !== undefined && d > 0);
    const daysOf = (item: ItemRow) => {
      const each = Object.values(item.reasons).map((r) => escalationDays(policy, r.rule, fallback));
      const positive = each.filter((d) => d > 0);
      return positive.length ? Math.min(...positive) : 0;
    };
    if (!configured.length) return 0;
    // Working days are at least calendar days: nothing younger than the shortest setting can be due.
    const roughly = new Date(now.getTime() - Math.min(...configured) * 86_400_000);
    let escalated = 0;
    for (const item of await escalationCandidates(db, roughly)) {
      const days = daysOf(item);
      if (days <= 0) continue;
      const tz = (await getPrefs(db, item.recipient))?.timezone ?? this.settings.fallbackTimezone;
      const waited = workingDaysBetween(item.created_at, now, tz);
      if (waited < days) continue;
      // A proposal decided or expired meanwhile waits on nobody (its line leaves here, as in the digest).
      if (item.grp === 'approvals' && !(await this.approvalWaits(item))) continue;
      const reason = Object.values(item.reasons)[0];
      const leads = (
        await this.teamAudience(
          { person: item.recipient },
          { rule: reason?.rule ?? '', kind: reason?.kind ?? '' },
          (u) => u !== item.recipient,
        )
      ).filter((u) => u !== item.recipient);
      const who = await this.nameOf(item.recipient);
      // A feed's item reads to the lead as the feed says (a private incident's action item: not its text).
      const feed = this.feeds.find((f) => item.subject.startsWith(`${f.name}:`));
      const key = feed ? item.subject.slice(feed.name.length + 1) : '';
      for (const lead of leads) {
        const title = feed?.titleFor ? await feed.titleFor(key, lead) : item.title;
        if (title === undefined) continue; // no longer open at its source
        await this.notify({
          recipient: lead,
          subject: `escalated:${item.id}`,
          group: 'escalations',
          title,
          url: item.url,
          reasonKey: `escalation:${item.id}`,
          reason: {
            rule: 'escalation',
            kind: 'escalation',
            text: `waiting on ${who} for ${waited} working days`,
            since: now.toISOString(),
          },
        });
      }
      await markEscalated(db, item.id);
      escalated += 1;
    }
    return escalated;
  }

  /**
   * A person as a line of text names them (reasons are escaped, so no mention): their directory name, else their
   * Slack name, and their user id only when Slack cannot be asked.
   */
  private async nameOf(slackId: string): Promise<string> {
    const known = (await personBy(this.deps.db, 'slack', slackId))?.displayName;
    if (known) return known;
    try {
      const info = await this.deps.slack()?.users.info({ user: slackId });
      return shownName(info?.user) ?? slackId;
    } catch {
      return slackId;
    }
  }

  // ---- buttons ---------------------------------------------------------------------------------------------------

  async snooze(recipient: string, id: number, until: 'day' | 'monday'): Promise<Date | undefined> {
    const end = snoozeEnd(until, await this.prefsOf(recipient), this.now());
    if (!(await snoozeItem(this.deps.db, id, recipient, end))) return undefined;
    notificationsSnoozed.inc();
    return end;
  }

  async done(recipient: string, id: number): Promise<boolean> {
    const item = await getItem(this.deps.db, id);
    const marked = await markDone(this.deps.db, id, recipient);
    // A feed's item is done at its source too (an incident action item: the postmortem and later digests see it).
    const feed = item && this.feeds.find((f) => item.subject.startsWith(`${f.name}:`));
    if (marked && item && feed?.done) await feed.done(item.subject.slice(feed.name.length + 1));
    return marked;
  }

  async mute(recipient: string, id: number, rule: string): Promise<string | undefined> {
    const item = await getItem(this.deps.db, id);
    if (!item || item.recipient !== recipient || !Object.values(item.reasons).some((r) => r.rule === rule)) return;
    await muteRule(this.deps.db, recipient, rule);
    notificationsMuted.inc();
    return rule;
  }
}
