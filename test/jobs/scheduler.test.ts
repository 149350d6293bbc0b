import { heartbeatJob } from '../../src/jobs/heartbeat.js';
import { type Scheduler, startScheduler } from '../../src/jobs/scheduler.js';
import { StoppingError } from '../../src/lib/stopping.js';
import { createLogger } from '../../src/observability/logger.js';
import type { Db } from '../../src/store/db.js';
import { openPostgres } from '../../src/store/postgres.js';
import { describeEachEngine, dropSchemas, SERVER_URL, serverUp, uniqueSchema } from '../support/engines.js';
import { eventually } from '../support/eventually.js';
import { tcpProxy } from '../support/tcp-proxy.js';

describeEachEngine('job scheduler', ({ freshDb }) => {
  let db: Db;
  let scheduler: Scheduler | undefined;
  afterEach(async () => {
    await scheduler?.stop();
    scheduler = undefined;
  });

  test('the heartbeat job runs on its schedule and records the worker', async () => {
    db = await freshDb();
    scheduler = await startScheduler({
      db,
      logger: createLogger('silent'),
      jobs: [heartbeatJob('worker-a', '1 hour')],
      processEveryMs: 100,
      lockLifetimeMs: 1_000,
      workerName: 'worker-a',
    });
    const beat = await eventually(async () => {
      const { rows } = await db.query<{ worker: string; beats: number }>('SELECT worker, beats FROM heartbeats');
      return rows[0];
    });
    expect(beat).toEqual({ worker: 'worker-a', beats: 1 });
  });

  test('a queued job runs once with its data, and a failing job is recorded as failed', async () => {
    db = await freshDb();
    await db.exec('CREATE TABLE job_runs (job text, data jsonb)');
    scheduler = await startScheduler({
      db,
      logger: createLogger('silent'),
      processEveryMs: 100,
      lockLifetimeMs: 1_000,
      workerName: 'worker-b',
      jobs: [
        {
          name: 'digest',
          async run({ db: jobDb }, data: { team: string }) {
            await jobDb.query("INSERT INTO job_runs VALUES ('digest', $1::jsonb)", [JSON.stringify(data)]);
          },
        },
        {
          name: 'broken',
          async run() {
            throw new Error('source down');
          },
        },
        {
          name: 'tick',
          async run({ db: jobDb }) {
            await jobDb.query("INSERT INTO job_runs VALUES ('tick', '{}')");
          },
        },
      ],
    });
    await scheduler.now('digest', { team: 'payments' });
    await scheduler.now('broken');
    const runs = await eventually(async () => {
      const { rows } = await db.query<{ data: unknown }>("SELECT data FROM job_runs WHERE job = 'digest'");
      return rows.length ? rows : undefined;
    });
    expect(runs).toEqual([{ data: { team: 'payments' } }]);
    const failure = await eventually(async () => {
      const { rows } = await db.query<{ fail_reason: string }>(
        "SELECT fail_reason FROM agenda_jobs WHERE name = 'broken' AND fail_reason IS NOT NULL",
      );
      return rows[0];
    });
    expect(failure.fail_reason).toContain('source down');
    // Three more jobs queued and run one after another, each in a later poll: the digest must not have run again.
    for (let i = 1; i <= 3; i++) {
      await scheduler.now('tick');
      await eventually(async () => {
        const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM job_runs WHERE job = 'tick'");
        return rows[0]?.n === i;
      });
    }
    expect((await db.query("SELECT * FROM job_runs WHERE job = 'digest'")).rowCount).toBe(1);
  });

  test('a run slower than its lock lifetime (a busy machine) is not cancelled while its process is alive', async () => {
    db = await freshDb();
    scheduler = await startScheduler({
      db,
      logger: createLogger('silent'),
      processEveryMs: 100,
      lockLifetimeMs: 1_000,
      workerName: 'worker-c',
      // Three lock lifetimes before its first heartbeat, as loading a connector took on a loaded two-core machine.
      // Agenda's watchdog marks an expired run cancelled, and the next touch() (a sync's heartbeat) throws.
      jobs: [
        {
          name: 'slow',
          async run({ touch }) {
            await new Promise((r) => setTimeout(r, 3_000));
            await touch();
          },
        },
      ],
    });
    await scheduler.now('slow');
    const finished = await eventually(async () => {
      const { rows } = await db.query<{ fail_reason: string | null }>(
        "SELECT fail_reason FROM agenda_jobs WHERE name = 'slow' AND last_finished_at IS NOT NULL",
      );
      return rows[0];
    }, 20_000);
    expect(finished.fail_reason).toBeNull();
  });

  test('a run whose lock can no longer be renewed stops trying after the first refusal, and says so once', async () => {
    db = await freshDb();
    const lines: { msg?: string }[] = [];
    const sink = { write: (line: string) => void lines.push(JSON.parse(line)) };
    let started = false;
    scheduler = await startScheduler({
      db,
      logger: createLogger('debug', sink),
      processEveryMs: 100,
      lockLifetimeMs: 600,
      workerName: 'worker-d',
      jobs: [
        {
          name: 'long',
          async run() {
            started = true;
            await new Promise((r) => setTimeout(r, 2_500)); // a dozen renewal periods
          },
        },
      ],
    });
    await scheduler.now('long');
    await eventually(async () => started, 20_000);
    // The job's row is gone (an operator removed it, or another worker's cleanup did): every renewal is refused.
    await db.query("DELETE FROM agenda_jobs WHERE name = 'long'");
    await new Promise((r) => setTimeout(r, 3_000));
    const refusals = lines.filter((l) => /could not renew the job lock/.test(l.msg ?? ''));
    expect(refusals).toHaveLength(1);
  });

  test('stop lets a run under way finish its writes before it returns; one past the grace period is left, and said so', async () => {
    db = await freshDb();
    await db.exec('CREATE TABLE posted (job text)');
    const lines: { msg?: string; runs?: number }[] = [];
    const sink = { write: (line: string) => void lines.push(JSON.parse(line)) };
    const begun = new Set<string>();
    // The run left under way is let go at the end of the test, so that it ends (and its lock renewals and Agenda's
    // watchdog with it) while the store is open; left waiting, it held Jest's worker open past the end of the file.
    const waits: (() => void)[] = [];
    const slowJob = (name: string, ms: number) => ({
      name,
      async run({ db: jobDb }: { db: Db }) {
        begun.add(name);
        await new Promise<void>((r) => {
          const timer = setTimeout(r, ms);
          waits.push(() => {
            clearTimeout(timer);
            r();
          });
        });
        await jobDb.query('INSERT INTO posted VALUES ($1)', [name]);
      },
    });
    const started = await startScheduler({
      db,
      logger: createLogger('info', sink),
      processEveryMs: 100,
      lockLifetimeMs: 10_000,
      workerName: 'worker-e',
      stopGraceMs: 3_000,
      jobs: [slowJob('digest', 800), slowJob('backfill', 60_000)],
    });
    await started.now('digest');
    await started.now('backfill');
    await eventually(async () => begun.size === 2, 20_000);
    await started.stop();
    // The digest finished inside the grace period: its row was written before stop returned (and the store closed).
    expect((await db.query('SELECT job FROM posted')).rows).toEqual([{ job: 'digest' }]);
    expect(lines.filter((l) => /stopped with job runs under way/.test(l.msg ?? '')).map((l) => l.runs)).toEqual([1]);
    for (const letGo of waits) letGo();
    await eventually(async () => (await db.query('SELECT job FROM posted')).rows.length === 2, 20_000);
  });

  test('a run that ends on the stop signal lets the stop return without its grace period, is not failed and is due again', async () => {
    db = await freshDb();
    const lines: { msg?: string; runs?: number; level?: number }[] = [];
    const sink = { write: (line: string) => void lines.push(JSON.parse(line)) };
    let begun = false;
    const started = await startScheduler({
      db,
      logger: createLogger('info', sink),
      processEveryMs: 100,
      lockLifetimeMs: 10_000,
      workerName: 'worker-f',
      // Longer than the test waits: the stop returns early only because the run heard the signal.
      stopGraceMs: 60_000,
      jobs: [
        {
          name: 'backfill',
          async run({ signal }) {
            begun = true;
            // A page at a time until the process stops, as a sync does.
            while (!signal.aborted) await new Promise((r) => setTimeout(r, 20));
            signal.throwIfAborted();
          },
        },
      ],
    });
    await started.now('backfill');
    await eventually(async () => begun, 20_000);
    await started.stop();
    const said = lines.map((l) => l.msg ?? '');
    expect(said).toContain('job run stopped for shutdown; its next run goes on from where it stopped');
    expect(said.filter((m) => /job failed|stopped with job runs under way/.test(m))).toEqual([]);
    // Due again at once, for whichever process runs jobs next (a one-off run is not lost either).
    const { rows } = await db.query<{ due: boolean; failed: boolean }>(
      "SELECT next_run_at <= now() AS due, failed_at IS NOT NULL AS failed FROM agenda_jobs WHERE name = 'backfill'",
    );
    expect(rows).toEqual([{ due: true, failed: false }]);
  });

  test('once the process is stopping, a stopped run due again is not picked up again by it', async () => {
    db = await freshDb();
    const lines: { msg?: string }[] = [];
    const sink = { write: (line: string) => void lines.push(JSON.parse(line)) };
    let runs = 0;
    const stopping = new AbortController();
    scheduler = await startScheduler({
      db,
      logger: createLogger('info', sink),
      processEveryMs: 50,
      lockLifetimeMs: 10_000,
      workerName: 'worker-g',
      stopping: stopping.signal,
      jobs: [
        {
          name: 'backfill',
          async run({ signal }) {
            runs += 1;
            while (!signal.aborted) await new Promise((r) => setTimeout(r, 20));
            signal.throwIfAborted();
          },
        },
      ],
    });
    await scheduler.now('backfill');
    await eventually(async () => runs === 1, 20_000);
    // The app aborts its stopping signal first and stops the scheduler only after Slack's last replies.
    stopping.abort(new StoppingError());
    const saved = async () =>
      (await db.query<{ due: boolean }>("SELECT next_run_at <= now() AS due FROM agenda_jobs WHERE name = 'backfill'"))
        .rows[0]?.due;
    await eventually(async () => (await saved()) === true, 20_000);
    // Twenty polling intervals in which a scheduler still polling would start it again.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(runs).toBe(1);
  });
});

const onServer = serverUp ? describe : describe.skip;
if (!serverUp) console.warn(`!!! SKIPPED: replicas starting together — no server at ${SERVER_URL} !!!`);

onServer('job scheduler, several replicas [postgres]', () => {
  test('four replicas starting at the same moment on a new database all start (Agenda creates its tables once)', async () => {
    const schema = uniqueSchema('replicas');
    const dbs = await Promise.all(
      [1, 2, 3, 4].map(() => openPostgres({ connectionString: SERVER_URL, schema, max: 4 })),
    );
    const started: Scheduler[] = [];
    try {
      const outcomes = await Promise.allSettled(
        dbs.map((db, i) =>
          startScheduler({
            db,
            logger: createLogger('silent'),
            jobs: [heartbeatJob(`replica-${i}`, '1 hour')],
            processEveryMs: 100,
            lockLifetimeMs: 1_000,
            workerName: `replica-${i}`,
          }).then((s) => {
            started.push(s);
            return s;
          }),
        ),
      );
      expect(
        outcomes.filter((o) => o.status === 'rejected').map((o) => String((o as PromiseRejectedResult).reason)),
      ).toEqual([]);
      expect(started).toHaveLength(4);
    } finally {
      for (const s of started) await s.stop();
      for (const db of dbs) await db.close();
      await dropSchemas([schema]);
    }
  });

  test('a dropped database connection (failover, restart) is survived: the scheduler reconnects and runs jobs', async () => {
    // A TCP proxy in front of the server, whose connections are cut at once, as a failover cuts them.
    const proxy = await tcpProxy();
    const schema = uniqueSchema('dropped');
    const db = await openPostgres({ connectionString: proxy.through(SERVER_URL), schema, max: 3 });
    let scheduler: Scheduler | undefined;
    try {
      await db.exec('CREATE TABLE job_runs (n int)');
      scheduler = await startScheduler({
        db,
        logger: createLogger('silent'),
        processEveryMs: 100,
        lockLifetimeMs: 1_000,
        workerName: 'worker-drop',
        jobs: [
          {
            name: 'count',
            async run({ db: jobDb }) {
              await jobDb.query('INSERT INTO job_runs VALUES (1)');
            },
          },
        ],
      });
      proxy.cut();
      proxy.restore();
      // Without a listener for the LISTEN connection's 'error', the process (here: the test) ends with it.
      await eventually(async () => {
        await scheduler?.now('count');
        const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM job_runs');
        return (rows[0]?.n ?? 0) > 0;
      }, 20_000);
    } finally {
      await scheduler?.stop();
      await db.close();
      await proxy.close();
      await dropSchemas([schema]);
    }
  }, 60_000);
});
