import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { agentModule } from './agent/capability.js';
import { apiModule } from './api/capability.js';
import { httpDoors } from './api/doors.js';
import { ApiTokens } from './api/tokens.js';
import { approvalsModule } from './approvals/capability.js';
import type { ApprovalService } from './approvals/service.js';
import { askModule } from './ask/capability.js';
import { stopLocalEmbeddings } from './ask/local-embeddings.js';
import type { CapabilityServices } from './capabilities/services.js';
import type { AnyTool } from './capabilities/tool.js';
import { type Config, SECRET_SETTINGS, slackMode } from './config.js';
import { eventBusModule } from './eventbus/capability.js';
import { identityModule } from './identity/capability.js';
import { recordIdentity } from './identity/store.js';
import { incidentsModule } from './incidents/capability.js';
import { heartbeatJob } from './jobs/heartbeat.js';
import { type JobDefinition, type Scheduler, startScheduler } from './jobs/scheduler.js';
import { buildKernel, type CapabilityModule } from './kernel.js';
import { StoppingError } from './lib/stopping.js';
import { notificationsModule } from './notifications/capability.js';
import type { NotificationService } from './notifications/service.js';
import { type HttpServer, type ReadinessChecks, type RouteHandler, startHttpServer } from './observability/http.js';
import type { Logger } from './observability/logger.js';
import { registerSecrets } from './observability/redact.js';
import { okrsModule } from './okrs/capability.js';
import { onboardingModule } from './onboarding/capability.js';
import { reportsModule } from './reports/capability.js';
import { stopChartRenderer } from './reports/charts.js';
import { signalsModule } from './signals/capability.js';
import type { SignalEngine } from './signals/engine.js';
import { slackAccountActive } from './slack/accounts.js';
import type { SlackBot } from './slack/bot.js';
import { commandSlots } from './slack/command-slots.js';
import { CommandRegistry } from './slack/commands.js';
import type { SlackDeps } from './slack/deps.js';
import { homeSections } from './slack/home.js';
import { purgeSlackDeliveriesJob } from './slack/jobs.js';
import type { Db } from './store/db.js';
import { databaseAnswers } from './store/health.js';
import { hasVector } from './store/migrate.js';
import { openStore } from './store/open.js';
import { syncModule } from './sync/capability.js';
import { loadSources } from './sync/sources.js';
import { teamsModule } from './teams/capability.js';

/**
 * Every capability em-agent has, in the order they start: one line each. The event bus comes first (its triggers
 * see every later write), the agent last (it runs the tools of those before it). Leaves (agent, eventbus,
 * incidents, okrs, onboarding) can be removed by deleting their line and their folders; see docs/architecture.md.
 */
export const CAPABILITIES: CapabilityModule[] = [
  eventBusModule,
  syncModule,
  identityModule,
  teamsModule,
  signalsModule,
  approvalsModule,
  reportsModule,
  incidentsModule,
  askModule,
  notificationsModule,
  apiModule,
  onboardingModule,
  okrsModule,
  agentModule,
];

export interface AppCore {
  db: Db;
  scheduler: Scheduler;
  http: HttpServer;
  /** Present when Slack tokens are configured. */
  slack?: SlackBot;
  signals: SignalEngine;
  approvals: ApprovalService;
  notifications: NotificationService;
  /** Every operation as a typed tool (data in, data out), for any door. */
  tools: AnyTool[];
  /** The `/em` subcommands and the tools each runs. */
  commands: CommandRegistry;
  stop(): Promise<void>;
}

/** The started app: the kernel's services, and those the listed capabilities offer (`app.incidents`, …). */
export type App = AppCore & CapabilityServices;

/** Composition root: config → store → kernel → the listed capabilities → jobs → HTTP → Slack. Stops in reverse order. */
export async function startApp(config: Config, logger: Logger, modules = CAPABILITIES): Promise<App> {
  registerSecrets(SECRET_SETTINGS.map((name) => config[name]));
  const workerName = `${hostname()}:${process.pid}`;
  const stack: (() => Promise<void>)[] = [];
  // Aborted before the first step, so that long work (syncs, rule evaluations) winds down while Slack's last replies
  // go out, instead of running on until the store closes under it.
  const stopping = new AbortController();
  setMaxListeners(0, stopping.signal);
  const stop = async () => {
    stopping.abort(new StoppingError());
    while (stack.length)
      await stack
        .pop()?.()
        .catch((err) => logger.error({ err }, 'shutdown step failed'));
  };

  try {
    stack.push(() => stopChartRenderer());
    stack.push(() => stopLocalEmbeddings());
    const sources = loadSources(config.SOURCES_FILE);
    const db = await openStore(config);
    stack.push(() => db.close().then(() => logger.info('store closed')));
    // Without pgvector (not installed on the server, or its user may not create it), ask ranks by words alone.
    logger.info({ engine: db.engine, schema: db.schema, pgvector: await hasVector(db) }, 'store ready');
    for (const person of sources.people) {
      await recordIdentity(db, { ...person, displayName: person.name }, true);
    }

    const {
      kernel,
      started: capabilities,
      clients,
      opa,
      setSyncScopes,
    } = buildKernel({
      config,
      logger,
      db,
      sources,
      policySections: Object.assign({}, ...modules.map((m) => m.policySections ?? {})),
      onStop: (step) => void stack.push(step),
      stopping: stopping.signal,
    });
    for (const module of modules) {
      const capability = await module.start(kernel);
      if (capability) capabilities.push(capability);
    }
    kernel.notifications.feeds = capabilities.flatMap((c) => c.digestFeeds ?? []);

    const tools = kernel.tools();
    const commands = new CommandRegistry().registerAll(capabilities.flatMap((c) => c.commands ?? []));
    const deps: SlackDeps = {
      db,
      logger,
      commands,
      home: homeSections(capabilities.flatMap((c) => c.home ?? [])),
      surfaces: capabilities.flatMap((c) => (c.slack ? [c.slack] : [])),
      commandSlots: commandSlots(config.COMMAND_CONCURRENCY),
    };
    const slack =
      slackMode(config) === 'slack'
        ? (await import('./slack/bot.js')).createSlackBot(
            {
              botToken: config.SLACK_BOT_TOKEN as string,
              appToken: config.SLACK_APP_TOKEN as string,
              apiUrl: config.SLACK_API_URL,
            },
            deps,
          )
        : undefined;

    if (slack) clients.slack = slack.app.client;

    const jobs: JobDefinition<never>[] = [
      heartbeatJob(workerName),
      purgeSlackDeliveriesJob,
      ...capabilities.flatMap((c) => c.jobs ?? []),
    ];
    // The first sync (the backfill) is complete when every scope has synced once.
    setSyncScopes(jobs.filter((job) => job.name.startsWith('sync:')).length);
    const scheduler = await startScheduler({
      db,
      logger,
      jobs,
      processEveryMs: config.JOBS_POLL_MS,
      lockLifetimeMs: config.JOBS_LOCK_LIFETIME_MS,
      workerName,
      stopping: stopping.signal,
    });
    stack.push(() => scheduler.stop());

    const readiness: ReadinessChecks = {
      database: () => databaseAnswers(db),
      jobs: () => scheduler.running,
      ...(slack ? { slack: () => slack.connected } : {}),
    };
    const routes: Record<string, RouteHandler> = Object.assign({}, ...capabilities.map((c) => c.routes ?? {}));
    const details = async () =>
      Object.assign(
        {},
        ...(await Promise.all(capabilities.map((c) => c.readiness?.() ?? {}))),
        opa ? { policy: await opa.health() } : {},
      ) as Record<string, unknown>;
    const http = await startHttpServer({
      host: config.HTTP_HOST,
      port: config.HTTP_PORT,
      logger,
      readiness,
      routes,
      details,
      token: config.METRICS_TOKEN,
      // The doors for other programs: every capability's tools as REST routes and MCP tools.
      plugins: httpDoors({
        db,
        logger,
        tokens: new ApiTokens(
          db,
          slackAccountActive(() => clients.slack),
        ),
        tools,
        commands,
        slack: () => clients.slack,
        ratePerMinute: config.RATE_LIMIT_PER_MIN,
        maxPayloadBytes: config.MAX_PAYLOAD_BYTES,
      }),
    });
    stack.push(() => http.close());
    logger.info({ port: http.port }, 'http server listening (/health, /ready, /metrics, /v1, /mcp)');

    if (slack) {
      await slack.start();
      stack.push(() => slack.stop());
      logger.info('connected to Slack over Socket Mode');
    } else {
      logger.warn('SLACK_BOT_TOKEN and SLACK_APP_TOKEN are not set: Slack is not connected.');
    }
    const services = Object.assign({}, ...capabilities.map((c) => c.services ?? {})) as CapabilityServices;
    return {
      ...services,
      db,
      scheduler,
      http,
      slack,
      signals: kernel.signals,
      approvals: kernel.approvals,
      notifications: kernel.notifications,
      tools,
      commands,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
