import { type Capability, ownSubcommand } from '../capabilities/capability.js';
import type { Config } from '../config.js';
import { linkAfterSync } from '../identity/jobs.js';
import type { CapabilityModule } from '../kernel.js';
import type { RouteHandler } from '../observability/http.js';
import type { Logger } from '../observability/logger.js';
import type { Db } from '../store/db.js';
import { sourcesSyntax } from './args.js';
import { confluenceSyncJobs, githubSyncJobs, jiraSyncJobs, linearSyncJobs, shortcutSyncJobs } from './jobs.js';
import { sourcesCommand } from './listeners.js';
import { slackEventLog } from './slack-events.js';
import { configuredSources, type Sources } from './sources.js';
import { listSyncStatus, scopeHealth } from './status-store.js';
import { syncToolViews } from './tool-views.js';
import { sourcesStatusTool } from './tools.js';

/**
 * Incremental sync of GitHub, Jira, Linear, Shortcut and Confluence (jobs, webhooks), Slack's event log,
 * `/em sources`.
 */
export async function syncCapability(config: Config, sources: Sources, db: Db, logger: Logger): Promise<Capability> {
  const configured = configuredSources(sources);
  const { github, jira, linear, shortcut, confluence } = sources;
  return {
    name: 'sync',
    tools: [sourcesStatusTool(configured)],
    commands: [ownSubcommand({ ...sourcesSyntax, handler: sourcesCommand(configured), tools: ['sources.status'] })],
    slack: slackEventLog,
    jobs: [
      ...(github
        ? githubSyncJobs(
            github,
            { appId: config.GITHUB_APP_ID, privateKey: config.GITHUB_PRIVATE_KEY, baseUrl: config.GITHUB_API_URL },
            logger,
            sources.incidents.github,
          )
        : []),
      ...(jira
        ? jiraSyncJobs(
            jira,
            { host: config.JIRA_HOST, email: config.JIRA_EMAIL, apiToken: config.JIRA_API_TOKEN },
            sources.incidents.jira,
          )
        : []),
      ...(linear
        ? linearSyncJobs(
            linear,
            { apiKey: config.LINEAR_API_KEY, apiUrl: config.LINEAR_API_URL },
            sources.incidents.linear,
          )
        : []),
      ...(shortcut
        ? shortcutSyncJobs(
            shortcut,
            { token: config.SHORTCUT_API_TOKEN, apiUrl: config.SHORTCUT_API_URL },
            sources.incidents.shortcut,
          )
        : []),
      ...(confluence
        ? confluenceSyncJobs(confluence, {
            host: config.CONFLUENCE_HOST,
            email: config.CONFLUENCE_EMAIL,
            apiToken: config.CONFLUENCE_API_TOKEN,
          })
        : []),
    ],
    routes: await webhookRoutes(config, sources, db, logger),
  };
}

/** The webhook routes whose secret is set (and whose tracker sources.yml names); none when unset. */
async function webhookRoutes(
  config: Config,
  sources: Sources,
  db: Db,
  logger: Logger,
): Promise<Record<string, RouteHandler>> {
  const { github, jira, linear, shortcut } = sources;
  const routes: Record<string, RouteHandler> = {};
  if (config.GITHUB_WEBHOOK_SECRET && github)
    routes['POST /webhooks/github'] = (await import('../connectors/github/webhooks.js')).githubWebhookRoute({
      secret: config.GITHUB_WEBHOOK_SECRET,
      db,
      logger,
      environment: github.deployments.environment,
      repos: github.installations.flatMap((i) => i.repos),
      issues: github.issues,
      incidents: sources.incidents.github,
      workflow: github.deployments.workflow,
    });
  if (config.JIRA_WEBHOOK_SECRET && jira)
    routes['POST /webhooks/jira'] = (await import('../connectors/jira/webhooks.js')).jiraWebhookRoute({
      secret: config.JIRA_WEBHOOK_SECRET,
      db,
      logger,
      host: config.JIRA_HOST,
      projects: jira.projects,
      fields: jira.fields,
      incidents: sources.incidents.jira,
    });
  if (config.LINEAR_WEBHOOK_SECRET && linear)
    routes['POST /webhooks/linear'] = (await import('../connectors/linear/webhooks.js')).linearWebhookRoute({
      secret: config.LINEAR_WEBHOOK_SECRET,
      db,
      logger,
      teams: linear.teams,
      incidents: sources.incidents.linear,
    });
  if (config.SHORTCUT_WEBHOOK_SECRET && config.SHORTCUT_API_TOKEN && shortcut)
    routes['POST /webhooks/shortcut'] = (await import('../connectors/shortcut/webhooks.js')).shortcutWebhookRoute({
      secret: config.SHORTCUT_WEBHOOK_SECRET,
      token: config.SHORTCUT_API_TOKEN,
      apiUrl: config.SHORTCUT_API_URL,
      db,
      logger,
      teams: shortcut.teams,
      incidents: sources.incidents.shortcut,
    });
  return routes;
}

export const syncModule: CapabilityModule = {
  name: 'sync',
  async start(k) {
    const capability = await syncCapability(k.config, k.sources, k.db, k.logger);
    return {
      ...capability,
      // A sync that brought people never looked up links them to Slack right away.
      jobs: capability.jobs?.map((job) => (job.name.startsWith('sync:') ? linkAfterSync(job, k.slack) : job)),
      toolViews: syncToolViews,
      // A failing source does not make the bot unready (it still answers in Slack); /ready shows it all the same.
      readiness: async () => {
        const statuses = await listSyncStatus(k.db);
        return statuses.length
          ? { sources: Object.fromEntries(statuses.map((st) => [`${st.source}:${st.scope}`, scopeHealth(st)])) }
          : {};
      },
    };
  },
};
