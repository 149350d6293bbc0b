import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { WebClient } from '@slack/web-api';
import type { SlackMessage } from '../../blocks/help.js';
import {
  causeAnsweredMessage,
  incidentAnnouncement,
  incidentCard,
  statusUpdateMessage,
  suspectedCauseMessage,
} from '../../blocks/incidents/card.js';
import { reminderMessage } from '../../blocks/incidents/reminders.js';
import { postmortemMessage } from '../../blocks/incidents/reports.js';
import { graphemePrefix, userText } from '../../blocks/text.js';
import type { PolicyBook } from '../approvals/policies.js';
import type { ApprovalService } from '../approvals/service.js';
import { audit } from '../approvals/store.js';
import type { Logger } from '../observability/logger.js';
import type { Db } from '../store/db.js';
import { teamsForSubject } from '../teams/store.js';
import { incidentMessageChanges, incidentReminders, incidentsDeclared, incidentTimeToRestore } from './metrics.js';
import {
  humanDuration,
  type Incident,
  type IncidentSeverity,
  incidentLabel,
  type Phase,
  parseActionItem,
  ROLES,
  type Role,
  type TimelineFile,
  timelineFiles,
} from './model.js';
import { channelNameCandidates, incidentChannelName } from './naming.js';
import { postmortemDraft, postmortemNarrative, postmortemText } from './postmortem.js';
import { dueReminders } from './reminders.js';
import { type IncidentSettings, incidentSettingsOf } from './settings.js';
import {
  addTimelineEntry,
  claimIncident,
  claimReminder,
  deploymentById,
  dropMessageEntry,
  followEdit,
  forgetIncident,
  getIncident,
  incidentInChannel,
  type NewIncident,
  type NewTimelineEntry,
  openIncidentsForReminders,
  recentDeployments,
  setTicket,
  timelineEntry,
  timelineOf,
  updateIncidentRecord,
  updateRoom,
} from './store.js';

export interface IncidentServiceDeps {
  db: Db;
  logger: Logger;
  slack: () => WebClient | undefined;
  policies: PolicyBook;
  approvals?: ApprovalService;
  timezone: string;
  model?: () => Promise<BaseChatModel>;
  /** The notification pipeline's say on a DM nudge (pauses, quiet hours, the daily cap); without it all are sent. */
  dmGate?: (recipient: string, kind: string) => Promise<boolean>;
}

/** A declaration as a person makes it: the commander may be left to default to the declarer. */
export type DeclareRequest = Omit<NewIncident, 'commander' | 'openedAt'> & { commander: string | null };

export type DeclareOutcome =
  | { outcome: 'declared'; incident: Incident; problems: string[] }
  | { outcome: 'duplicate'; incident: Incident }
  | { outcome: 'failed'; reason: string };

const CARD_REFRESH_MS = 10 * 60_000;
const slackError = (err: unknown) => (err as { data?: { error?: string; needed?: string } })?.data;

/** What a failed Slack call means for an incident, in words a responder can act on. */
export function incidentSlackProblem(err: unknown, what: string): string {
  const data = slackError(err);
  switch (data?.error) {
    case 'missing_scope':
      return `I could not ${what}: this installation lacks the \`${data.needed ?? 'needed'}\` permission. An admin can reinstall the app from manifest.yml.`;
    case 'not_in_channel':
    case 'channel_not_found':
      return `I could not ${what}: I am not in that channel any more. Invite me back with \`/invite @EM Agent\`.`;
    case 'is_archived':
      return `I could not ${what}: the channel is archived.`;
    case 'ratelimited':
      return `I could not ${what}: Slack is rate-limiting me; try again in a minute.`;
    case 'restricted_action':
      return `I could not ${what}: a workspace setting does not allow apps to do that.`;
    default:
      return `I could not ${what} (Slack said ${data?.error ?? 'nothing useful'}).`;
  }
}

/** The incident co-pilot: the lifecycle of an incident, run in its own Slack channel, kept in the database. */
export class IncidentService {
  constructor(private readonly deps: IncidentServiceDeps) {}

  get settings(): IncidentSettings {
    return incidentSettingsOf(this.deps.policies.fresh());
  }

  get timezone(): string {
    return this.settings.calendar.timezone === 'UTC' ? this.deps.timezone : this.settings.calendar.timezone;
  }

  private client(): WebClient {
    const client = this.deps.slack();
    if (!client) throw new Error('Slack is not connected');
    return client;
  }

  byChannel(channelId: string) {
    return incidentInChannel(this.deps.db, channelId);
  }

  get(id: string) {
    return getIncident(this.deps.db, id);
  }

  timeline(id: string) {
    return timelineOf(this.deps.db, id);
  }

  // ---------------------------------------------------------------- declare

  async declare(request: DeclareRequest, now = new Date()): Promise<DeclareOutcome> {
    const { db, logger } = this.deps;
    const settings = this.settings;
    const commander = request.commander ?? request.declaredBy;
    const claim = await claimIncident(db, { ...request, commander, openedAt: now });
    if (!claim.created) return { outcome: 'duplicate', incident: claim.incident };
    let incident = claim.incident;
    const client = this.client();

    const channel = await this.createChannel(incident, now, settings).catch((err) => ({ error: err }));
    if ('error' in channel) {
      await forgetIncident(db, incident.id);
      logger.warn({ err: channel.error, incident: incident.id }, 'incident channel could not be created');
      return { outcome: 'failed', reason: incidentSlackProblem(channel.error, 'create the incident channel') };
    }
    await updateRoom(db, incident.id, {
      channel_id: channel.id,
      channel_name: channel.name,
      visible_in: settings.privateChannels ? channel.id : null,
    });
    incident = { ...incident, channelId: channel.id, channelName: channel.name };

    const problems: string[] = [];
    const attempt = async (what: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (err) {
        logger.warn({ err, incident: incident.id, what }, 'incident step failed');
        problems.push(incidentSlackProblem(err, what));
      }
    };
    await attempt('set the channel topic', () => this.setTopic(incident));
    await attempt('set the channel purpose', () =>
      client.conversations.setPurpose({
        channel: channel.id,
        purpose: graphemePrefix(`${incidentLabel(incident)}: ${userText(request.title)}`, 250),
      }),
    );
    const oncall = incident.severity ? (settings.oncall[incident.severity] ?? []) : [];
    // The on-call group of each team the affected service belongs to is paged too.
    const teamOncall = incident.service
      ? (await teamsForSubject(db, { service: incident.service })).flatMap((t) =>
          t.oncallGroup ? [t.oncallGroup] : [],
        )
      : [];
    await attempt('invite the responders', () =>
      this.invite(channel.id, [request.declaredBy, commander, ...oncall, ...teamOncall]),
    );
    await this.record(incident.id, {
      kind: 'declared',
      occurredAt: now,
      author: request.declaredBy,
      text: `Declared ${incident.severity ?? '(severity not set)'}: ${userText(request.title)}`,
    });
    await this.record(incident.id, {
      kind: 'role',
      occurredAt: now,
      author: request.declaredBy,
      text: `<@${commander}> is ${ROLES.commander}`,
    });

    const originLink = request.origin
      ? await client.chat
          .getPermalink({ channel: request.origin.channel, message_ts: request.origin.ts })
          .then((r) => r.permalink ?? null)
          .catch(() => null)
      : null;
    await attempt('post the incident card', async () => {
      const card = incidentCard(incident, now, { origin: originLink });
      const posted = await client.chat.postMessage({
        channel: channel.id,
        text: card.text,
        blocks: card.blocks as never,
      });
      await updateRoom(db, incident.id, { card_ts: posted.ts, card_refreshed_at: now });
      incident = { ...incident, cardTs: posted.ts ?? null };
      await attempt('pin the incident card', () =>
        client.pins.add({ channel: channel.id, timestamp: posted.ts as string }),
      );
    });
    if (settings.announceChannel) {
      const target = settings.announceChannel;
      await attempt(`announce it in ${target}`, async () => {
        const message = incidentAnnouncement(incident, now);
        const posted = await client.chat.postMessage({
          channel: target,
          text: message.text,
          blocks: message.blocks as never,
        });
        await updateRoom(db, incident.id, { announce_channel: posted.channel, announce_ts: posted.ts });
        incident = { ...incident, announceChannel: posted.channel ?? null, announceTs: posted.ts ?? null };
      });
    }
    if (request.origin) {
      const origin = request.origin;
      await client.chat
        .postMessage({
          channel: origin.channel,
          thread_ts: origin.ts,
          text: `:rotating_light: ${incidentLabel(incident)} was declared from this message: <#${channel.id}>`,
        })
        .catch((err) => logger.info({ err }, 'could not reply under the message the incident came from'));
    }
    await attempt('suggest a cause', () => this.proposeCause(incident));
    incidentsDeclared.inc({ severity: incident.severity ?? 'unset' });
    logger.info({ incident: incident.id, channel: channel.name }, 'incident declared');
    return { outcome: 'declared', incident, problems };
  }

  private async createChannel(incident: Incident, now: Date, settings: IncidentSettings) {
    const client = this.client();
    const base = incidentChannelName(incident.title, now, this.timezone);
    for (const name of channelNameCandidates(base)) {
      try {
        const created = await client.conversations.create({ name, is_private: settings.privateChannels });
        return { id: created.channel?.id as string, name };
      } catch (err) {
        if (slackError(err)?.error !== 'name_taken') throw err;
      }
    }
    // Twenty incidents with one title on one day: fall back to the incident number, which is unique.
    const name = `${base.slice(0, 70)}-${incident.number}`;
    const created = await client.conversations.create({ name, is_private: settings.privateChannels });
    return { id: created.channel?.id as string, name };
  }

  /** Invites people and user groups (@handle or S…); the bot and people already there are skipped. */
  private async invite(channel: string, people: string[]) {
    const expanded = this.deps.approvals ? await this.deps.approvals.expandApprovers(people) : people;
    const users = [...new Set(expanded.filter((u) => /^[UW][A-Z0-9]+$/.test(u)))];
    if (!users.length) return;
    try {
      await this.client().conversations.invite({ channel, users: users.join(',') });
    } catch (err) {
      if (slackError(err)?.error !== 'already_in_channel') throw err;
    }
  }

  private setTopic(incident: Incident) {
    if (!incident.channelId) return Promise.resolve();
    const topic = `${incidentLabel(incident)} · ${incident.severity ?? 'severity not set'} · ${incident.phase} · ${userText(incident.title)}`;
    return this.client().conversations.setTopic({ channel: incident.channelId, topic: graphemePrefix(topic, 250) });
  }

  private record(incidentId: string, entry: NewTimelineEntry) {
    return addTimelineEntry(this.deps.db, incidentId, entry);
  }

  // ---------------------------------------------------------------- changes

  async addNote(incident: Incident, author: string, text: string, now = new Date()): Promise<void> {
    await this.record(incident.id, {
      kind: 'note',
      occurredAt: now,
      author,
      text: userText(graphemePrefix(text, 3000)),
    });
  }

  async addActionItem(incident: Incident, author: string, text: string, now = new Date()): Promise<void> {
    await this.record(incident.id, {
      kind: 'action_item',
      occurredAt: now,
      author,
      text: userText(graphemePrefix(text, 500)),
      ...parseActionItem(text, author),
    });
  }

  /** Only the current commander (or someone in `commander_handover`) may hand the role over; each attempt is audited. */
  private async mayHandOverCommand(incident: Incident, actor: string): Promise<boolean> {
    if (!incident.commander || incident.commander === actor) return true;
    const handover = this.settings.commanderHandover;
    if (!handover.length) return false;
    const people = this.deps.approvals ? await this.deps.approvals.expandApprovers(handover) : handover;
    return people.includes(actor);
  }

  async assignRole(incident: Incident, actor: string, role: Role, user: string, now = new Date()): Promise<string> {
    if (role === 'commander') {
      const allowed = await this.mayHandOverCommand(incident, actor);
      await audit(this.deps.db, {
        actor,
        event: allowed ? 'incident_commander_changed' : 'incident_commander_refused',
        action: 'incident.commander',
        detail: { incident: incident.id, from: incident.commander, to: user },
      });
      if (!allowed)
        return `:no_entry: Only the commander, <@${incident.commander}>, or someone named under \`commander_handover\` in the incidents policy can hand over the commander role of ${incidentLabel(incident)}.`;
    }
    const fields =
      role === 'commander'
        ? { commander: user }
        : role === 'comms_lead'
          ? { comms_lead: user }
          : role === 'scribe'
            ? { scribe: user }
            : { responders: [...new Set([...incident.responders, user])] };
    await updateRoom(this.deps.db, incident.id, fields);
    await this.record(incident.id, {
      kind: 'role',
      occurredAt: now,
      author: actor,
      text: `<@${user}> is ${ROLES[role]}`,
    });
    const problems: string[] = [];
    if (incident.channelId)
      await this.invite(incident.channelId, [user]).catch((err) =>
        problems.push(incidentSlackProblem(err, `invite <@${user}>`)),
      );
    problems.push(...(await this.refresh(incident.id, { topic: role === 'commander' })));
    return [`<@${user}> is now ${ROLES[role]} of ${incidentLabel(incident)}.`, ...problems].join(' ');
  }

  async setSeverity(incident: Incident, actor: string, severity: IncidentSeverity, now = new Date()): Promise<string> {
    if (incident.severity === severity) return `${incidentLabel(incident)} is already ${severity}.`;
    await updateIncidentRecord(this.deps.db, incident.id, { severity });
    await this.record(incident.id, {
      kind: 'severity',
      occurredAt: now,
      author: actor,
      text: `Severity ${incident.severity ?? 'not set'} → ${severity}`,
    });
    const oncall = this.settings.oncall[severity] ?? [];
    const problems: string[] = [];
    if (incident.channelId && oncall.length)
      await this.invite(incident.channelId, oncall).catch((err) =>
        problems.push(incidentSlackProblem(err, `invite ${oncall.join(', ')}`)),
      );
    problems.push(...(await this.refresh(incident.id, { topic: true })));
    return [`${incidentLabel(incident)} is now ${severity}.`, ...problems].join(' ');
  }

  async postStatusUpdate(
    incident: Incident,
    actor: string,
    phase: Phase,
    summary: string,
    now = new Date(),
  ): Promise<string> {
    if (phase === 'resolved') return this.resolve(incident, actor, summary, now);
    if (incident.status === 'resolved')
      await updateIncidentRecord(this.deps.db, incident.id, { status: 'open', resolved_at: null });
    await updateRoom(this.deps.db, incident.id, { phase, last_update_at: now });
    await this.record(incident.id, {
      kind: incident.status === 'resolved' ? 'reopened' : 'status',
      occurredAt: now,
      author: actor,
      text: `${phase === incident.phase ? 'Update' : `Status ${incident.phase} → ${phase}`}: ${userText(summary)}`,
    });
    const updated = (await this.get(incident.id)) as Incident;
    const message = statusUpdateMessage(updated, actor, summary);
    const problems: string[] = [];
    for (const [channel, thread] of [
      [updated.channelId, undefined],
      [updated.announceChannel, updated.announceTs],
    ] as const) {
      if (!channel) continue;
      await this.client()
        .chat.postMessage({
          channel,
          thread_ts: thread ?? undefined,
          text: message.text,
          blocks: message.blocks as never,
        })
        .catch((err) => problems.push(incidentSlackProblem(err, 'post the update')));
    }
    problems.push(...(await this.refresh(incident.id, { topic: phase !== incident.phase })));
    return [`Posted the ${incidentLabel(incident)} update.`, ...problems].join(' ');
  }

  async resolve(incident: Incident, actor: string, summary: string, now = new Date()): Promise<string> {
    const { db, logger } = this.deps;
    if (incident.status === 'resolved') return `${incidentLabel(incident)} is already resolved.`;
    await updateIncidentRecord(db, incident.id, { status: 'resolved', resolved_at: now });
    await updateRoom(db, incident.id, { phase: 'resolved', summary, last_update_at: now });
    const ttr = humanDuration(now.getTime() - incident.openedAt.getTime());
    await this.record(incident.id, {
      kind: 'resolved',
      occurredAt: now,
      author: actor,
      text: `Resolved (time to restore ${ttr})${summary ? `: ${userText(summary)}` : ''}`,
    });
    const resolved = (await this.get(incident.id)) as Incident;
    const timeline = await timelineOf(db, incident.id);
    const cause =
      resolved.cause && resolved.cause.source !== 'none'
        ? await deploymentById(db, resolved.cause.source, resolved.cause.id)
        : null;
    const narrative = await postmortemNarrative(this.deps.model, resolved, timeline, logger);
    const draft = postmortemDraft({ incident: resolved, timeline, cause, timezone: this.timezone, narrative });
    await updateRoom(db, incident.id, { postmortem: postmortemText(draft) });
    const problems: string[] = [];
    const client = this.client();
    if (resolved.channelId) {
      const message = postmortemMessage(draft, Boolean(this.settings.actionItems && this.deps.approvals));
      await client.chat
        .postMessage({ channel: resolved.channelId, text: message.text, blocks: message.blocks as never })
        .catch((err) => problems.push(incidentSlackProblem(err, 'post the postmortem draft')));
    }
    if (resolved.announceChannel && resolved.announceTs) {
      await client.chat
        .postMessage({
          channel: resolved.announceChannel,
          thread_ts: resolved.announceTs,
          text: `:white_check_mark: ${incidentLabel(resolved)} resolved by <@${actor}> after ${ttr}.${summary ? ` ${userText(summary)}` : ''}`,
        })
        .catch((err) => problems.push(incidentSlackProblem(err, 'update the announcement thread')));
    }
    problems.push(...(await this.refresh(incident.id, { topic: true })));
    incidentTimeToRestore.observe((now.getTime() - incident.openedAt.getTime()) / 1000);
    logger.info({ incident: incident.id, ttrMs: now.getTime() - incident.openedAt.getTime() }, 'incident resolved');
    return [
      `${incidentLabel(incident)} resolved: time to restore ${ttr}. The postmortem draft is in the channel.`,
      ...problems,
    ].join(' ');
  }

  // ---------------------------------------------------------------- cause

  /** Suggests the latest production deployment before the incident; the commander confirms or corrects it. */
  async proposeCause(incident: Incident): Promise<void> {
    if (!incident.channelId) return;
    const [deploy] = await recentDeployments(this.deps.db, incident.openedAt, incident.service, 1);
    const message = suspectedCauseMessage(incident, deploy ?? null);
    await this.client().chat.postMessage({
      channel: incident.channelId,
      text: message.text,
      blocks: message.blocks as never,
    });
  }

  candidateDeployments(incident: Incident) {
    return recentDeployments(this.deps.db, incident.openedAt, incident.service, 20).then(async (own) =>
      own.length || !incident.service ? own : recentDeployments(this.deps.db, incident.openedAt, null, 20),
    );
  }

  /** Only the commander answers (anyone, while there is none). */
  mayConfirmCause(incident: Incident, userId: string): boolean {
    return !incident.commander || incident.commander === userId;
  }

  async confirmCause(
    incident: Incident,
    actor: string,
    choice: { source: string; id: string } | 'none',
    answered?: { channel: string; ts: string },
    now = new Date(),
  ): Promise<string> {
    const { db } = this.deps;
    const deploy = choice === 'none' ? null : await deploymentById(db, choice.source, choice.id);
    if (choice !== 'none' && !deploy) return 'That deployment is no longer in the store; pick another.';
    await updateIncidentRecord(db, incident.id, {
      caused_by_source: deploy?.source ?? 'none',
      caused_by_id: deploy?.id ?? 'none',
      link_confirmed_by: actor,
      ...(deploy ? { scope: deploy.repo } : {}),
    });
    const text = deploy
      ? `Cause confirmed by <@${actor}>: deployment of ${deploy.repo}${deploy.sha ? ` @ ${deploy.sha.slice(0, 7)}` : ''}`
      : `<@${actor}> confirmed no deployment was involved`;
    await this.record(incident.id, { kind: 'deploy', occurredAt: now, author: actor, text });
    if (answered) {
      const message = causeAnsweredMessage(`:white_check_mark: ${text}.`);
      await this.client()
        .chat.update({
          channel: answered.channel,
          ts: answered.ts,
          text: message.text,
          blocks: message.blocks as never,
        })
        .catch((err) => this.deps.logger.info({ err }, 'could not update the cause question'));
    }
    await this.refresh(incident.id);
    return `${text}. Change failure rate and recovery time now use it.`;
  }

  // ---------------------------------------------------------------- action items

  async fileActionItem(entryId: number, actor: string): Promise<string> {
    const entry = await timelineEntry(this.deps.db, entryId);
    const target = this.settings.actionItems;
    if (entry?.kind !== 'action_item') return 'That action item no longer exists.';
    if (entry.ticket) return `That action item is already filed as ${entry.ticket}.`;
    if (!target || !this.deps.approvals)
      return 'No tracker is configured for action items (policies: incidents.action_items).';
    const incident = await this.get(entry.incidentId);
    const title = graphemePrefix(`${incident ? `${incidentLabel(incident)}: ` : ''}${entry.text}`, 250);
    const description = `Action item from the postmortem of ${incident ? `${incidentLabel(incident)} ${incident.title}` : 'an incident'}.`;
    const request =
      target.action === 'jira.create'
        ? { action: 'jira.create', params: { project: target.project, summary: title, description, issueType: 'Task' } }
        : { action: 'linear.create', params: { team: target.team, title, description } };
    const result = await this.deps.approvals.propose({
      ...request,
      summary: `File incident action item: ${title}`,
      evidence: { incident: incident ? incidentLabel(incident) : entry.incidentId, action_item: entry.text },
      requestedBy: actor,
      idempotencyKey: `incident-action-item:${entryId}`,
    });
    if (result.outcome === 'executed') {
      const key = String(
        (result.approval?.result as { key?: string; issue?: string } | null)?.key ??
          (result.approval?.result as { issue?: string } | null)?.issue ??
          'filed',
      );
      await setTicket(this.deps.db, entryId, key);
      return `Filed as ${key}.`;
    }
    if (result.outcome === 'proposed') {
      await setTicket(this.deps.db, entryId, `approval #${result.approval?.id}`);
      return `Proposed for approval (${result.decision.reason}).`;
    }
    if (result.outcome === 'duplicate') return 'That action item was already proposed.';
    return `Not filed: ${result.decision.reason}.`;
  }

  // ---------------------------------------------------------------- timeline from the channel

  /** A :pushpin: on a message in an incident channel puts it on the timeline, at the time it was posted. */
  async pinMessage(channel: string, ts: string, pinnedBy: string): Promise<boolean> {
    const incident = await this.byChannel(channel);
    if (!incident) return false;
    const message = await this.readMessage(channel, ts);
    if (!message) {
      this.deps.logger.info({ channel, ts }, 'pinned message not found');
      return false;
    }
    const added = await this.record(incident.id, {
      kind: 'pinned',
      occurredAt: new Date(Math.round(Number(ts) * 1000)),
      author: message.user ?? pinnedBy,
      text: userText(message.text || '(no text)'),
      files: message.files,
      sourceTs: ts,
    });
    if (added)
      await this.client()
        .reactions.add({ channel, timestamp: ts, name: 'spiral_note_pad' })
        .catch(() => undefined);
    return Boolean(added);
  }

  async unpinMessage(channel: string, ts: string): Promise<boolean> {
    const incident = await this.byChannel(channel);
    return incident ? dropMessageEntry(this.deps.db, incident.id, ts) : false;
  }

  /** A message changed; `editedAt` is null when no person edited it (Slack unfurled a link). */
  async messageEdited(channel: string, ts: string, text: string, files: TimelineFile[] | null, editedAt: Date | null) {
    const incident = await this.byChannel(channel);
    if (!incident) return false;
    if (!editedAt) {
      incidentMessageChanges.inc({ outcome: 'unfurl' });
      return false;
    }
    const applied = await followEdit(this.deps.db, incident.id, ts, userText(text), files, editedAt);
    incidentMessageChanges.inc({ outcome: applied ? 'applied' : 'ignored' });
    return applied;
  }

  async messageDeleted(channel: string, ts: string) {
    return this.unpinMessage(channel, ts);
  }

  /** The message as it is now: from Slack (it may have been edited), else as the bot heard it. */
  private async readMessage(channel: string, ts: string) {
    try {
      const history = await this.client().conversations.history({ channel, latest: ts, inclusive: true, limit: 1 });
      const found = history.messages?.find((m) => m.ts === ts);
      if (found) return { text: found.text ?? '', user: found.user ?? null, files: timelineFiles(found.files) };
    } catch (err) {
      this.deps.logger.info({ err, channel }, 'conversations.history failed; using the stored message');
    }
    const { rows } = await this.deps.db.query<{ actor: string | null; normalized: { text?: string; files?: unknown } }>(
      `SELECT actor, normalized FROM events WHERE source = 'slack' AND kind IN ('message', 'message_changed')
          AND external_id LIKE $1 ORDER BY occurred_at DESC, id DESC LIMIT 1`,
      [`${channel}:${ts}:%`],
    );
    const row = rows[0];
    return row
      ? { text: row.normalized.text ?? '', user: row.actor || null, files: timelineFiles(row.normalized.files) }
      : null;
  }

  // ---------------------------------------------------------------- keeping things current

  /** Re-renders the pinned card and the announcement (and the topic when asked). */
  async refresh(id: string, options: { topic?: boolean } = {}, now = new Date()): Promise<string[]> {
    const incident = await this.get(id);
    if (!incident) return [];
    const client = this.client();
    const cause =
      incident.cause && incident.cause.source !== 'none'
        ? await deploymentById(this.deps.db, incident.cause.source, incident.cause.id)
        : null;
    const updates: [string, () => Promise<unknown>][] = [];
    if (incident.channelId && incident.cardTs) {
      const card = incidentCard(incident, now, { cause });
      const [channel, ts] = [incident.channelId, incident.cardTs];
      updates.push([
        'update the incident card',
        () => client.chat.update({ channel, ts, text: card.text, blocks: card.blocks as never }),
      ]);
    }
    if (incident.announceChannel && incident.announceTs) {
      const message = incidentAnnouncement(incident, now);
      const [channel, ts] = [incident.announceChannel, incident.announceTs];
      updates.push([
        'update the announcement',
        () => client.chat.update({ channel, ts, text: message.text, blocks: message.blocks as never }),
      ]);
    }
    if (options.topic && !incident.archivedAt)
      updates.push(['update the channel topic', () => this.setTopic(incident)]);
    const problems: string[] = [];
    const results = await Promise.allSettled(updates.map(([, run]) => run()));
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') return;
      this.deps.logger.info({ err: result.reason, incident: id }, 'incident refresh failed');
      problems.push(incidentSlackProblem(result.reason, updates[i]?.[0] ?? 'update the incident'));
    });
    await updateRoom(this.deps.db, id, { card_refreshed_at: now });
    return problems;
  }

  /** Nudges, cadence reminders, the daily closure check and archiving: whatever is due now. */
  async runReminders(now = new Date()): Promise<number> {
    const settings = this.settings;
    let sent = 0;
    for (const { incident, state, cardRefreshedAt } of await openIncidentsForReminders(this.deps.db)) {
      for (const reminder of dueReminders(incident, state, settings, now)) {
        try {
          if (reminder === 'archive') {
            if (await this.archive(incident, now)) {
              incidentReminders.inc({ kind: reminder });
              sent++;
            }
            continue;
          }
          const previous = {
            severity: state.severityNudgedAt,
            commander: state.commanderNudgedAt,
            status_update: state.updateRemindedAt,
            closure_check: state.closureCheckedAt,
          }[reminder];
          if (!(await claimReminder(this.deps.db, incident.id, reminder, previous, now))) continue;
          await this.tell(incident, reminderMessage(reminder, incident, settings, now));
          incidentReminders.inc({ kind: reminder });
          sent++;
        } catch (err) {
          this.deps.logger.warn({ err, incident: incident.id, reminder }, 'incident reminder failed');
        }
      }
      if (
        incident.status === 'open' &&
        (!cardRefreshedAt || now.getTime() - cardRefreshedAt.getTime() >= CARD_REFRESH_MS)
      )
        await this.refresh(incident.id, {}, now).catch(() => undefined);
    }
    return sent;
  }

  /** Posts in the incident channel; when the bot was removed from it, tells the commander directly. */
  private async tell(incident: Incident, message: SlackMessage): Promise<void> {
    const client = this.client();
    try {
      if (!incident.channelId) throw Object.assign(new Error('no channel'), { data: { error: 'channel_not_found' } });
      await client.chat.postMessage({
        channel: incident.channelId,
        text: message.text,
        blocks: message.blocks as never,
      });
    } catch (err) {
      const to = incident.commander ?? incident.declaredBy;
      if (this.deps.dmGate && !(await this.deps.dmGate(to, 'incident_nudge'))) return;
      const dm = await client.conversations.open({ users: to });
      await client.chat.postMessage({
        channel: dm.channel?.id as string,
        text: `${message.text}\n_${incidentSlackProblem(err, `post in ${incident.channelName ? `#${incident.channelName}` : 'the incident channel'}`)}_`,
      });
    }
  }

  private async archive(incident: Incident, now: Date): Promise<boolean> {
    if (!incident.channelId) return false;
    try {
      await this.client().conversations.archive({ channel: incident.channelId });
    } catch (err) {
      const code = slackError(err)?.error;
      if (code !== 'already_archived') {
        this.deps.logger.warn({ err, incident: incident.id }, 'could not archive the incident channel');
        if (code !== 'not_in_channel' && code !== 'channel_not_found') return false;
      }
    }
    await updateRoom(this.deps.db, incident.id, { archived_at: now });
    return true;
  }
}
