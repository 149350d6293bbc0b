import path from 'node:path';
import { createLogger } from '../../src/observability/logger.js';
import { SignalEngine } from '../../src/signals/engine.js';
import { RuleBook } from '../../src/signals/rulebook.js';
import type { Db } from '../../src/store/db.js';
import { onEachEngine } from './engines.js';
import { seedOrg } from './org.js';

const PRS = Number(process.env.BENCH_PRS ?? 20_000);
const TICKETS = Number(process.env.BENCH_TICKETS ?? 50_000);
const logger = createLogger('silent');

async function bench(engine: string, db: Db) {
  const seeded = Date.now();
  await seedOrg(db, { prs: PRS, tickets: TICKETS });
  const engineRun = new SignalEngine({ db, logger, rules: new RuleBook(path.resolve('rules')) });
  const runs: number[] = [];
  let results: Awaited<ReturnType<SignalEngine['evaluate']>> = [];
  for (let i = 0; i < 3; i += 1) {
    const started = Date.now();
    results = await engineRun.evaluate({ all: true });
    runs.push(Date.now() - started);
  }
  const failed = results.filter((r) => r.error);
  const open = results.reduce((n, r) => n + r.findings, 0);
  console.log(
    `${engine.padEnd(9)} ${results.length} rules over ${PRS.toLocaleString('en-US')} PRs and ${TICKETS.toLocaleString('en-US')} tickets (seeded in ${((Date.now() - seeded - runs.reduce((a, b) => a + b, 0)) / 1000).toFixed(1)} s): ` +
      `first evaluation ${(runs[0]! / 1000).toFixed(2)} s (opens ${open.toLocaleString('en-US')} signals), then ${(runs[1]! / 1000).toFixed(2)} s and ${(runs[2]! / 1000).toFixed(2)} s (goal < 2 s on PostgreSQL)${failed.length ? ` — FAILED: ${failed.map((f) => f.rule).join(', ')}` : ''}`,
  );
  const slowest = [...results].sort((a, b) => b.durationMs - a.durationMs).slice(0, 4);
  console.log(
    `          slowest rules: ${slowest.map((r) => `${r.rule} ${r.durationMs} ms (${r.findings} findings)`).join(', ')}`,
  );
}

await onEachEngine('rules', bench);
