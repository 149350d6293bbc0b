// The event bus against the real nats-server (127.0.0.1:4222, JetStream), on both engines: every stored event,
// signal opened/resolved and approval status reaches the stream once, nothing is lost while NATS is unreachable,
// the outbox catches up afterwards, and a re-publish (two drains racing) is deduplicated by Nats-Msg-Id.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { claimForExecution, decideProposal, insertApproval, markExecuted } from '../../src/approvals/store.js';
import { EventBus, startEventBus } from '../../src/eventbus/service.js';
import { eventBusInstallId } from '../../src/eventbus/store.js';
import { createLogger } from '../../src/observability/logger.js';
import { ruleSchema } from '../../src/signals/rules.js';
import { reconcileSignals } from '../../src/signals/store.js';
import type { Db } from '../../src/store/db.js';
import type { EventInput } from '../../src/sync/event.js';
import { insertEvents } from '../../src/sync/store.js';
import { describeEachEngine } from '../support/engines.js';

const NATS = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
// Decided by test/support/global-setup.cjs; without a NATS server the tests that need one are skipped loudly.
const natsUp = process.env.EM_TEST_NATS !== 'down';
const withNats = natsUp ? it : it.skip;
if (!natsUp) console.warn(`!!! SKIPPED: event bus tests that publish — no NATS at ${NATS} !!!`);
const logger = createLogger('silent');
// One stream and subject prefix per file and run, so parallel runs never share messages.
const RUN = `t${process.pid}x${Date.now().toString(36)}`;

/** A loopback port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const events = (source: string, kind: string, n: number, from = 0): EventInput[] =>
  Array.from({ length: n }, (_, i) => ({
    source,
    kind,
    externalId: `${kind}-${from + i}`,
    occurredAt: new Date(Date.UTC(2026, 11, 1, 10, from + i)),
    actor: 'octocat',
    subject: `acme/api#${from + i}`,
    normalized: { number: from + i },
  }));

async function outboxCount(db: Db): Promise<number> {
  const { rows } = await db.query<{ n: string | number }>('SELECT count(*) AS n FROM event_outbox');
  return Number(rows[0]?.n);
}

let nc: NatsConnection;
const streams: string[] = [];
beforeAll(async () => {
  if (natsUp) nc = await connect({ servers: NATS });
});
afterAll(async () => {
  if (!natsUp) return;
  const jsm = await jetstreamManager(nc);
  for (const stream of streams) await jsm.streams.delete(stream).catch(() => undefined);
  await nc.drain();
});

/** The JSON Schemas docs/events.md documents, by title. */
function documentedSchemas(): Map<string, object> {
  const doc = readFileSync(new URL('../../docs/events.md', import.meta.url), 'utf8');
  const schemas = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1] ?? '{}'));
  return new Map(schemas.map((s) => [s.title as string, s]));
}

async function streamState(stream: string): Promise<{ messages: number; subjects: Record<string, number> }> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(stream, { subjects_filter: '>' }).catch(() => undefined);
  return { messages: info?.state.messages ?? 0, subjects: info?.state.subjects ?? {} };
}

describeEachEngine('event bus outbox', ({ engine, freshDb }) => {
  const prefix = `${RUN}${engine}`;
  const stream = prefix.toUpperCase();
  streams.push(stream);
  const settings = { url: NATS, stream, subjectPrefix: prefix, batchSize: 4, timeoutMs: 3000 };

  it('writes nothing to the outbox when NATS_URL is unset', async () => {
    const db = await freshDb();
    expect(await startEventBus(db, logger, { ...settings, url: undefined })).toBeUndefined();
    await insertEvents(db, events('github', 'pull_request', 3));
    expect(await outboxCount(db)).toBe(0);
  });

  withNats('publishes every change once, keeps everything while NATS is unreachable and catches up after', async () => {
    const db = await freshDb();
    const bus = (await startEventBus(db, logger, settings)) as EventBus;
    // 6 pull requests and 4 Jira issues, stored again (a re-sync): 10 events, 10 outbox rows.
    await insertEvents(db, [...events('github', 'pull_request', 6), ...events('jira', 'issue.updated', 4)]);
    await insertEvents(db, events('github', 'pull_request', 6));
    // Two signals open, then one resolves: 3 rows.
    const rule = ruleSchema.parse({ name: 'stale48h', kind: 'stale_pr', older_than_hours: 48 });
    const finding = (subject: string) => ({ subject, title: `stale ${subject}`, evidence: {}, target: {} });
    await reconcileSignals(db, rule, [finding('acme/api#1'), finding('acme/api#2')]);
    await reconcileSignals(db, rule, [finding('acme/api#1')]);
    // One approval proposed, approved, claimed (no status change) and executed: 3 rows.
    const approval = await insertApproval(db, {
      idempotencyKey: 'k1',
      action: 'github.comment',
      params: {},
      summary: 'comment on acme/api#1',
      evidence: {},
      mode: 'approve',
      policy: 'default.yml:pr-comments',
      requestedBy: 'rule:stale48h',
      approvers: ['U1'],
      minApprovals: 1,
      allowSelfApproval: false,
      expiresAt: null,
    });
    await decideProposal(db, approval?.id as number, 'approved', 'U1', null);
    await claimForExecution(db, approval?.id);
    await markExecuted(db, approval?.id as number, {});
    // 10 + 3 + 3 = 16
    expect(await outboxCount(db)).toBe(16);

    // NATS unreachable (a closed port): nothing is published, nothing is lost.
    const down = new EventBus({ db, logger, settings: { ...settings, url: `nats://127.0.0.1:${await closedPort()}` } });
    const failed = await down.drain();
    expect(failed.published).toBe(0);
    expect(failed.error).toBeTruthy();
    expect(await outboxCount(db)).toBe(16);
    await down.close();
    // More arrives meanwhile: 2 more pull requests → 18.
    await insertEvents(db, events('github', 'pull_request', 2, 6));
    expect(await outboxCount(db)).toBe(18);

    // Stopped mid-way: one batch of 4 published, 14 wait.
    expect((await bus.drain({ maxBatches: 1 })).published).toBe(4);
    expect(await outboxCount(db)).toBe(14);
    expect((await streamState(stream)).messages).toBe(4);

    // Two replicas drain at once (a lapsed job lock): both may publish a row, JetStream keeps one per message id.
    const other = new EventBus({ db, logger, settings });
    await Promise.all([bus.drain(), other.drain()]);
    expect(await outboxCount(db)).toBe(0);
    const state = await streamState(stream);
    expect(state.messages).toBe(18);
    expect(state.subjects).toEqual({
      [`${prefix}.events.github.pull_request`]: 8,
      [`${prefix}.events.jira.issue_updated`]: 4,
      [`${prefix}.signals.opened`]: 2,
      [`${prefix}.signals.resolved`]: 1,
      [`${prefix}.approvals.proposed`]: 1,
      [`${prefix}.approvals.approved`]: 1,
      [`${prefix}.approvals.executed`]: 1,
    });

    // Every subject's last message matches the JSON Schema docs/events.md documents for it.
    const ajv = new Ajv2020({ strict: false });
    formats.default(ajv);
    const schemas = documentedSchemas();
    const jsmForSchemas = await jetstreamManager(nc);
    for (const subject of Object.keys(state.subjects)) {
      const title = subject.includes('.events.')
        ? 'em-agent event'
        : subject.includes('.signals.')
          ? 'em-agent signal'
          : 'em-agent approval';
      const message = await jsmForSchemas.streams.getMessage(stream, { last_by_subj: subject });
      const validate = ajv.compile(schemas.get(title) ?? {});
      expect({ subject, valid: validate(message?.json()), errors: validate.errors ?? null }).toEqual({
        subject,
        valid: true,
        errors: null,
      });
    }

    // The payload and the message id of one of them.
    const jsm = await jetstreamManager(nc);
    const resolved = await jsm.streams.getMessage(stream, { last_by_subj: `${prefix}.signals.resolved` });
    expect(resolved?.json()).toMatchObject({
      type: 'signal',
      state: 'resolved',
      rule: 'stale48h',
      subject: 'acme/api#2',
    });
    expect(resolved?.header.get('Nats-Msg-Id')).toMatch(new RegExp(`^${await eventBusInstallId(db)}-\\d+$`));

    // A drain that published a row but lost its DELETE (a crash, a dropped connection) publishes it again: the same
    // message id within the duplicate window, so JetStream acknowledges it as a duplicate and stores nothing.
    const { rows } = await db.query<{ id: string | number }>(
      `INSERT INTO event_outbox (id, subject, payload) OVERRIDING SYSTEM VALUE
       VALUES (1, 'events.github.pull_request', '{"type": "event"}') RETURNING id`,
    );
    expect(Number(rows[0]?.id)).toBe(1);
    expect(await bus.drain()).toEqual({ published: 1, duplicates: 1 });
    expect((await streamState(stream)).messages).toBe(18);
    await Promise.all([bus.close(), other.close()]);
  });
});
