import { Writable } from 'node:stream';
import { SpanKind } from '@opentelemetry/api';
import { GitHubStandIn } from '../../dev/github/server.js';
import { createGitHubApp } from '../../src/connectors/github/client.js';
import { syncGitHubRepo } from '../../src/connectors/github/sync.js';
import { type Scheduler, startScheduler } from '../../src/jobs/scheduler.js';
import { createLogger } from '../../src/observability/logger.js';
import { startTracing, type Tracing, withSpan } from '../../src/observability/tracing.js';
import { tracedDb } from '../../src/store/traced.js';
import { sourcesSyntax } from '../../src/sync/args.js';
import { sourcesCommand } from '../../src/sync/listeners.js';
import { describeEachEngine } from '../support/engines.js';
import { eventually } from '../support/eventually.js';
import { OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { startBotHarness, visibleText } from '../support/slack/harness.js';

// OTLP span kinds as the JSON encoding numbers them (SpanKind + 1).
const SERVER = SpanKind.SERVER + 1;
const CLIENT = SpanKind.CLIENT + 1;
const CONSUMER = SpanKind.CONSUMER + 1;

const receiver = new OtlpReceiver();
let tracing: Tracing;

beforeAll(async () => {
  await receiver.start();
  // The standard variable, as an operator sets it: the exporter appends /v1/traces.
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.endpoint;
  tracing = (await startTracing()) as Tracing;
});
afterAll(async () => {
  await tracing?.shutdown();
  delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  await receiver.stop();
});

/** Exports what is buffered, then waits until the received spans satisfy `probe`. */
async function received<T>(probe: (spans: ReceivedSpan[]) => T | undefined, what: string): Promise<T> {
  return eventually(
    async () => {
      await tracing.flush();
      return probe(receiver.spans);
    },
    15_000,
    what,
  );
}

describeEachEngine('tracing over OTLP/HTTP', ({ engine, freshDb }) => {
  test('/em sources through the Slack emulator is one trace: the command handler, then its database queries', async () => {
    await tracing.flush();
    const earlier = new Set(receiver.spans);
    const h = await startBotHarness({
      db: tracedDb(await freshDb()),
      register: (commands) => commands.registerOwn(sourcesSyntax, sourcesCommand(['github'])),
    });
    try {
      await h.emulator.command({ user: h.users.alice, channel: h.channels.eng, text: 'sources' });
      await h.emulator.waitFor(() =>
        h.emulator.ephemeralsFor(h.users.alice).find((e) => visibleText(e).includes('have not synced yet')),
      );
    } finally {
      await h.stop();
    }
    const handler = await received(
      (spans) => spans.find((s) => s.name === 'slack command /em' && !earlier.has(s)),
      'the /em handler span',
    );
    expect(handler).toMatchObject({ service: 'em-agent', kind: SERVER, parentSpanId: undefined });
    expect(handler.attributes).toMatchObject({ 'slack.listener.kind': 'command', 'slack.listener.id': '/em' });
    // The delivery claim (an INSERT) and the sources status read (a SELECT) both ran under the handler, on this engine.
    const queries = await received((spans) => {
      const mine = spans.filter((s) => s.traceId === handler.traceId && s.name.startsWith('db '));
      return mine.some((s) => s.name === 'db INSERT') && mine.some((s) => s.name === 'db SELECT') ? mine : undefined;
    }, 'the handler’s query spans');
    for (const query of queries) {
      expect(receiver.ancestry(query).at(-1)).toBe('slack command /em');
      expect(query).toMatchObject({
        kind: CLIENT,
        attributes: { 'db.system.name': 'postgresql', 'em.db.engine': engine },
      });
      expect(query.attributes['db.query.text']).toEqual(expect.any(String));
    }
  });

  test('a job queued inside a trace runs as a child of it, and its log lines carry that trace id', async () => {
    const db = tracedDb(await freshDb());
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger(
      'info',
      new Writable({
        write(chunk, _enc, done) {
          lines.push(JSON.parse(String(chunk)));
          done();
        },
      }),
    );
    let scheduler: Scheduler | undefined;
    try {
      scheduler = await startScheduler({
        db,
        logger,
        processEveryMs: 100,
        lockLifetimeMs: 2_000,
        workerName: `otel-${engine}`,
        jobs: [
          {
            name: 'otel-probe',
            async run(ctx, data: { team: string }) {
              await ctx.db.query('SELECT $1::text AS team', [data.team]);
              ctx.logger.info({ team: data.team }, 'probe ran');
            },
          },
        ],
      });
      const queued = scheduler;
      const enqueuer = await withSpan('queue the probe', {}, async (span) => {
        await queued.now('otel-probe', { team: 'payments' });
        return span.spanContext();
      });
      const line = await eventually(async () => lines.find((l) => l.msg === 'probe ran'), 15_000, 'the job’s log line');
      // The job's own data is what was queued: the carried trace context is not part of it.
      expect(line).toMatchObject({ team: 'payments', trace_id: enqueuer.traceId, job: 'otel-probe' });

      const job = await received(
        (spans) => spans.find((s) => s.name === 'job otel-probe' && s.traceId === enqueuer.traceId),
        'the job span',
      );
      expect(job).toMatchObject({ kind: CONSUMER, parentSpanId: enqueuer.spanId });
      expect(line.span_id).toBe(job.spanId);
      const query = await received(
        (spans) => spans.find((s) => s.parentSpanId === job.spanId && s.name === 'db SELECT'),
        'the job’s query span',
      );
      // The statement is recorded; its parameters are not.
      expect(query.attributes['db.query.text']).toBe('SELECT $1::text AS team');
      expect(JSON.stringify(query.attributes)).not.toContain('payments');
    } finally {
      await scheduler?.stop();
    }
  });

  test('SQL parameters (a token here) never reach a span; the statement text does', async () => {
    const db = tracedDb(await freshDb());
    const token = 'xoxb-1234567890-abcdefghijklmnop';
    const { traceId } = await withSpan('store a token', {}, async (span) => {
      await db.transaction((tx) => tx.query('SELECT length($1::text) AS n', [token]));
      return span.spanContext();
    });
    const spans = await received((all) => {
      const mine = all.filter((s) => s.traceId === traceId);
      return mine.length === 3 ? mine : undefined;
    }, 'the three spans');
    // The outer span, the transaction, and the query inside it.
    expect(spans.map((s) => receiver.ancestry(s).join(' < ')).sort()).toEqual([
      'db SELECT < db transaction < store a token',
      'db transaction < store a token',
      'store a token',
    ]);
    expect(spans.find((s) => s.name === 'db SELECT')?.attributes['db.query.text']).toBe('SELECT length($1::text) AS n');
    expect(JSON.stringify(spans)).not.toContain(token);
  });

  test('a GitHub sync against the stand-in has an HTTP client span for each API call, in the caller’s trace', async () => {
    const gh = await new GitHubStandIn().start();
    try {
      const db = tracedDb(await freshDb());
      gh.addInstallation(77, ['acme/web']);
      gh.addPull('acme/web', { title: 'ENG-1: change', author: 'dev1' });
      const logger = createLogger('silent');
      const app = createGitHubApp({ appId: gh.appId, privateKey: gh.privateKey, baseUrl: gh.url, logger });
      const { traceId } = await withSpan('sync acme/web', {}, async (span) => {
        const octokit = await app.getInstallationOctokit(77);
        await syncGitHubRepo({
          db,
          logger,
          octokit,
          repo: 'acme/web',
          environment: 'production',
          backfillSince: new Date('2026-01-01T00:00:00Z'),
        });
        return span.spanContext();
      });
      const pulls = await received(
        (spans) =>
          spans.find(
            (s) =>
              s.traceId === traceId &&
              s.kind === CLIENT &&
              String(s.attributes['url.full']).startsWith(`${gh.url}/repos/acme/web/pulls`),
          ),
        'the pulls call span',
      );
      expect(pulls.attributes).toMatchObject({ 'http.request.method': 'GET', 'http.response.status_code': 200 });
      expect(receiver.ancestry(pulls).at(-1)).toBe('sync acme/web');
      // The installation token and the App's JWT travel in headers, which are not recorded.
      const httpSpans = receiver.spans.filter((s) => s.traceId === traceId && s.attributes['url.full']);
      expect(JSON.stringify(httpSpans)).not.toMatch(/authorization|bearer|ghs_|BEGIN/i);
    } finally {
      await gh.stop();
    }
  });
});
