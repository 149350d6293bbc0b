import { z } from 'zod';
import { defineTool, timestamp } from '../capabilities/tool.js';
import { shownSourceError } from './source-errors.js';
import { listSyncStatus } from './status-store.js';

export const sourcesStatusOutput = z.object({
  configured: z.array(z.string()),
  scopes: z.array(
    z.object({
      source: z.string(),
      scope: z.string(),
      lastRunAt: timestamp.nullable(),
      lastSuccessAt: timestamp.nullable(),
      lastError: z.string().nullable(),
      consecutiveFailures: z.number(),
      rateLimitRemaining: z.number().nullable(),
      recordsRejected: z.number(),
      lastSkip: z.string().nullable(),
    }),
  ),
});

export function sourcesStatusTool(configured: string[]) {
  return defineTool({
    name: 'sources.status',
    description:
      'The sync state of each configured source scope (GitHub repositories, Jira projects, Linear teams, Confluence ' +
      'spaces): last run and success, the last error in plain words, rate limit left, records rejected.',
    kind: 'read',
    input: z.object({}),
    output: sourcesStatusOutput,
    // A vendor's own error text may carry credentials or a private scope's name: only plain reasons are shown here
    // (the operator reads the text in the log and in /ready).
    run: async (ctx) => ({
      configured,
      scopes: (await listSyncStatus(ctx.db)).map((s) => ({ ...s, lastError: shownSourceError(s.lastError) })),
    }),
  });
}
