import type { Config } from '../config.js';
import type { Logger } from '../observability/logger.js';
import type { Sources } from '../sync/sources.js';
import type { ExecutorClients } from './executors.js';

/** Clients for the executors, created on first use from the same credentials the connectors use. */
export function executorClients(config: Config, sources: Sources, logger: Logger): ExecutorClients {
  const clients: ExecutorClients = {};
  const { GITHUB_APP_ID: appId, GITHUB_PRIVATE_KEY: privateKey } = config;
  if (appId && privateKey && sources.github) {
    const installations = sources.github.installations;
    let app:
      | Promise<Awaited<ReturnType<typeof import('../connectors/github/client.js')['createGitHubApp']>>>
      | undefined;
    clients.github = async (repo) => {
      const installation = installations.find((i) => i.repos.includes(repo));
      if (!installation) throw new Error(`${repo} is not in any installation in sources.yml`);
      app ??= import('../connectors/github/client.js').then(({ createGitHubApp }) =>
        createGitHubApp({ appId, privateKey, baseUrl: config.GITHUB_API_URL, logger }),
      );
      return (await app).getInstallationOctokit(installation.id);
    };
  }
  const { JIRA_HOST: host, JIRA_EMAIL: email, JIRA_API_TOKEN: apiToken } = config;
  if (host && email && apiToken) {
    clients.jira = async () =>
      (await import('../connectors/jira/client.js')).createJiraClients({ host, email, apiToken });
  }
  const apiKey = config.LINEAR_API_KEY;
  if (apiKey) {
    clients.linear = async () =>
      (await import('../connectors/linear/client.js')).createLinearClient({ apiKey, apiUrl: config.LINEAR_API_URL });
  }
  return clients;
}
