import { hostname } from 'node:os';
import { agentCapability } from './agent/capability.js';
import { AgentService, agentSettings } from './agent/service.js';
import { apiCapability } from './api/capability.js';
import { httpDoors } from './api/doors.js';
import { ApiTokens } from './api/tokens.js';
import { approvalsCapability } from './approvals/capability.js';
import { executorClients } from './approvals/clients.js';
import { OpaPolicySource } from './approvals/opa.js';
import { PolicyBook } from './approvals/policies.js';
import { ApprovalService } from './approvals/service.js';
import { askCapability } from './ask/capability.js';
import { embeddingsFor } from './ask/embeddings.js';
import { AskService } from './ask/service.js';
import type { Capability } from './capabilities/capability.js';
import type { AnyTool } from './capabilities/tool.js';
import { type Config, SECRET_SETTINGS, slackMode } from './config.js';
import { eventBusCapability } from './eventbus/capability.js';
import { startEventBus } from './eventbus/service.js';
import { identityCapability } from './identity/capability.js';
import { linkAfterSync } from './identity/jobs.js';
import { recordIdentity } from './identity/store.js';
import { incidentsCapability } from './incidents/capability.js';
import { IncidentService } from './incidents/service.js';
import { INCIDENT_POLICY_SECTION } from './incidents/settings.js';
import { heartbeatJob } from './jobs/heartbeat.js';
import { type JobDefinition, type Scheduler, startScheduler } from './jobs/scheduler.js';
import { chatModelFactory } from './lib/chat-model.js';
import { notificationsCapability } from './notifications/capability.js';
import { digestDue } from './notifications/model.js';
import { NotificationService } from './notifications/service.js';
import { NOTIFICATION_POLICY_SECTION } from './notifications/settings.js';
import { type HttpServer, type ReadinessChecks, type RouteHandler, startHttpServer } from './observability/http.js';
import type { Logger } from './observability/logger.js';
import { registerSecrets } from './observability/redact.js';
import { okrsCapability } from './okrs/capability.js';
import { applyOkrsFile, loadOkrsFile } from './okrs/file.js';
import { okrEditorsFromPolicies } from './okrs/permissions.js';
import { onboardingCapability } from './onboarding/capability.js';
import { OnboardingService } from './onboarding/service.js';
import { TemplateBook } from './onboarding/templates.js';
import { reportsCapability } from './reports/capability.js';
import { stopChartRenderer } from './reports/charts.js';
import { loadSchedules } from './reports/schedules.js';
import { signalsCapability } from './signals/capability.js';
import { SignalEngine } from './signals/engine.js';
import { RuleBook } from './signals/rulebook.js';
import type { SlackBot } from './slack/bot.js';
import { CommandRegistry } from './slack/commands.js';
import type { SlackDeps } from './slack/deps.js';
import { homeSections } from './slack/home.js';
import { purgeSlackDeliveriesJob } from './slack/jobs.js';
import type { Db } from './store/db.js';
import { databaseAnswers } from './store/health.js';
import { openStore } from './store/open.js';
import { syncCapability } from './sync/capability.js';
import { loadSources } from './sync/sources.js';
import { listSyncStatus, scopeHealth } from './sync/status-store.js';
import { teamsCapability } from './teams/capability.js';
import { applyTeamsFile, loadTeamsFile } from './teams/file.js';
import { teamAdminsFromPolicies } from './teams/permissions.js';
import { listTeams } from './teams/store.js';

export interface App {
  db: Db;
  scheduler: Scheduler;
  http: HttpServer;
  /** Present when Slack tokens are configured. */
  slack?: SlackBot;
  signals: SignalEngine;
  approvals: ApprovalService;
  incidents: IncidentService;
  ask: AskService;
  /** Plain-language requests (DMs, @mentions, `/em <free text>`, the assistant pane) → tools. */
  agent: AgentService;
  notifications: NotificationService;
  /** Every operation as a typed tool (data in, data out), for any door. */
  tools: AnyTool[];
  /** The `/em` subcommands and the tools each runs. */
  commands: CommandRegistry;
  stop(): Promise<void>;
}

/** A job interval in Agenda's words from milliseconds, at least a second. */
const everySeconds = (ms: number) => `${Math.max(1, Math.round(ms / 1000))} seconds`;

/** Composition root: config → store → jobs → HTTP → Slack. Stops in reverse order. */
export async function startApp(config: Config, logger: Logger): Promise<App> {
  registerSecrets(SECRET_SETTINGS.map((name) => config[name]));
  const workerName = `${hostname()}:${process.pid}`;
  const stack: (() => Promise<void>)[] = [];
  const stop = async () => {
    while (stack.length)
      await stack
        .pop()?.()
        .catch((err) => logger.error({ err }, 'shutdown step failed'));
  };

  try {
    stack.push(() => stopChartRenderer());
    const sources = loadSources(config.SOURCES_FILE);
    const schedules = loadSchedules(config.REPORTS_FILE);
    const teamsFile = loadTeamsFile(config.TEAMS_FILE);
    const okrsFile = loadOkrsFile(config.OKRS_FILE);
    const db = await openStore(config);
    stack.push(() => db.close().then(() => logger.info('store closed')));
    logger.info({ engine: db.engine, schema: db.schema }, 'store ready');
    for (const person of sources.people) {
      await recordIdentity(db, { ...person, displayName: person.name }, true);
    }
    if (teamsFile) await applyTeamsFile(db, config.TEAMS_FILE, teamsFile, logger);
    // NATS_URL: the outbox triggers write from here on (and not at all without it); a job drains them to JetStream.
    const eventBus = await startEventBus(db, logger, {
      url: config.NATS_URL,
      stream: config.NATS_STREAM,
      subjectPrefix: config.NATS_SUBJECT_PREFIX,
    });
    if (eventBus) stack.push(() => eventBus.close());
    if (okrsFile) await applyOkrsFile(db, config.OKRS_FILE, okrsFile, logger);

    const clients = executorClients(config, sources, logger);
    const policies = new PolicyBook(config.POLICIES_DIR, {
      ...INCIDENT_POLICY_SECTION,
      ...NOTIFICATION_POLICY_SECTION,
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
    const signals = new SignalEngine({ db, logger, rules, approvals, notifications });
    // One chat model (made on first use) for report narratives, answers and postmortems.
    const model = chatModelFactory(config);
    const ask = new AskService({
      db,
      logger,
      model,
      embeddings: embeddingsFor(config),
      chunking: { size: config.ASK_CHUNK_SIZE, overlap: config.ASK_CHUNK_OVERLAP },
    });
    const incidents = new IncidentService({
      db,
      logger,
      slack: () => clients.slack,
      policies,
      approvals,
      timezone: config.REPORTS_TIMEZONE,
      model,
      dmGate: notifications.gate,
    });

    const reportSettings = {
      bandSet: config.DORA_BANDS,
      timezone: config.REPORTS_TIMEZONE,
      model,
    };
    const apiTokens = new ApiTokens(db);
    // Every capability the product has; the doors below (Slack, jobs, HTTP) iterate over them and name none.
    const capabilities: Capability[] = [
      await syncCapability(config, sources, db, logger),
      signalsCapability(signals, { evaluateEvery: everySeconds(config.SIGNALS_TICK_MS) }),
      approvalsCapability(approvals),
      reportsCapability({
        settings: reportSettings,
        signals,
        approvals,
        schedules,
        slack: () => clients.slack,
        logger,
        dmGate: notifications.gate,
      }),
      incidentsCapability(incidents, { remindEvery: everySeconds(config.INCIDENTS_TICK_MS) }),
      askCapability(ask, { indexEvery: everySeconds(config.ASK_INDEX_TICK_MS) }),
      identityCapability(() => clients.slack),
      notificationsCapability(notifications, { tickEvery: everySeconds(config.NOTIFY_TICK_MS) }),
      apiCapability(apiTokens),
      teamsCapability(teamAdminsFromPolicies(policies, approvals)),
      onboardingCapability(
        new OnboardingService({
          db,
          logger,
          slack: () => clients.slack,
          templates: new TemplateBook(config.ONBOARDING_DIR),
          policies,
          approvals,
          notifications,
        }),
      ),
      ...(eventBus ? [eventBusCapability(eventBus, { drainEvery: everySeconds(config.EVENT_BUS_DRAIN_MS) })] : []),
      okrsCapability({
        db,
        slack: () => clients.slack,
        dmGate: notifications.gate,
        due: async (owner, now) => digestDue(await notifications.prefsOf(owner), now),
        editors: okrEditorsFromPolicies(policies, approvals),
      }),
    ];
    // The agent runs the other capabilities' tools (never a `decide` one), so it is listed after them.
    const agent = new AgentService({
      db,
      logger,
      tools: capabilities.flatMap((c) => c.tools ?? []),
      model,
      settings: agentSettings(config),
      // Team names the planner recognises: the teams (keys and names), then tracker projects and Linear teams.
      teams: async () =>
        [
          ...(await listTeams(db)).flatMap((t) => [t.key, t.name]),
          ...(sources.jira?.projects ?? []),
          ...(sources.linear?.teams ?? []),
        ].map((t) => t.toLowerCase()),
    });
    capabilities.push(agentCapability(agent));
    const tools: AnyTool[] = capabilities.flatMap((c) => c.tools ?? []);
    const commands = new CommandRegistry().registerAll(capabilities.flatMap((c) => c.commands ?? []));
    const deps: SlackDeps = {
      db,
      logger,
      commands,
      home: homeSections(capabilities.flatMap((c) => c.home ?? [])),
      surfaces: capabilities.flatMap((c) => (c.slack ? [c.slack] : [])),
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
    // The first sync (the backfill) is complete when every scope has synced once; a sync that brought people never
    // looked up links them to Slack right away.
    syncScopes = jobs.filter((job) => job.name.startsWith('sync:')).length;
    for (const [i, job] of jobs.entries())
      if (job.name.startsWith('sync:')) jobs[i] = linkAfterSync(job, () => clients.slack);
    const scheduler = await startScheduler({
      db,
      logger,
      jobs,
      processEveryMs: config.JOBS_POLL_MS,
      lockLifetimeMs: config.JOBS_LOCK_LIFETIME_MS,
      workerName,
    });
    stack.push(() => scheduler.stop());

    const readiness: ReadinessChecks = {
      database: () => databaseAnswers(db),
      jobs: () => scheduler.running,
      ...(slack ? { slack: () => slack.connected } : {}),
    };
    const routes: Record<string, RouteHandler> = Object.assign({}, ...capabilities.map((c) => c.routes ?? {}));
    // A failing source does not make the bot unready (it still answers in Slack); /ready shows it all the same.
    const details = async () => {
      const statuses = await listSyncStatus(db);
      return {
        ...(statuses.length
          ? { sources: Object.fromEntries(statuses.map((st) => [`${st.source}:${st.scope}`, scopeHealth(st)])) }
          : {}),
        ...(opa ? { policy: await opa.health() } : {}),
        ...(eventBus ? { eventBus: await eventBus.health() } : {}),
      };
    };
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
        tokens: apiTokens,
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
    return {
      db,
      scheduler,
      http,
      slack,
      signals,
      approvals,
      incidents,
      ask,
      agent,
      notifications,
      tools,
      commands,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
