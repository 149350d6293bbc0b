import { ConfluenceClient } from 'confluence.js';
import { sourceApiCalls } from '../../observability/metrics.js';
import { statusOf } from '../atlassian/retry.js';

export interface ConfluenceCredentials {
  host: string;
  email: string;
  apiToken: string;
}

export function createConfluenceClient(credentials: ConfluenceCredentials): ConfluenceClient {
  return new ConfluenceClient({
    host: credentials.host,
    authentication: { basic: { email: credentials.email, apiToken: credentials.apiToken } },
    // confluence.js checks that middlewares return nothing.
    middlewares: {
      onResponse: () => {
        sourceApiCalls.inc({ source: 'confluence', status: '200' });
      },
      onError: (error: unknown) => {
        sourceApiCalls.inc({ source: 'confluence', status: String(statusOf(error) ?? 'network') });
      },
    },
  });
}
