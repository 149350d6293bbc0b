// The event bus in the running service (NATS_URL set): an approved action's way (approved, then executed) reaches
// the stream through the outbox and the scheduled drain job, with nothing else to call.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { SlackEmulator } from '../../dev/slack/emulator.js';
import type { App } from '../../src/app.js';
import { eventually } from '../support/eventually.js';
import { startServiceOnEmulator } from '../support/service.js';

const NATS = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const natsUp = process.env.EM_TEST_NATS !== 'down';
const suite = natsUp ? describe : describe.skip;
if (!natsUp) console.warn(`!!! SKIPPED: event bus service test — no NATS at ${NATS} !!!`);

const TOKEN = 'metrics-token-for-eventbus-test';

suite('event bus in the running service', () => {
  const prefix = `t${process.pid}x${Date.now().toString(36)}svc`;
  const stream = prefix.toUpperCase();
  let dir: string;
  let emulator: SlackEmulator;
  let app: App;
  let nc: NatsConnection;
  let channel: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'em-eventbus-'));
    emulator = await new SlackEmulator().start();
    channel = emulator.workspace.addChannel('ops', { members: [emulator.workspace.botUserId] }).id;
    nc = await connect({ servers: NATS });
    app = await startServiceOnEmulator(emulator, dir, {
      policies: 'policies:\n  - { action: slack.post, mode: auto }\n',
      env: {
        NATS_URL: NATS,
        NATS_STREAM: stream,
        NATS_SUBJECT_PREFIX: prefix,
        EVENT_BUS_DRAIN_MS: '1000',
        METRICS_TOKEN: TOKEN,
      },
    });
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    await emulator?.stop();
    if (nc) {
      await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
      await nc.drain();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test('an auto action posted in Slack is published as approved, then executed', async () => {
    const outcome = await app.approvals.propose({
      action: 'slack.post',
      params: { channel, text: 'deploy freeze starts at 17:00' },
      summary: 'Post the freeze notice in #ops',
      requestedBy: 'rule:freeze',
      idempotencyKey: 'eventbus-service-1',
    });
    expect(outcome.outcome).toBe('executed');
    expect(emulator.messagesIn(channel).map((m) => m.text)).toContain('deploy freeze starts at 17:00');
    const jsm = await jetstreamManager(nc);
    // The drain job runs every second: both changes arrive, each once.
    const subjects = await eventually(async () => {
      const info = await jsm.streams.info(stream, { subjects_filter: '>' }).catch(() => undefined);
      const s = info?.state.subjects ?? {};
      return s[`${prefix}.approvals.executed`] ? s : undefined;
    }, 60_000);
    // (Slack's event log may publish events of its own; only the approval's subjects are counted here.)
    const approvals = Object.fromEntries(
      Object.entries(subjects).filter(([subject]) => subject.includes('.approvals.')),
    );
    expect(approvals).toEqual({ [`${prefix}.approvals.approved`]: 1, [`${prefix}.approvals.executed`]: 1 });
    // /ready shows the outbox: once the drain has caught up, nothing waits.
    const ready = await eventually(async () => {
      const res = await fetch(`http://127.0.0.1:${app.http.port}/ready`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      const body = (await res.json()) as { eventBus?: { pending: number } };
      return body.eventBus?.pending === 0 ? body : undefined;
    });
    expect(ready.eventBus).toEqual({ stream, pending: 0, lagSeconds: 0 });
    const executed = await jsm.streams.getMessage(stream, { last_by_subj: `${prefix}.approvals.executed` });
    expect(executed?.json()).toMatchObject({
      type: 'approval',
      state: 'executed',
      action: 'slack.post',
      summary: 'Post the freeze notice in #ops',
      mode: 'auto',
      requestedBy: 'rule:freeze',
    });
  });

  test('a stream deleted while the service runs (a NATS restart without storage) is made again, and nothing is lost', async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(stream);
    const outcome = await app.approvals.propose({
      action: 'slack.post',
      params: { channel, text: 'freeze lifted' },
      summary: 'Post the end of the freeze in #ops',
      requestedBy: 'rule:freeze',
      idempotencyKey: 'eventbus-service-2',
    });
    expect(outcome.outcome).toBe('executed');
    // The drain job fails once on the missing stream, then checks it, creates it, and publishes the waiting rows.
    const executed = await eventually(async () => {
      const message = await jsm.streams
        .getMessage(stream, { last_by_subj: `${prefix}.approvals.executed` })
        .catch(() => undefined);
      return message?.json<{ summary: string }>().summary === 'Post the end of the freeze in #ops'
        ? message
        : undefined;
    }, 30_000);
    expect(executed).toBeDefined();
  }, 60_000);
});
