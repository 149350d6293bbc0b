import { z } from 'zod';
import type { RouteHandler } from '../../observability/http.js';
import type { Logger } from '../../observability/logger.js';
import type { Db } from '../../store/db.js';
import { rejectionReason } from '../../sync/rejection.js';
import type { IncidentMatch } from '../../sync/sources.js';
import {
  deletedSince,
  hmacSha256Hex,
  recordDeletion,
  signatureMatches,
  signedWebhookRoute,
  type WebhookOutcome,
} from '../../sync/webhooks.js';
import { deriveTrackerIncidents } from '../../sync/work-items-store.js';
import { type JiraFieldIds, previousKeys } from './normalize.js';
import { type JiraHistory, jiraHistorySchema, jiraIssueSchema } from './schemas.js';
import { storeJiraIssue } from './store.js';

const ISSUE_EVENTS = new Set(['jira:issue_created', 'jira:issue_updated', 'jira:issue_deleted']);

// The envelope of an issue event (Jira Cloud "Webhooks": timestamp in ms, the acting user, the issue as the REST
// API returns it, and for updates the one history entry the change made, without its author and time).
const envelopeSchema = z.object({
  timestamp: z.number(),
  webhookEvent: z.string(),
  user: z.object({ accountId: z.string() }).passthrough().nullish(),
  issue: z.unknown(),
  changelog: z.object({ id: z.string(), items: jiraHistorySchema.shape.items }).nullish(),
});

/**
 * Jira Cloud webhooks (admin-registered, with a secret): `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the raw
 * body>`. Issue created, updated and deleted events go through the poller's normalization; projects sources.yml
 * does not name are acknowledged and ignored.
 */
export function jiraWebhookRoute(options: {
  secret: string;
  db: Db;
  logger: Logger;
  /** JIRA_HOST, for the issues' links (as the poller makes them); else the site the delivery names. */
  host?: string;
  projects: string[];
  fields: JiraFieldIds;
  incidents?: IncidentMatch;
}): RouteHandler {
  const { db, logger } = options;
  const projects = new Set(options.projects);
  return signedWebhookRoute({
    source: 'jira',
    logger,
    verify: (body, headers) => {
      const header = String(headers['x-hub-signature'] ?? '');
      const [method, signature] = header.split('=', 2);
      if (method !== 'sha256' || !signature) return 'X-Hub-Signature missing or not sha256';
      return signatureMatches(signature, hmacSha256Hex(options.secret, body)) ? null : 'signature does not match';
    },
    handle: async (payload): Promise<WebhookOutcome> => {
      const envelope = envelopeSchema.safeParse(payload);
      if (!envelope.success) return { ignored: 'not a Jira issue event' };
      const { webhookEvent, timestamp, user, changelog } = envelope.data;
      if (!ISSUE_EVENTS.has(webhookEvent)) return { ignored: `event ${webhookEvent} is not used` };
      const parsed = jiraIssueSchema.safeParse(envelope.data.issue);
      if (!parsed.success) {
        const reason = rejectionReason((envelope.data.issue as { key?: unknown })?.key, parsed.error);
        logger.warn({ reason }, 'malformed Jira issue in a webhook skipped');
        return { ignored: `malformed issue (${reason})` };
      }
      const issue = parsed.data;
      const at = new Date(timestamp).toISOString();
      if (!projects.has(issue.fields.project.key)) {
        // Moved out of a project sources.yml names: the key it had there goes.
        const left = changelog
          ? previousKeys(issue, [{ ...changelog, created: at, author: null }]).filter((m) =>
              projects.has(m.key.split('-')[0] as string),
            )
          : [];
        if (!left.length) return { ignored: `project ${issue.fields.project.key} is not in sources.yml` };
        await db.transaction(async (tx) => {
          for (const moved of left) await recordDeletion(tx, 'jira', moved.key, moved.at, { movedTo: issue.key });
          if (options.incidents) await deriveTrackerIncidents(tx, 'jira', options.incidents);
        });
        return { stored: true };
      }
      const host = options.host ?? siteOf(envelope.data.issue);
      await db.transaction(async (tx) => {
        if (webhookEvent === 'jira:issue_deleted') return recordDeletion(tx, 'jira', issue.key, at, payload);
        if (await deletedSince(tx, 'jira', issue.key, issue.fields.updated)) return;
        // The entry this change made has the id the issue's changelog gives it, so polling later stores it once.
        const histories: JiraHistory[] = changelog
          ? [{ ...changelog, created: at, author: user ? { accountId: user.accountId } : null }]
          : [];
        await storeJiraIssue(tx, host, issue, histories, options.fields, envelope.data.issue);
        if (options.incidents) await deriveTrackerIncidents(tx, 'jira', options.incidents);
      });
      return { stored: true };
    },
  });
}

/** `https://acme.atlassian.net` from the issue's `self` link. */
function siteOf(issue: unknown): string {
  const self = (issue as { self?: unknown })?.self;
  try {
    return typeof self === 'string' ? new URL(self).origin : '';
  } catch {
    return '';
  }
}
