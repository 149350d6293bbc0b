// What every capability module is started with: the configuration, the store, and the services the others build
// on (policies and approvals, the notification pipeline, the signal engine, the sources). `src/app.ts` builds the
// kernel, then starts the modules it lists, in order.
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { WebClient } from '@slack/web-api';
import type { PolicyBook, PolicySections } from './approvals/policies.js';
import type { ApprovalService } from './approvals/service.js';
import type { Capability, ToolView } from './capabilities/capability.js';
import type { AnyTool } from './capabilities/tool.js';
import type { Config } from './config.js';
import type { NotificationService } from './notifications/service.js';
import type { Logger } from './observability/logger.js';
import type { SignalEngine } from './signals/engine.js';
import type { Db } from './store/db.js';
import type { Sources } from './sync/sources.js';

export interface Kernel {
  config: Config;
  logger: Logger;
  db: Db;
  /** sources.yml: connectors, people, incident rules. */
  sources: Sources;
  policies: PolicyBook;
  approvals: ApprovalService;
  notifications: NotificationService;
  signals: SignalEngine;
  /** The Slack Web API client, once Slack is connected. */
  slack(): WebClient | undefined;
  /** The chat model (made on first use), when one is configured. */
  model?: () => Promise<BaseChatModel>;
  /** A job interval in Agenda's words from milliseconds, at least a second. */
  every(ms: number): string;
  /** The tools of the capabilities started so far. */
  tools(): AnyTool[];
  /** The tool views of the capabilities started so far. */
  toolViews(): Record<string, ToolView>;
  /** Runs at shutdown, in reverse order of registration. */
  onStop(step: () => Promise<void>): void;
}

/** A capability as `src/app.ts` lists it: one line there, everything else in its folder. */
export interface CapabilityModule {
  name: string;
  /** Sections it adds to the policy files (parsed and validated with the policies). */
  policySections?: PolicySections;
  /** Builds its services and returns what it brings to the doors; `undefined` when it is switched off. */
  start(kernel: Kernel): Promise<Capability | undefined> | Capability | undefined;
}
