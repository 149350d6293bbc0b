import { AgileClient, Version3Client } from 'jira.js';
import { sourceApiCalls } from '../../observability/metrics.js';
import { statusOf } from '../atlassian/retry.js';

export interface JiraCredentials {
  host: string;
  email: string;
  apiToken: string;
}

export interface JiraClients {
  host: string;
  issues: Version3Client;
  agile: AgileClient;
}

export function createJiraClients(credentials: JiraCredentials): JiraClients {
  const config = {
    host: credentials.host,
    authentication: { basic: { email: credentials.email, apiToken: credentials.apiToken } },
    middlewares: {
      onResponse: () => sourceApiCalls.inc({ source: 'jira', status: '200' }),
      onError: (error: unknown) => sourceApiCalls.inc({ source: 'jira', status: String(statusOf(error) ?? 'network') }),
    },
  };
  return { host: credentials.host, issues: new Version3Client(config), agile: new AgileClient(config) };
}
