// npm run bench:otel — what tracing costs on `/em help`'s ack: the same commands through the Slack emulator's real
// WebSocket with tracing off (no SDK) and on (spans exported over OTLP/HTTP to an in-process receiver), in
// alternating phases so that drift in the machine's load falls on both alike.
import { startTracing, type Tracing } from '../../src/observability/tracing.js';
import { OtlpReceiver } from '../../test/support/otlp-receiver.js';
import { startBotHarness } from '../../test/support/slack/harness.js';
import { quantile } from './slack-load.js';

const PER_PHASE = Number(process.env.BENCH_COMMANDS ?? 200);
const PHASES = Number(process.env.BENCH_PHASES ?? 6);

const receiver = await new OtlpReceiver().start();
process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.endpoint;
const h = await startBotHarness();
const acks: Record<'off' | 'on', number[]> = { off: [], on: [] };
let tracing: Tracing | undefined;
try {
  const send = () => h.emulator.command({ user: h.users.alice, channel: h.channels.eng, text: 'help' });
  for (let i = 0; i < 20; i += 1) await send(); // warm-up
  for (let phase = 0; phase < PHASES; phase += 1) {
    const mode = phase % 2 ? 'on' : 'off';
    if (mode === 'on') tracing = await startTracing();
    for (let i = 0; i < PER_PHASE; i += 1) {
      const delivery = await send();
      if (delivery.ackLatencyMs !== undefined) acks[mode].push(delivery.ackLatencyMs);
    }
    await tracing?.shutdown();
    tracing = undefined;
  }
} finally {
  await tracing?.shutdown();
  await h.stop();
  await receiver.stop();
}

const handlerSpans = receiver.spans.filter((s) => s.name === 'slack command /em').length;
console.log(`bench:otel — ${PHASES} alternating phases of ${PER_PHASE} sequential /em help (embedded store)`);
for (const mode of ['off', 'on'] as const) {
  const sorted = [...acks[mode]].sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  console.log(
    `tracing ${mode.padEnd(3)}: ${sorted.length} acks | mean ${mean.toFixed(1)} ms | p50 ${quantile(sorted, 0.5)} ms | p99 ${quantile(sorted, 0.99)} ms | max ${sorted.at(-1)} ms`,
  );
}
console.log(`handler spans received while on: ${handlerSpans} (expected ${(PHASES / 2) * PER_PHASE})`);
