// npm run bench:slack — 50 concurrent /em commands through the Slack emulator's real WebSocket, several rounds.
// Prints ack latency p50/p99 (time from envelope sent to ack received; a missed deadline counts as 3 s) and its
// ratio to Slack's 3 s deadline, with Slack's rate limits on; then the same under load (slack-load.ts).
import { startBotHarness } from '../../test/support/slack/harness.js';
import { benchUnderLoad, DEADLINE_MS, quantile } from './slack-load.js';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);

const h = await startBotHarness({ emulator: { rateLimits: true } });
try {
  const texts = ['help', 'stnadup', 'triage', 'dora 12w', 'standup 48', 'ask how do we deploy?'];
  // Warm-up: first queries compile plans and JIT the listeners.
  await Promise.all(texts.map((text) => h.emulator.command({ user: h.users.alice, channel: h.channels.eng, text })));

  const latencies: number[] = [];
  let missed = 0;
  const started = Date.now();
  for (let round = 0; round < ROUNDS; round += 1) {
    const deliveries = await Promise.all(
      Array.from({ length: CONCURRENCY }, (_, i) =>
        h.emulator.command({
          user: i % 2 ? h.users.alice : h.users.bob,
          channel: h.channels.eng,
          text: texts[i % texts.length] as string,
        }),
      ),
    );
    for (const d of deliveries) {
      if (d.acked && d.attempts === 1 && d.ackLatencyMs !== undefined && d.ackLatencyMs <= DEADLINE_MS)
        latencies.push(d.ackLatencyMs);
      else {
        missed += 1;
        latencies.push(DEADLINE_MS);
      }
    }
  }
  const seconds = (Date.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const p50 = quantile(latencies, 0.5);
  const p99 = quantile(latencies, 0.99);
  console.log(
    `bench:slack — ${ROUNDS} rounds of ${CONCURRENCY} concurrent /em commands over Socket Mode (embedded store, idle otherwise)`,
  );
  console.log(`ack latency p50 ${p50} ms | p99 ${p99} ms | max ${latencies.at(-1)} ms (goal p99 < 50 ms)`);
  console.log(
    `p99 / Slack's 3 s deadline = ${(p99 / DEADLINE_MS).toFixed(4)} | missed deadlines ${missed} | ${(latencies.length / seconds).toFixed(0)} commands/s`,
  );
} finally {
  await h.stop();
}
if (process.env.BENCH_LOAD !== '0') await benchUnderLoad();
