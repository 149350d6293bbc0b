// npm run bench:events — the event bus against the NATS server (NATS_URL, default nats://127.0.0.1:4222), per engine:
//   1. ingest events/s through the product's path with the outbox off and on (what the triggers cost);
//   2. publish throughput: the outbox of BENCH_EVENTS events drained to JetStream (messages/s);
//   3. outbox lag while live: events arrive in batches of BENCH_LIVE_BATCH while the drain runs back to back; the
//      oldest waiting row's age (sampled after each batch) and the time from commit to JetStream delivery (a core
//      subscription on the stream's subjects, measured from each payload's ingestedAt).
// Prints figures; asserts nothing. A stream of its own per run, deleted at the end.
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { type EventBus, startEventBus } from '../../src/eventbus/service.js';
import { outboxBacklog, setEventBusEnabled } from '../../src/eventbus/store.js';
import { createLogger } from '../../src/observability/logger.js';
import type { Db } from '../../src/store/db.js';
import type { EventInput } from '../../src/sync/event.js';
import { insertEvents } from '../../src/sync/store.js';
import { onEachEngine } from './engines.js';

const N = Number(process.env.BENCH_EVENTS ?? 20_000);
const LIVE_BATCHES = Number(process.env.BENCH_LIVE_BATCHES ?? 200);
const LIVE_BATCH = Number(process.env.BENCH_LIVE_BATCH ?? 25);
const NATS = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const logger = createLogger('silent');

const eventsFrom = (tag: string, from: number, n: number): EventInput[] =>
  Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return {
      source: 'github',
      kind: 'pull_request.merged',
      externalId: `${tag}:acme/repo-${i % 200}#${i}`,
      occurredAt: new Date(Date.UTC(2026, 0, 1) + i * 1000),
      actor: `dev${i % 50}`,
      subject: `acme/repo-${i % 200}`,
      normalized: { number: i, additions: i % 500, deletions: i % 90 },
      raw: { id: i, title: `PR ${i}`, labels: [{ name: 'backend' }] },
    };
  });

async function ingestRate(db: Db, tag: string): Promise<number> {
  const events = eventsFrom(tag, 0, N);
  const started = performance.now();
  for (let i = 0; i < N; i += 1000) await insertEvents(db, events.slice(i, i + 1000));
  return N / ((performance.now() - started) / 1000);
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

async function bench(engine: string, db: Db): Promise<void> {
  const prefix = `bench${process.pid}${engine}`;
  const stream = prefix.toUpperCase();
  const nc = await connect({ servers: NATS });
  const jsm = await jetstreamManager(nc);
  try {
    await setEventBusEnabled(db, false);
    await insertEvents(db, eventsFrom('warm-up', 0, 2000));
    const off = await ingestRate(db, 'off');
    const bus = (await startEventBus(db, logger, { url: NATS, stream, subjectPrefix: prefix })) as EventBus;
    const on = await ingestRate(db, 'on');
    console.log(
      `${engine.padEnd(9)} ingest ${Math.round(off)} events/s with the outbox off, ${Math.round(on)} with it on ` +
        `(${Math.round((1 - on / off) * 100)}% slower)`,
    );

    const drainStarted = performance.now();
    const drained = await bus.drain();
    const drainSeconds = (performance.now() - drainStarted) / 1000;
    const stored = (await jsm.streams.info(stream)).state.messages;
    console.log(
      `${engine.padEnd(9)} publish ${drained.published} outbox rows in ${drainSeconds.toFixed(2)} s: ` +
        `${Math.round(drained.published / drainSeconds)} messages/s acknowledged (${stored} on the stream)`,
    );

    // Live: batches arrive while the drain runs back to back.
    const latencies: number[] = [];
    const sub = nc.subscribe(`${prefix}.events.>`, {
      callback: (_err, msg) => {
        const at = Date.parse((msg.json() as { ingestedAt: string }).ingestedAt);
        latencies.push(Date.now() - at);
      },
    });
    let producing = true;
    const lags: number[] = [];
    const drainer = (async () => {
      while (producing || (await outboxBacklog(db)).pending > 0) await bus.drain();
    })();
    const liveStarted = performance.now();
    for (let b = 0; b < LIVE_BATCHES; b++) {
      await insertEvents(db, eventsFrom('live', b * LIVE_BATCH, LIVE_BATCH));
      lags.push((await outboxBacklog(db)).lagSeconds * 1000);
    }
    producing = false;
    await drainer;
    const liveSeconds = (performance.now() - liveStarted) / 1000;
    const expected = LIVE_BATCHES * LIVE_BATCH;
    while (latencies.length < expected) await new Promise((r) => setTimeout(r, 50));
    sub.unsubscribe();
    lags.sort((a, b) => a - b);
    latencies.sort((a, b) => a - b);
    console.log(
      `${engine.padEnd(9)} live: ${expected} events in ${LIVE_BATCHES} batches over ${liveSeconds.toFixed(1)} s ` +
        `(${Math.round(expected / liveSeconds)}/s); outbox lag p50 ${Math.round(pct(lags, 0.5))} ms, max ` +
        `${Math.round(lags.at(-1) ?? 0)} ms; commit → JetStream delivery p50 ${pct(latencies, 0.5)} ms, p99 ` +
        `${pct(latencies, 0.99)} ms, max ${latencies.at(-1)} ms`,
    );
    await bus.close();
  } finally {
    await jsm.streams.delete(stream).catch(() => undefined);
    await nc.drain();
  }
}

console.log(`event bus: ${N} events per ingest run, NATS at ${NATS}`);
await onEachEngine('events', bench);
