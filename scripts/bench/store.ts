// npm run bench:store — events/s through the product's ingest path vs a raw multi-row INSERT of the
// same rows, per engine, and the idle memory of a started em-agent. Prints figures; asserts nothing.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { SlackEmulator } from '../../dev/slack/emulator.js';
import type { Db } from '../../src/store/db.js';
import { openStore } from '../../src/store/open.js';
import type { EventInput } from '../../src/sync/event.js';
import { insertEvents } from '../../src/sync/store.js';

const N = Number(process.env.BENCH_EVENTS ?? 50_000);
const SERVER = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const events: EventInput[] = Array.from({ length: N }, (_, i) => ({
  source: 'github',
  kind: 'pull_request.merged',
  externalId: `acme/repo-${i % 200}#${i}`,
  occurredAt: new Date(Date.UTC(2026, 0, 1) + i * 1000),
  actor: `dev${i % 50}`,
  subject: `acme/repo-${i % 200}`,
  normalized: { number: i, additions: i % 500, deletions: i % 90 },
  raw: { id: i, title: `PR ${i}`, labels: [{ name: 'backend' }] },
}));

async function rawInsert(db: Db): Promise<void> {
  await db.exec('CREATE TABLE raw_events (LIKE events INCLUDING ALL)');
  const batch = 1000;
  for (let start = 0; start < N; start += batch) {
    const rows = events.slice(start, start + batch);
    const params: unknown[] = [];
    const values = rows.map((e, i) => {
      params.push(
        e.source,
        e.kind,
        e.externalId,
        new Date(e.occurredAt as Date).toISOString(),
        e.actor,
        e.subject,
        JSON.stringify(e.normalized),
        JSON.stringify(e.raw),
      );
      const p = i * 8;
      return `($${p + 1},$${p + 2},$${p + 3},$${p + 4},$${p + 5},$${p + 6},$${p + 7},$${p + 8})`;
    });
    await db.query(
      `INSERT INTO raw_events (source, kind, external_id, occurred_at, actor, subject, normalized, raw) VALUES ${values.join(',')}`,
      params,
    );
  }
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function benchEngine(name: string, open: () => Promise<Db>, cleanup: (db: Db) => Promise<void>) {
  const db = await open();
  try {
    const ours = await timed(() => insertEvents(db, events));
    const again = await timed(() => insertEvents(db, events));
    const raw = await timed(() => rawInsert(db));
    const rate = (s: number) => Math.round(N / s).toLocaleString('en-US');
    console.log(
      `${name.padEnd(9)} ingest path ${rate(ours)} events/s | raw INSERT ${rate(raw)} events/s | ours/raw ${(raw / ours).toFixed(2)} (goal >= 0.50) | re-ingest of duplicates ${rate(again)} events/s`,
    );
  } finally {
    await cleanup(db);
  }
}

async function idleRss(): Promise<number> {
  execFileSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { stdio: 'inherit' });
  const slack = await new SlackEmulator().start();
  const dir = mkdtempSync(path.join(tmpdir(), 'em-rss-'));
  const run = async () => {
    // The production start as the Dockerfile's CMD runs it, connected to a Slack emulator as it would be to Slack.
    const child = spawn(process.execPath, ['--max-semi-space-size=2', 'dist/src/main.js'], {
      env: {
        ...process.env,
        SLACK_BOT_TOKEN: slack.botToken,
        SLACK_APP_TOKEN: slack.appToken,
        SLACK_API_URL: slack.apiUrl,
        DATA_DIR: dir,
        HTTP_PORT: '0',
        HTTP_HOST: '127.0.0.1',
        DATABASE_URL: '',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk;
        const match = /"port":(\d+)/.exec(out);
        if (match) resolve(Number(match[1]));
      });
      child.on('exit', () => reject(new Error(`em-agent exited early:\n${out}`)));
    });
    await new Promise((r) => setTimeout(r, 3000));
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    child.kill('SIGTERM');
    await new Promise((r) => child.on('exit', r));
    if (process.env.BENCH_MEMORY_DETAIL)
      console.log(
        text
          .split('\n')
          .filter((l) => /heap_size|external_memory|resident/.test(l) && !l.startsWith('#'))
          .join('\n'),
      );
    return Number(/process_resident_memory_bytes (\d+)/.exec(text)?.[1] ?? 0) / 2 ** 20;
  };
  await run(); // first start creates the database (initdb); later ones are the steady state
  // RSS 3 s after start moves by ±20 MB with garbage collection's timing: the median of three starts.
  const starts = [await run(), await run(), await run()].sort((a, b) => a - b);
  const rss = starts[1] as number;
  await slack.stop();
  rmSync(dir, { recursive: true, force: true });
  return rss;
}

// `--rss`: only the idle memory of the production start.
if (!process.argv.includes('--rss')) {
  console.log(`bench:store — ${N.toLocaleString('en-US')} events per run`);
  const dir = mkdtempSync(path.join(tmpdir(), 'em-bench-'));
  await benchEngine(
    'pglite',
    () => openStore({ DATA_DIR: dir }),
    async (db) => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  );

  const schema = `bench_${Date.now()}`;
  const probe = new pg.Client({ connectionString: SERVER, connectionTimeoutMillis: 2000 });
  const serverUp = await probe.connect().then(
    () => true,
    () => false,
  );
  if (serverUp) {
    await benchEngine(
      'postgres',
      () => openStore({ DATABASE_URL: SERVER, DATABASE_SCHEMA: schema, DATA_DIR: '' }),
      async (db) => {
        await db.close();
        await probe.query(`DROP SCHEMA "${schema}" CASCADE`);
      },
    );
  } else {
    console.log(`postgres  SKIPPED: no server at ${SERVER}`);
  }
  await probe.end().catch(() => {});
}

const rss = await idleRss();
console.log(
  `idle RSS of em-agent's production start (node dist/src/main.js: embedded store in its worker, jobs, HTTP, Slack) ${rss.toFixed(0)} MB (goal < 250 MB)`,
);
