import { hostname } from 'node:os';
import { executorClients } from './approvals/clients.js';
import { approvalsJob } from './approvals/jobs.js';
import { approvalsCommand, approvalsHomeSection, auditCommand, policyCommand } from './approvals/listeners.js';
import { PolicyBook } from './approvals/policies.js';
import { ApprovalService } from './approvals/service.js';
import { approvalsAuditTool, approvalsListTool, policyExplainTool } from './approvals/tools.js';
import { embeddingsFor } from './ask/embeddings.js';
import { askIndexJob } from './ask/jobs.js';
import { askCommand } from './ask/listeners.js';
import { AskService } from './ask/service.js';
import { askSearchTool } from './ask/tools.js';
import type { AnyTool } from './capabilities/tool.js';
import { type Config, SECRET_SETTINGS, slackMode } from './config.js';
import { linkAfterSync, linkSlackUsersJob } from './identity/jobs.js';
import { recordIdentity } from './identity/store.js';
import { incidentsJob } from './incidents/jobs.js';
import { incidentCommand, incidentsHomeSection } from './incidents/listeners.js';
import { IncidentService } from './incidents/service.js';
import { incidentsListTool } from './incidents/tools.js';
import { heartbeatJob } from './jobs/heartbeat.js';
import { type JobDefinition, type Scheduler, startScheduler } from './jobs/scheduler.js';
import { notificationsJob } from './notifications/jobs.js';
import { notificationsHomeSection } from './notifications/listeners.js';
import { NotificationService } from './notifications/service.js';
import { notificationsDigestTool } from './notifications/tools.js';
import { type HttpServer, type ReadinessChecks, type RouteHandler, startHttpServer } from './observability/http.js';
import type { Logger } from './observability/logger.js';
import { registerSecrets } from './observability/redact.js';
import { stopChartRenderer } from './reports/charts.js';
import { scheduledReportsJob } from './reports/jobs.js';
import {
  doraCommand,
  doraHomeSection,
  myWorkHomeSection,
  sprintCommand,
  sprintHomeSection,
  standupCommand,
  triageCommand,
} from './reports/listeners.js';
import { chatModelFactory } from './reports/narrative.js';
import { loadSchedules } from './reports/schedules.js';
import { doraReportTool, sprintHealthTool, standupReportTool, triageListTool } from './reports/tools.js';
import { SignalEngine } from './signals/engine.js';
import { signalsJob } from './signals/jobs.js';
import { signalsCommand, signalsHomeSection } from './signals/listeners.js';
import { RuleBook } from './signals/rulebook.js';
import { signalsListTool } from './signals/tools.js';
import type { SlackBot } from './slack/bot.js';
import { CommandRegistry } from './slack/commands.js';
import type { SlackDeps } from './slack/deps.js';
import { placeholderSections } from './slack/home.js';
import { purgeSlackDeliveriesJob } from './slack/jobs.js';
import type { Db } from './store/db.js';
import { openStore } from './store/open.js';
import { confluenceSyncJobs, githubSyncJobs, jiraSyncJobs, linearSyncJobs } from './sync/jobs.js';
import { sourcesCommand } from './sync/listeners.js';
import { configuredSources, loadSources } from './sync/sources.js';
import { listSyncStatus, scopeHealth } from './sync/status.js';
import { sourcesStatusTool } from './sync/tools.js';

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
    const db = await openStore(config);
    stack.push(() => db.close().then(() => logger.info('store closed')));
    logger.info({ engine: db.engine, schema: db.schema }, 'store ready');
    for (const person of sources.people) {
      await recordIdentity(db, { ...person, displayName: person.name }, true);
    }

    const clients = executorClients(config, sources, logger);
    const policies = new PolicyBook(config.POLICIES_DIR).reload();
    const rules = new RuleBook(config.RULES_DIR).reload();
    for (const problem of [...policies.problems, ...rules.problems]) logger.warn({ problem }, 'invalid rule or policy');
    logger.info({ rules: rules.rules.length, policies: policies.policies.length }, 'rules and policies loaded');
    const approvals = new ApprovalService({ db, logger, policies, clients, retryBaseMs: config.ACTION_RETRY_BASE_MS });
    // Notifications (issue #21): every DM to a person goes through one pipeline (digest, real time, preferences).
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
    const tools: AnyTool[] = [
      sourcesStatusTool(configuredSources(sources)),
      signalsListTool(signals),
      approvalsListTool(approvals),
      policyExplainTool(approvals),
      approvalsAuditTool(approvals),
      doraReportTool(reportSettings),
      triageListTool(signals),
      standupReportTool(),
      sprintHealthTool(),
      incidentsListTool(),
      askSearchTool(),
      notificationsDigestTool(notifications),
    ];
    const commands = new CommandRegistry()
      .register('sources', sourcesCommand(configuredSources(sources)), ['sources.status'])
      .register('signals', signalsCommand(signals), ['signals.list'])
      .register('approvals', approvalsCommand(approvals), ['approvals.list'])
      .register('policy', policyCommand(approvals), ['policy.explain'])
      .register('audit', auditCommand(approvals), ['approvals.audit'])
      .register('dora', doraCommand(reportSettings), ['dora.report'])
      .register('triage', triageCommand(signals), ['triage.list'])
      .register('standup', standupCommand(reportSettings), ['standup.report'])
      .register('sprint', sprintCommand(reportSettings), ['sprint.health'])
      .register('incident', incidentCommand(incidents), ['incidents.list'])
      .register('ask', askCommand(ask), ['ask.search']);
    const home = placeholderSections().map((section) =>
      section.id === 'signals'
        ? signalsHomeSection()
        : section.id === 'approvals'
          ? approvalsHomeSection(approvals)
          : section.id === 'dora'
            ? doraHomeSection(reportSettings)
            : section.id === 'sprint'
              ? sprintHomeSection()
              : section.id === 'incidents'
                ? incidentsHomeSection()
                : section,
    );
    home.splice(1, 0, myWorkHomeSection());
    home.splice(2, 0, notificationsHomeSection(notifications));
    const deps: SlackDeps = { db, logger, commands, home, approvals, incidents, ask, notifications };
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
      signalsJob(signals, everySeconds(config.SIGNALS_TICK_MS)),
      approvalsJob(approvals),
      askIndexJob(ask, everySeconds(config.ASK_INDEX_TICK_MS)),
      incidentsJob(incidents, everySeconds(config.INCIDENTS_TICK_MS)),
      scheduledReportsJob({ schedules, slack: () => clients.slack, logger, dmGate: notifications.gate }),
      notificationsJob(notifications, everySeconds(config.NOTIFY_TICK_MS)),
      purgeSlackDeliveriesJob,
      ...(slack ? [linkSlackUsersJob(slack.app.client)] : []),
      ...(sources.github
        ? githubSyncJobs(
            sources.github,
            { appId: config.GITHUB_APP_ID, privateKey: config.GITHUB_PRIVATE_KEY, baseUrl: config.GITHUB_API_URL },
            logger,
            sources.incidents.github,
          )
        : []),
      ...(sources.jira
        ? jiraSyncJobs(
            sources.jira,
            { host: config.JIRA_HOST, email: config.JIRA_EMAIL, apiToken: config.JIRA_API_TOKEN },
            sources.incidents.jira,
          )
        : []),
      ...(sources.linear
        ? linearSyncJobs(
            sources.linear,
            { apiKey: config.LINEAR_API_KEY, apiUrl: config.LINEAR_API_URL },
            sources.incidents.linear,
          )
        : []),
      ...(sources.confluence
        ? confluenceSyncJobs(sources.confluence, {
            host: config.CONFLUENCE_HOST,
            email: config.CONFLUENCE_EMAIL,
            apiToken: config.CONFLUENCE_API_TOKEN,
          })
        : []),
    ];
    // The first sync (the backfill) is complete when every scope has synced once; a sync that brought people never
    // looked up links them to Slack right away.
    syncScopes = jobs.filter((job) => job.name.startsWith('sync:')).length;
    for (const [i, job] of jobs.entries())
      if (slack && job.name.startsWith('sync:')) jobs[i] = linkAfterSync(job, slack.app.client);
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
      database: async () => (await db.query('SELECT 1 AS ok')).rowCount === 1,
      jobs: () => scheduler.running,
      ...(slack ? { slack: () => slack.connected } : {}),
    };
    const routes: Record<string, RouteHandler> =
      config.GITHUB_WEBHOOK_SECRET && sources.github
        ? {
            'POST /webhooks/github': (await import('./connectors/github/webhooks.js')).githubWebhookRoute({
              secret: config.GITHUB_WEBHOOK_SECRET,
              db,
              logger,
              environment: sources.github.deployments.environment,
              repos: sources.github.installations.flatMap((i) => i.repos),
            }),
          }
        : {};
    // A failing source does not make the bot unready (it still answers in Slack); /ready shows it all the same.
    const details = async () => {
      const statuses = await listSyncStatus(db);
      return statuses.length
        ? {
            sources: Object.fromEntries(statuses.map((st) => [`${st.source}:${st.scope}`, scopeHealth(st)])),
          }
        : {};
    };
    const http = await startHttpServer({
      host: config.HTTP_HOST,
      port: config.HTTP_PORT,
      logger,
      readiness,
      routes,
      details,
      token: config.METRICS_TOKEN,
    });
    stack.push(() => http.close());
    logger.info({ port: http.port }, 'http server listening (/health, /ready, /metrics)');

    if (slack) {
      await slack.start();
      stack.push(() => slack.stop());
      logger.info('connected to Slack over Socket Mode');
    } else {
      logger.warn('SLACK_BOT_TOKEN and SLACK_APP_TOKEN are not set: Slack is not connected.');
    }
    return { db, scheduler, http, slack, signals, approvals, incidents, ask, notifications, tools, commands, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
