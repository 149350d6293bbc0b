import { LinearWebhookClient } from '@linear/sdk/webhooks';
import { z } from 'zod';
import type { RouteHandler } from '../../observability/http.js';
import type { Logger } from '../../observability/logger.js';
import type { Db } from '../../store/db.js';
import { rejectionReason } from '../../sync/rejection.js';
import type { IncidentMatch } from '../../sync/sources.js';
import { deletedSince, recordDeletion, signedWebhookRoute, type WebhookOutcome } from '../../sync/webhooks.js';
import { deriveTrackerIncidents } from '../../sync/work-items-store.js';
import { linearIssueFieldsSchema } from './schemas.js';
import { removePreviousIdentifiers, storeLinearIssue } from './store.js';

// The envelope of a data-change webhook (Linear "Webhooks"): action create | update | remove, the entity's type,
// its data as the API's model serializes it, the time of the action and of the delivery (ms).
const envelopeSchema = z.object({
  action: z.string(),
  type: z.string(),
  createdAt: z.string().optional(),
  data: z.unknown(),
  webhookTimestamp: z.number(),
});

// Webhook data holds labels as a plain list and relations as small objects; the poller's query reads labels as a
// connection. Adapted here so both go through one schema.
const webhookIssueSchema = z.preprocess((data) => {
  if (!data || typeof data !== 'object') return data;
  const d = data as Record<string, unknown>;
  return Array.isArray(d.labels) ? { ...d, labels: { nodes: d.labels } } : { ...d, labels: { nodes: [] } };
}, linearIssueFieldsSchema);

/**
 * Linear webhooks: `Linear-Signature` is the hex HMAC-SHA256 of the raw body with the webhook's secret, and a
 * delivery whose `webhookTimestamp` is more than 60 s from now is refused. Issue create, update and remove go
 * through the poller's normalization; teams sources.yml does not name are acknowledged and ignored.
 */
export function linearWebhookRoute(options: {
  secret: string;
  db: Db;
  logger: Logger;
  teams: string[];
  incidents?: IncidentMatch;
}): RouteHandler {
  const { db, logger } = options;
  const teams = new Set(options.teams);
  // Linear's own verifier (@linear/sdk): the signature in constant time, then the signed body's webhookTimestamp
  // within 60 s of now.
  const verifier = new LinearWebhookClient(options.secret);
  return signedWebhookRoute({
    source: 'linear',
    logger,
    verify: (body, headers) => {
      try {
        verifier.verify(body, String(headers['linear-signature'] ?? ''));
        return null;
      } catch (err) {
        return /timestamp/i.test((err as Error).message)
          ? 'webhookTimestamp missing or more than 60 s from now (a replay?)'
          : 'signature does not match';
      }
    },
    handle: async (payload): Promise<WebhookOutcome> => {
      const envelope = envelopeSchema.safeParse(payload);
      if (!envelope.success) return { ignored: 'not a Linear data-change event' };
      const { action, type, data } = envelope.data;
      if (type !== 'Issue') return { ignored: `${type} events are not used` };
      if (!['create', 'update', 'remove'].includes(action)) return { ignored: `action ${action} is not used` };
      const parsed = webhookIssueSchema.safeParse(data);
      if (!parsed.success) {
        const reason = rejectionReason((data as { identifier?: unknown })?.identifier, parsed.error);
        logger.warn({ reason }, 'malformed Linear issue in a webhook skipped');
        return { ignored: `malformed issue (${reason})` };
      }
      const issue = parsed.data;
      if (!teams.has(issue.team.key)) {
        // Moved out of a team sources.yml names: the identifier it had there goes.
        const left = (issue.previousIdentifiers ?? []).filter((p) => teams.has(p.split('-')[0] as string));
        if (action === 'remove' || !left.length) return { ignored: `team ${issue.team.key} is not in sources.yml` };
        await db.transaction(async (tx) => {
          await removePreviousIdentifiers(tx, issue, teams);
          if (options.incidents) await deriveTrackerIncidents(tx, 'linear', options.incidents);
        });
        return { stored: true };
      }
      await db.transaction(async (tx) => {
        if (action === 'remove') {
          const at = envelope.data.createdAt ?? new Date(envelope.data.webhookTimestamp).toISOString();
          return recordDeletion(tx, 'linear', issue.identifier, at, payload);
        }
        if (await deletedSince(tx, 'linear', issue.identifier, issue.updatedAt)) return;
        // Webhooks carry no IssueHistory entries (their ids are what makes history stored once): polling adds them;
        // nor, always, the assignee's e-mail: an account is linked to a person by polling then.
        await storeLinearIssue(tx, issue, [], data, false);
        if (options.incidents) await deriveTrackerIncidents(tx, 'linear', options.incidents);
      });
      return { stored: true };
    },
  });
}
