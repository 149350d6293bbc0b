import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { WebClient } from '@slack/web-api';
import type { PolicyBook } from '../approvals/policies.js';
import type { ApprovalService } from '../approvals/service.js';
import type { ModelUsage } from '../lib/chat-model.js';
import type { Logger } from '../observability/logger.js';
import type { Db } from '../store/db.js';
import { addActionItem, fileActionItem } from './action-items.js';
import { candidateDeployments, confirmCause, mayConfirmCause, proposeCause } from './cause.js';
import { addNote, postStatusUpdate, setSeverity } from './changes.js';
import { type DeclareOutcome, type DeclareRequest, declareIncident } from './declare.js';
import type { IncidentFlow } from './flow.js';
import type { Incident, IncidentSeverity, Phase, Role, TimelineFile } from './model.js';
import { resolveIncident } from './resolve.js';
import { assignRole, type RoleChange } from './roles.js';
import { refreshRoom } from './room.js';
import { sendDueReminders } from './send-reminders.js';
import { type IncidentSettings, incidentSettingsOf } from './settings.js';
import { incidentSlackOver } from './slack-port.js';
import { getIncident, incidentInChannel, timelineOf } from './store.js';
import { messageEdited, pinMessage, unpinMessage } from './timeline.js';

export type { DeclareOutcome, DeclareRequest } from './declare.js';

export interface IncidentServiceDeps {
  db: Db;
  logger: Logger;
  slack: () => WebClient | undefined;
  policies: PolicyBook;
  approvals?: ApprovalService;
  timezone: string;
  model?: () => Promise<BaseChatModel>;
  modelUsage?: ModelUsage;
  /** The notification pipeline's say on a DM nudge (pauses, quiet hours, the daily cap); without it all are sent. */
  dmGate?: (recipient: string, kind: string) => Promise<boolean>;
}

/**
 * The incident co-pilot: the lifecycle of an incident, run in its own Slack channel, kept in the database. Each flow
 * lives in its own module (declare, changes, roles, cause, resolve, action items, timeline, reminders), doing its
 * Slack work through the incident Slack port; this is their one front for the doors.
 */
export class IncidentService {
  private readonly flow: IncidentFlow;

  constructor(private readonly deps: IncidentServiceDeps) {
    const { db, logger, approvals, model, modelUsage, dmGate } = deps;
    this.flow = {
      db,
      logger,
      slack: () => {
        const client = deps.slack();
        if (!client) throw new Error('Slack is not connected');
        return incidentSlackOver(client);
      },
      settings: () => this.settings,
      timezone: () => this.timezone,
      ...(approvals ? { approvals } : {}),
      ...(model ? { model } : {}),
      ...(modelUsage ? { modelUsage } : {}),
      ...(dmGate ? { dmGate } : {}),
    };
  }

  get settings(): IncidentSettings {
    return incidentSettingsOf(this.deps.policies.fresh());
  }

  get timezone(): string {
    return this.settings.calendar.timezone === 'UTC' ? this.deps.timezone : this.settings.calendar.timezone;
  }

  byChannel(channelId: string) {
    return incidentInChannel(this.deps.db, channelId);
  }

  /** Whether Slack is connected: declaring and changing an incident need it. */
  get slackConnected(): boolean {
    return Boolean(this.deps.slack());
  }

  get(id: string) {
    return getIncident(this.deps.db, id);
  }

  timeline(id: string) {
    return timelineOf(this.deps.db, id);
  }

  declare(request: DeclareRequest, now = new Date()): Promise<DeclareOutcome> {
    return declareIncident(this.flow, request, now);
  }

  addNote(incident: Incident, author: string, text: string, now = new Date()): Promise<void> {
    return addNote(this.flow, incident, author, text, now);
  }

  addActionItem(incident: Incident, author: string, text: string, now = new Date()): Promise<void> {
    return addActionItem(this.flow, incident, author, text, now);
  }

  assignRole(incident: Incident, actor: string, role: Role, user: string, now = new Date()): Promise<RoleChange> {
    return assignRole(this.flow, incident, actor, role, user, now);
  }

  setSeverity(incident: Incident, actor: string, severity: IncidentSeverity, now = new Date()): Promise<string> {
    return setSeverity(this.flow, incident, actor, severity, now);
  }

  postStatusUpdate(incident: Incident, actor: string, phase: Phase, summary: string, now = new Date()) {
    return postStatusUpdate(this.flow, incident, actor, phase, summary, now);
  }

  resolve(incident: Incident, actor: string, summary: string, now = new Date()): Promise<string> {
    return resolveIncident(this.flow, incident, actor, summary, now);
  }

  proposeCause(incident: Incident): Promise<void> {
    return proposeCause(this.flow, incident);
  }

  candidateDeployments(incident: Incident) {
    return candidateDeployments(this.flow, incident);
  }

  mayConfirmCause(incident: Incident, userId: string): boolean {
    return mayConfirmCause(incident, userId);
  }

  confirmCause(
    incident: Incident,
    actor: string,
    choice: { source: string; id: string } | 'none',
    answered?: { channel: string; ts: string },
    now = new Date(),
  ): Promise<string> {
    return confirmCause(this.flow, incident, actor, choice, answered, now);
  }

  fileActionItem(entryId: number, actor: string): Promise<string> {
    return fileActionItem(this.flow, entryId, actor);
  }

  pinMessage(channel: string, ts: string, pinnedBy: string): Promise<boolean> {
    return pinMessage(this.flow, channel, ts, pinnedBy);
  }

  unpinMessage(channel: string, ts: string): Promise<boolean> {
    return unpinMessage(this.flow, channel, ts);
  }

  messageEdited(channel: string, ts: string, text: string, files: TimelineFile[] | null, editedAt: Date | null) {
    return messageEdited(this.flow, channel, ts, text, files, editedAt);
  }

  messageDeleted(channel: string, ts: string): Promise<boolean> {
    return unpinMessage(this.flow, channel, ts);
  }

  refresh(id: string, options: { topic?: boolean } = {}, now = new Date()): Promise<string[]> {
    return refreshRoom(this.flow, id, options, now);
  }

  runReminders(now = new Date()): Promise<number> {
    return sendDueReminders(this.flow, now);
  }
}
