import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { JiraStandIn } from '../../dev/jira/server.js';
import { dropSchemas, SERVER_URL, serverUp, uniqueSchema } from '../support/engines.js';
import { OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { runTs } from '../support/processes.js';

// A real process (ES modules under tsx, as `npm run dev` runs the product): tracing comes from the environment alone.
describe('tracing in a real process', () => {
  let receiver: OtlpReceiver;
  let jira: JiraStandIn;
  const dir = mkdtempSync(path.join(tmpdir(), 'em-otel-'));
  const schemas: string[] = [];
  beforeAll(async () => {
    receiver = await new OtlpReceiver().start();
    jira = await new JiraStandIn().start();
    jira.addIssue({ key: 'ENG-1', summary: 'Checkout retries' });
    jira.addIssue({ key: 'ENG-2', summary: 'Payments timeout' });
  });
  afterAll(async () => {
    await jira.stop();
    await receiver.stop();
    if (serverUp) await dropSchemas(schemas);
    rmSync(dir, { recursive: true, force: true });
  });

  /** One Jira sync in a child process; the store is the server when one is up (faster to migrate), else PGlite. */
  async function syncInChild(env: Record<string, string | undefined>) {
    const schema = uniqueSchema('otel');
    schemas.push(schema);
    const child = runTs('test/support/child.ts', {
      MODE: 'traced-jira-sync',
      ...(serverUp ? { DATABASE_URL: SERVER_URL, DATABASE_SCHEMA: schema } : { DATA_DIR: path.join(dir, schema) }),
      JIRA_URL: jira.url,
      JIRA_EMAIL: jira.email,
      JIRA_TOKEN: jira.apiToken,
      OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: undefined,
      ...env,
    });
    const { code } = await child.exited();
    expect({ code, output: child.output().slice(-2000) }).toMatchObject({ code: 0 });
    const lines = child
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    return { output: child.output(), lines };
  }

  const urlOf = (s: ReceivedSpan) => String(s.attributes['url.full'] ?? s.attributes['http.url'] ?? '');

  test('with OTEL_EXPORTER_OTLP_ENDPOINT set: the sync’s Jira calls are HTTP client spans in its trace, and its log line has the trace id', async () => {
    const { output, lines } = await syncInChild({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint });
    expect(output).toContain('tracing on');
    // The child shut tracing down (which exports everything) before it said so.
    const root = receiver.spans.find((s) => s.name === 'jira sync');
    expect(root).toMatchObject({ service: 'em-agent', parentSpanId: undefined });
    const jiraCalls = receiver.spans.filter((s) => s.traceId === root?.traceId && urlOf(s).startsWith(jira.url));
    // Client spans (kind 3) for the issue search, each under the sync's span.
    expect(jiraCalls.length).toBeGreaterThan(0);
    for (const call of jiraCalls) {
      expect(call.kind).toBe(3);
      expect(receiver.ancestry(call).at(-1)).toBe('jira sync');
    }
    expect(jiraCalls.some((c) => urlOf(c).includes('/search'))).toBe(true);
    // Its database writes are spans of the same trace too.
    expect(receiver.spans.some((s) => s.traceId === root?.traceId && s.name === 'db INSERT')).toBe(true);
    // The API token travels in the Authorization header, which no span records.
    expect(JSON.stringify(receiver.spans)).not.toContain(jira.apiToken);
    const synced = lines.find((l) => l.msg === 'jira synced');
    expect(synced).toMatchObject({ issues: 2, trace_id: root?.traceId });
    expect(synced?.span_id).toBe(root?.spanId);
  }, 120_000);

  test('with the variable unset: nothing is sent and log lines carry no trace ids', async () => {
    const before = receiver.requests;
    const { output, lines } = await syncInChild({});
    expect(output).toContain('tracing off');
    // The process has exited: had it traced anything, it would have exported it on the way out.
    expect(receiver.requests).toBe(before);
    const synced = lines.find((l) => l.msg === 'jira synced');
    expect(synced).toMatchObject({ issues: 2 });
    expect(synced).not.toHaveProperty('trace_id');
  }, 120_000);
});
