import {
  addTimelineEntry,
  claimIncident,
  claimReminder,
  dropMessageEntry,
  heardMessage,
  listIncidents,
  privateIncidentChannels,
  timelineOf,
  updateIncidentRecord,
} from '../../src/incidents/store.js';
import { doraMetrics } from '../../src/reports/dora.js';
import type { Db } from '../../src/store/db.js';
import { insertEvents } from '../../src/sync/store.js';
import { describeEachEngine } from '../support/engines.js';
import { NOW } from '../support/fixtures.js';

const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
const declaration = (requestKey: string, title = 'Checkout is failing', declaredBy = 'U1') => ({
  requestKey,
  title,
  severity: 'SEV2' as const,
  service: 'checkout',
  description: null,
  declaredBy,
  commander: declaredBy,
  openedAt: NOW,
});

describeEachEngine('the incident store', ({ freshDb }) => {
  let db: Db;
  beforeAll(async () => {
    db = await freshDb();
  });

  test('one incident per declaration: a redelivered request and concurrent double submissions find the first', async () => {
    const results = await Promise.all([
      claimIncident(db, declaration('view:A')),
      claimIncident(db, declaration('view:A')),
      claimIncident(db, declaration('view:B')),
      claimIncident(db, declaration('view:C', 'checkout IS failing')),
    ]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.incident.id)).size).toBe(1);
    // Another person, or another title, is another incident, numbered in order.
    const other = await claimIncident(db, declaration('view:D', 'Checkout is failing', 'U2'));
    expect(other.created).toBe(true);
    expect(other.incident.number).toBe(results[0]!.incident.number + 1);
  });

  test('a private incident is shown to nobody from its declaration until its channel exists, a public one at once', async () => {
    const hidden = await claimIncident(db, { ...declaration('view:P', 'Payroll data exposed', 'U7'), private: true });
    const shown = await claimIncident(db, declaration('view:Q', 'Search is slow', 'U7'));
    // What a member who sees no private channel is shown, and what anyone is shown when privacy is not asked about.
    const titles = async (visibleIn?: string[]) => (await listIncidents(db, 7, 50, visibleIn)).map((i) => i.title);
    expect(await titles([])).toContain(shown.incident.title);
    expect(await titles([])).not.toContain(hidden.incident.title);
    // No channel to ask Slack about yet: the reader's membership check has nothing of it to look up.
    expect(await privateIncidentChannels(db)).toEqual([]);
  });

  test('the timeline is ordered by when things happened; a message is on it once, and can come back after unpinning', async () => {
    const { incident } = await claimIncident(db, declaration('view:T', 'Timeline test'));
    await addTimelineEntry(db, incident.id, {
      kind: 'pinned',
      occurredAt: at(20),
      author: 'U2',
      text: 'later',
      sourceTs: '2.0',
    });
    await addTimelineEntry(db, incident.id, {
      kind: 'pinned',
      occurredAt: at(10),
      author: 'U2',
      text: 'earlier',
      sourceTs: '1.0',
    });
    expect(
      await addTimelineEntry(db, incident.id, {
        kind: 'pinned',
        occurredAt: at(10),
        author: 'U3',
        text: 'earlier',
        sourceTs: '1.0',
      }),
    ).toBeNull();
    expect((await timelineOf(db, incident.id)).map((e) => e.text)).toEqual(['earlier', 'later']);
    expect(await dropMessageEntry(db, incident.id, '1.0')).toBe(true);
    expect((await timelineOf(db, incident.id)).map((e) => e.text)).toEqual(['later']);
    expect(
      await addTimelineEntry(db, incident.id, {
        kind: 'pinned',
        occurredAt: at(10),
        author: 'U2',
        text: 'earlier',
        sourceTs: '1.0',
      }),
    ).not.toBeNull();
    expect((await timelineOf(db, incident.id)).map((e) => e.text)).toEqual(['earlier', 'later']);
  });

  test('a reminder is recorded once even when two workers race for it', async () => {
    const { incident } = await claimIncident(db, declaration('view:R', 'Reminder test'));
    const claims = await Promise.all([
      claimReminder(db, incident.id, 'status_update', null, at(30)),
      claimReminder(db, incident.id, 'status_update', null, at(30)),
    ]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await claimReminder(db, incident.id, 'status_update', at(30), at(60))).toBe(true);
  });

  test('DORA counts a confirmed cause, and "no deploy involved" takes the incident out of change failure rate', async () => {
    const fresh = await freshDb();
    const deploy = (id: string, minutes: number) =>
      fresh.query(
        `INSERT INTO deployments (source, external_id, repo, environment, sha, created_at, finished_at, state)
         VALUES ('github', $1, 'acme/checkout', 'production', $1, $2, $2, 'success')`,
        [id, at(minutes)],
      );
    await deploy('early', -120);
    await deploy('late', -10);
    const { incident } = await claimIncident(fresh, declaration('view:D1'));
    await updateIncidentRecord(fresh, incident.id, { status: 'resolved', resolved_at: at(50) });
    const window = { from: at(-24 * 60), to: at(24 * 60) };
    // Unconfirmed: the guess is the latest deployment before it (finished 10 min before; recovered 1 h later).
    expect(await doraMetrics(fresh, window)).toMatchObject({ failedDeployments: 1, recoveryHours: 1 });
    await updateIncidentRecord(fresh, incident.id, {
      caused_by_source: 'github',
      caused_by_id: 'early',
      link_confirmed_by: 'U1',
    });
    expect(await doraMetrics(fresh, window)).toMatchObject({ failedDeployments: 1, recoveryHours: (120 + 50) / 60 });
    await updateIncidentRecord(fresh, incident.id, {
      caused_by_source: 'none',
      caused_by_id: 'none',
      link_confirmed_by: 'U1',
    });
    expect(await doraMetrics(fresh, window)).toMatchObject({
      failedDeployments: 0,
      changeFailureRate: 0,
      incidents: 1,
    });
  });
  test('a pinned message Slack no longer returns is read as the bot last heard it: the latest edit, that channel only', async () => {
    const heard = (channel: string, ts: string, kind: string, at: Date, text: string) => ({
      source: 'slack',
      kind,
      externalId: `${channel}:${ts}:${(at.getTime() / 1000).toFixed(6)}`,
      occurredAt: at,
      actor: 'U7',
      subject: channel,
      normalized: { text, thread_ts: null, files: [{ name: 'graph.png' }] },
      raw: {},
    });
    await insertEvents(db, [
      heard('C1', '1700000000.000100', 'message', at(0), 'p99 is 4 s'),
      heard('C1', '1700000000.000100', 'message_changed', at(5), 'p99 is 4 s on checkout only'),
      heard('C2', '1700000000.000100', 'message_changed', at(9), 'another channel'),
    ]);
    expect(await heardMessage(db, 'C1', '1700000000.000100')).toEqual({
      text: 'p99 is 4 s on checkout only',
      user: 'U7',
      files: [{ name: 'graph.png' }],
    });
    expect(await heardMessage(db, 'C1', '1700000000.000200')).toBeNull();
  });
});
