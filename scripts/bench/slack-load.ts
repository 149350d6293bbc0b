// npm run bench:slack (second part) — Slack acks while the bot is busy, on each engine.
// The whole product (startApp) runs in this process against the Slack emulator (a process of its own, like Slack,
// timing acks and Home publishes from its side) with the benchmark org (BENCH_PRS PRs,
// BENCH_TICKETS tickets) in its store and a GitHub stand-in (another process) to sync from. While a full rule
// evaluation (/em signals) and the GitHub sync run, rounds of 50 concurrent /em commands arrive, and the
// App Home is opened. Prints ack p50/p99/max (a missed deadline counts as 3 s), missed deadlines, the event
// loop's worst delay (perf_hooks.monitorEventLoopDelay), the Home publish time, and how busy the main thread was and
// how long it spent in garbage collection meanwhile.
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver, performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { openStore } from '../../src/store/open.js';
import { SERVER } from './engines.js';
import { seedOrg } from './org.js';

const PRS = Number(process.env.BENCH_PRS ?? 20_000);
const TICKETS = Number(process.env.BENCH_TICKETS ?? 50_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const ROUNDS = Number(process.env.BENCH_LOAD_ROUNDS ?? 10);
export const DEADLINE_MS = 3000;
export const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

interface GitHubWorld {
  url: string;
  appId: string;
  privateKey: string;
  repos: string[];
  stop(): void;
}

async function startGitHubWorld(): Promise<GitHubWorld> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('scripts/bench/github-world.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_REPOS: '20', BENCH_PRS: '100' },
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`GitHub stand-in exited (${code})`)));
  });
  return { ...JSON.parse(line), stop: () => child.kill('SIGTERM') };
}

interface SlackWorld {
  botToken: string;
  appToken: string;
  apiUrl: string;
  users: [string, string];
  command(user: string, text: string): Promise<{ acked: boolean; attempts: number; ackLatencyMs?: number }>;
  timeHomePublish(user: string): Promise<{ ms: number; completeMs: number }>;
  /** Replies still saying "Working on…": commands whose report has not come yet. */
  working(): Promise<number>;
  /** The stand-in's own worst event-loop delay since the last call: how late it may have timed an ack. */
  loopMaxMs(): Promise<number>;
  waitForConnection(): Promise<void>;
  stop(): void;
}

/** The Slack emulator in its own process (scripts/bench/slack-world.ts), driven over IPC. */
async function startSlackWorld(): Promise<SlackWorld> {
  const child: ChildProcess = fork(path.resolve('scripts/bench/slack-world.ts'), {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    if (!child.stdout) return reject(new Error('no stdout from the Slack stand-in'));
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`Slack stand-in exited (${code})`)));
  });
  const waiting = new Map<number, (reply: Record<string, unknown>) => void>();
  let nextId = 1;
  child.on('message', (reply: { id: number }) => {
    waiting.get(reply.id)?.(reply);
    waiting.delete(reply.id);
  });
  const ask = <T>(request: Record<string, unknown>) =>
    new Promise<T>((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve as (reply: Record<string, unknown>) => void);
      child.send({ ...request, id });
    });
  return {
    ...JSON.parse(line),
    command: (user, text) => ask({ op: 'command', user, text }),
    timeHomePublish: (user) => ask<{ ms: number; completeMs: number }>({ op: 'home', user }),
    working: async () => (await ask<{ working: number }>({ op: 'working' })).working,
    loopMaxMs: async () => (await ask<{ maxMs: number }>({ op: 'loop' })).maxMs,
    waitForConnection: async () => {
      await ask({ op: 'connected' });
    },
    stop: () => child.disconnect(),
  };
}

/**
 * With BENCH_GAPS_FILE: each round's start and every stretch over 40 ms without a timer turn (its start, µs on the clock of
 * `node --cpu-prof` profiles) and length, to look up in a profile what held the thread.
 */
function recordStalls(): () => { at: number; ms: number }[] {
  const stalls: { at: number; ms: number }[] = [];
  let last = process.hrtime.bigint();
  const ticker = setInterval(() => {
    const now = process.hrtime.bigint();
    const ms = Number(now - last) / 1e6;
    if (ms > 40) stalls.push({ at: Number(last / 1000n), ms });
    last = now;
  }, 2);
  return () => {
    clearInterval(ticker);
    return stalls;
  };
}

async function measure(engine: 'pglite' | 'postgres', gh: GitHubWorld): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), `em-bench-load-${engine}-`));
  const schema = `bench_load_${Date.now()}`;
  const store = engine === 'postgres' ? { DATABASE_URL: SERVER, DATABASE_SCHEMA: schema } : {};
  const seeded = await openStore({ DATA_DIR: dir, ...store });
  await seedOrg(seeded, { prs: PRS, tickets: TICKETS });
  await seeded.close();

  const sources = path.join(dir, 'sources.yml');
  writeFileSync(
    sources,
    `github:\n  installations:\n    - id: 1\n      repos: [${gh.repos.join(', ')}]\n  interval: 5 seconds\n  backfill_days: 90\n  deployments:\n    environment: production\n`,
  );
  const slack = await startSlackWorld();
  const [alice, bob] = slack.users;
  const app = await startApp(
    loadConfig({
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_APP_TOKEN: slack.appToken,
      SLACK_API_URL: slack.apiUrl,
      DATA_DIR: dir,
      ...store,
      HTTP_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      JOBS_POLL_MS: '500',
      SOURCES_FILE: sources,
      REPORTS_FILE: path.join(dir, 'none.yml'),
      GITHUB_APP_ID: gh.appId,
      GITHUB_PRIVATE_KEY: gh.privateKey,
      GITHUB_API_URL: gh.url,
      SIGNALS_TICK_MS: '5000',
      ...(process.env.COMMAND_CONCURRENCY ? { COMMAND_CONCURRENCY: process.env.COMMAND_CONCURRENCY } : {}),
      ...(process.env.DATABASE_POOL_MAX ? { DATABASE_POOL_MAX: process.env.DATABASE_POOL_MAX } : {}),
    }),
    createLogger(process.env.BENCH_LOG_LEVEL ?? 'silent'),
  );
  try {
    await slack.waitForConnection();
    const texts = ['help', 'stnadup', 'triage', 'dora 12w', 'standup 48', 'sprint', 'approvals'];
    await Promise.all(texts.map((text) => slack.command(alice, text)));

    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const gcPauses: number[] = [];
    const gc = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) gcPauses.push(entry.duration);
    });
    gc.observe({ entryTypes: ['gc'] });
    const busyBefore = performance.eventLoopUtilization();
    const stalls = process.env.BENCH_GAPS_FILE ? recordStalls() : undefined;
    // The load: a full rule evaluation (and the sync jobs Agenda runs on their own every 5 s).
    await slack.loopMaxMs();
    const evaluation = slack.command(alice, 'signals');
    const latencies: number[] = [];
    const homes: number[] = [];
    const completeHomes: number[] = [];
    let missed = 0;
    const started = Date.now();
    const roundStarts: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      roundStarts.push(Number(process.hrtime.bigint() / 1000n));
      const home = slack.timeHomePublish(round % 2 ? alice : bob);
      const deliveries = await Promise.all(
        Array.from({ length: CONCURRENCY }, (_, i) =>
          slack.command(i % 2 ? alice : bob, texts[i % texts.length] as string),
        ),
      );
      // A missed deadline (late, redelivered or never acked) counts as the deadline itself.
      const acks = deliveries.map((d) =>
        d.acked && d.attempts === 1 && d.ackLatencyMs !== undefined && d.ackLatencyMs <= DEADLINE_MS
          ? d.ackLatencyMs
          : undefined,
      );
      missed += acks.filter((ack) => ack === undefined).length;
      const roundAcks = acks.map((ack) => ack ?? DEADLINE_MS).sort((x, y) => x - y);
      latencies.push(...roundAcks);
      const { ms, completeMs } = await home;
      homes.push(ms);
      if (process.env.BENCH_HOMES) {
        console.log(
          `round ${round}: Home ${ms} ms, complete ${completeMs} ms; acks p50 ${quantile(roundAcks, 0.5)} ms, max ${roundAcks.at(-1)} ms`,
        );
      }
      completeHomes.push(completeMs);
    }
    await evaluation;
    const standInLoopMax = await slack.loopMaxMs();
    loop.disable();
    gc.disconnect();
    const busy = performance.eventLoopUtilization(busyBefore).utilization;
    if (stalls)
      writeFileSync(`${process.env.BENCH_GAPS_FILE}.${engine}.json`, JSON.stringify({ roundStarts, stalls: stalls() }));
    const seconds = (Date.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    homes.sort((a, b) => a - b);
    completeHomes.sort((a, b) => a - b);
    const ms = (ns: number) => (ns / 1e6).toFixed(0);
    console.log(
      `${engine.padEnd(9)} ack p50 ${quantile(latencies, 0.5)} ms | p99 ${quantile(latencies, 0.99)} ms | max ${latencies.at(-1)} ms | missed ${missed} of ${latencies.length} | ${(latencies.length / seconds).toFixed(0)} commands/s`,
    );
    console.log(
      `          event loop delay p99 ${ms(loop.percentile(99))} ms | max ${ms(loop.max)} ms | Home publish p50 ${quantile(homes, 0.5)} ms, max ${homes.at(-1)} ms | Home with every tile p50 ${quantile(completeHomes, 0.5)} ms, max ${completeHomes.at(-1)} ms`,
    );
    console.log(`          the Slack stand-in's own event loop max ${standInLoopMax} ms (acks are timed there)`);
    gcPauses.sort((a, b) => a - b);
    console.log(
      `          main thread busy ${(busy * 100).toFixed(0)}% | GC pauses ${gcPauses.length}, ${gcPauses.reduce((a, b) => a + b, 0).toFixed(0)} ms in all, max ${(gcPauses.at(-1) ?? 0).toFixed(0)} ms | load average ${loadavg()[0]?.toFixed(1)}`,
    );
    // BENCH_ANSWERS=1: how long until every command's report has come (the stop below then finds none waiting).
    if (process.env.BENCH_ANSWERS === '1') {
      while ((await slack.working()) > 0 && Date.now() - started < 300_000)
        await new Promise((r) => setTimeout(r, 100));
      console.log(
        `          every report answered ${((Date.now() - started) / 1000).toFixed(1)} s after the first round`,
      );
    }
  } finally {
    // With the commands still waiting and the sync mid-backfill: what a SIGTERM in a busy hour meets.
    const stopping = performance.now();
    await app.stop();
    console.log(`          stop under load ${((performance.now() - stopping) / 1000).toFixed(1)} s`);
    slack.stop();
    rmSync(dir, { recursive: true, force: true });
    if (engine === 'postgres') {
      const client = new pg.Client({ connectionString: SERVER });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  }
}

export async function benchUnderLoad(): Promise<void> {
  console.log(
    `\nunder load — ${ROUNDS} rounds of ${CONCURRENCY} /em commands and a Home open, while /em signals evaluates every rule over ${PRS.toLocaleString('en-US')} PRs and ${TICKETS.toLocaleString('en-US')} tickets and GitHub syncs 20 repos; Slack rate limits on`,
  );
  console.log('          goals: ack p99 < 50 ms, max < 250 ms, 0 missed, event loop delay max < 100 ms, Home < 300 ms');
  const gh = await startGitHubWorld();
  const only = process.env.BENCH_ENGINES?.split(',');
  try {
    for (const engine of ['pglite', 'postgres'] as const) if (!only || only.includes(engine)) await measure(engine, gh);
  } finally {
    gh.stop();
  }
}
