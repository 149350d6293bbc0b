// What every capability module is started with: the configuration, the store, and the services the others build
// on (policies and approvals, the notification pipeline, the signal engine, the sources). `src/app.ts` builds the
// kernel, then starts the modules it lists, in order.
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { WebClient } from '@slack/web-api';
import { executorClients } from './approvals/clients.js';
import type { ExecutorClients } from './approvals/executors.js';
import { OpaPolicySource } from './approvals/opa.js';
import { PolicyBook, type PolicySections } from './approvals/policies.js';
import { ApprovalService } from './approvals/service.js';
import type { Capability, ToolView } from './capabilities/capability.js';
import type { AnyTool } from './capabilities/tool.js';
import type { Config } from './config.js';
import { chatModelFactory, ModelUsage } from './lib/chat-model.js';
import { NotificationService } from './notifications/service.js';
import { NOTIFICATION_POLICY_SECTION } from './notifications/settings.js';
import type { Logger } from './observability/logger.js';
import { SignalEngine } from './signals/engine.js';
import { RuleBook } from './signals/rulebook.js';
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
  /** With a model: each person's model tokens today, whatever used them, bounded by AGENT_TOKENS_PER_DAY. */
  modelUsage?: ModelUsage;
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

export interface BuiltKernel {
  kernel: Kernel;
  /** The capabilities started so far: `kernel.tools()` and `kernel.toolViews()` read them. */
  started: Capability[];
  /** The executors' clients; `slack` is set once the bot exists. */
  clients: ExecutorClients;
  opa?: OpaPolicySource;
  /** How many sync scopes there are: the first sync (the backfill) is complete when each has synced once. */
  setSyncScopes(count: number): void;
}

/** Policies and rules from their files, approvals, the notification pipeline and the signal engine. */
export function buildKernel(o: {
  config: Config;
  logger: Logger;
  db: Db;
  sources: Sources;
  policySections: PolicySections;
  onStop(step: () => Promise<void>): void;
  /** Aborted when the process begins to stop. */
  stopping?: AbortSignal;
}): BuiltKernel {
  const { config, logger, db, sources } = o;
  const clients = executorClients(config, sources, logger);
  const policies = new PolicyBook(config.POLICIES_DIR, {
    ...NOTIFICATION_POLICY_SECTION,
    ...o.policySections,
  }).reload();
  // OPA_URL: decisions come from Open Policy Agent; the YAML policies decide whenever it cannot.
  const opa = config.OPA_URL
    ? new OpaPolicySource({ url: config.OPA_URL, timeoutMs: config.OPA_TIMEOUT_MS, logger })
    : undefined;
  policies.remote = opa;
  const rules = new RuleBook(config.RULES_DIR).reload();
  for (const problem of [...policies.problems, ...rules.problems]) logger.warn({ problem }, 'invalid rule or policy');
  logger.info({ rules: rules.rules.length, policies: policies.policies.length }, 'rules and policies loaded');
  const approvals = new ApprovalService({ db, logger, policies, clients, retryBaseMs: config.ACTION_RETRY_BASE_MS });
  // Notifications: every DM to a person goes through one pipeline (digest, real time, preferences, caps).
  let syncScopes = 0;
  const notifications = new NotificationService({
    db,
    logger,
    slack: () => clients.slack,
    policies,
    expand: (approvers) => approvals.expandApprovers(approvers),
    scopes: () => syncScopes,
    settings: {
      realtimeCap: config.NOTIFY_REALTIME_CAP,
      digestTime: config.NOTIFY_DIGEST_TIME,
      escalateAfterDays: config.NOTIFY_ESCALATE_AFTER_DAYS,
      fallbackTimezone: config.REPORTS_TIMEZONE,
    },
  });
  approvals.notifyApprover = (recipient, approval, deliver) =>
    notifications.approvalRequested(recipient, approval, deliver);
  clients.dmGate = notifications.gate;

  const started: Capability[] = [];
  const model = chatModelFactory(config);
  const kernel: Kernel = {
    config,
    logger,
    db,
    sources,
    policies,
    approvals,
    notifications,
    signals: new SignalEngine({ db, logger, rules, approvals, notifications, stopping: o.stopping }),
    slack: () => clients.slack,
    // One chat model (made on first use) for report narratives, answers, postmortems and the agent.
    model,
    modelUsage: model ? new ModelUsage(db, config.AGENT_TOKENS_PER_DAY) : undefined,
    every: (ms) => `${Math.max(1, Math.round(ms / 1000))} seconds`,
    tools: () => started.flatMap((c) => c.tools ?? []),
    toolViews: () => Object.assign({}, ...started.map((c) => c.toolViews ?? {})) as Record<string, ToolView>,
    onStop: o.onStop,
  };
  const setSyncScopes = (count: number) => {
    syncScopes = count;
  };
  return { kernel, started, clients, opa, setSyncScopes };
}
