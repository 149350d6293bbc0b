import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteHandler } from '../../observability/http.js';
import type { Logger } from '../../observability/logger.js';
import type { Db } from '../../store/db.js';
import type { IncidentMatch } from '../../sync/sources.js';
import { readBody, recordDeletion } from '../../sync/webhooks.js';
import { deriveTrackerIncidents } from '../../sync/work-items-store.js';
import { createShortcutClient, ShortcutError, withShortcutRetry } from './client.js';
import { storyKey } from './normalize.js';
import { historySchema, storySchema } from './schemas.js';
import { storedUpdates, storeStory } from './store.js';
import { loadWorkspace, type ShortcutWorkspace, storyHistory } from './sync.js';

/** Teams, workflow states and members change rarely: read again after this long (or on an unknown state). */
const WORKSPACE_TTL_MS = 10 * 60_000;

/** Shortcut signs a delivery with the webhook's secret: `Payload-Signature` is the hex HMAC-SHA256 of the body. */
/**
 * Shortcut waits on the answer to a delivery: a rate limit is not waited out here (one retry, no Retry-After past
 * 2 s); the delivery fails and polling picks the change up.
 */
const WEBHOOK_RETRY = { retries: 1, minTimeoutMs: 500, maxWaitSeconds: 2 };

export function validShortcutSignature(secret: string, body: Buffer, signature: string | undefined): boolean {
  if (!signature || !/^[0-9a-f]{64}$/i.test(signature)) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}

/**
 * Shortcut's outgoing webhook, for installations with a public URL. A delivery is a history entry (what changed,
 * not the whole story), so each story it names is read again, with its history, and stored exactly as polling
 * stores it: a late or repeated delivery never overwrites newer state (the stored row keeps the newest
 * `updated_at`, changes and events are deduplicated by id). Stories of teams sources.yml does not name are ignored.
 */
export function shortcutWebhookRoute(options: {
  secret: string;
  token: string;
  apiUrl?: string;
  db: Db;
  logger: Logger;
  teams: string[];
  incidents?: IncidentMatch;
}): RouteHandler {
  const { db, logger } = options;
  const client = createShortcutClient({ token: options.token, apiUrl: options.apiUrl });
  let workspace: { at: number; ws: Promise<ShortcutWorkspace> } | undefined;
  const loadWs = (fresh = false) => {
    if (fresh || !workspace || Date.now() - workspace.at > WORKSPACE_TTL_MS) {
      const ws = loadWorkspace(client, logger, options.teams);
      workspace = { at: Date.now(), ws };
      ws.catch(() => {
        workspace = undefined;
      });
    }
    return workspace.ws;
  };

  return async (req: IncomingMessage, res: ServerResponse) => {
    const reply = (status: number, text: string) => {
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(text);
    };
    const body = await readBody(req);
    if (body === undefined) return reply(413, 'payload too large');
    const signature = req.headers['payload-signature'];
    if (!validShortcutSignature(options.secret, body, typeof signature === 'string' ? signature : undefined))
      return reply(401, 'signature does not match');
    let entry: ReturnType<typeof historySchema.parse>;
    try {
      const parsed = historySchema.safeParse(JSON.parse(body.toString('utf8')));
      if (!parsed.success) return reply(400, 'not a Shortcut webhook delivery');
      entry = parsed.data;
    } catch {
      return reply(400, 'body is not JSON');
    }
    const ids = [...new Set(entry.actions.filter((a) => a.entity_type === 'story').map((a) => Number(a.id)))].filter(
      (id) => Number.isInteger(id) && id > 0,
    );
    try {
      let stored = 0;
      let ignored = 0;
      for (const id of ids) {
        const raw = await withShortcutRetry(`story ${id}`, () => client.getStory(id), logger, WEBHOOK_RETRY).catch(
          (err) => {
            // Deleted since: nothing to store.
            if (err instanceof ShortcutError && err.status === 404) return null;
            throw err;
          },
        );
        if (raw === null) {
          // Deleted: the stored story goes (until 2026-12-08 it stayed, open, for good), and a late update of it
          // is ignored as a Jira or Linear one is.
          const key = storyKey(id);
          if ((await storedUpdates(db, [key])).has(key)) {
            await db.transaction((tx) => recordDeletion(tx, 'shortcut', key, entry.changed_at, entry));
            stored += 1;
          }
          continue;
        }
        const story = storySchema.safeParse(raw);
        if (!story.success) {
          logger.warn({ id, problem: story.error.issues[0]?.message }, 'malformed Shortcut story in webhook skipped');
          continue;
        }
        let ws = await loadWs();
        if (!ws.states.has(story.data.workflow_state_id)) ws = await loadWs(true);
        if (!story.data.group_id || !ws.teams.has(story.data.group_id)) {
          ignored += 1;
          continue;
        }
        const history = await storyHistory(client, logger, id, undefined, WEBHOOK_RETRY);
        const entries = history.entries.some((h) => h.id === entry.id) ? history.entries : [...history.entries, entry];
        await db.transaction((tx) => storeStory(tx, ws, story.data, raw, entries));
        stored += 1;
      }
      if (stored && options.incidents) await deriveTrackerIncidents(db, 'shortcut', options.incidents);
      if (ignored && !stored) {
        logger.info({ delivery: entry.id }, 'Shortcut webhook for a team sources.yml does not name: ignored');
        return reply(202, 'ignored: team not in sources.yml');
      }
      reply(200, 'ok');
    } catch (err) {
      logger.error({ delivery: entry.id, error: (err as Error).message }, 'Shortcut webhook failed');
      reply(500, 'failed; polling will pick the change up');
    }
  };
}
