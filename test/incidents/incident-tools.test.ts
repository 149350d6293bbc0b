// Declaring and changing an incident as tools, run as data (as the REST API and MCP doors run them) on both
// engines, against the Slack emulator: what a person notices — INC-n and its channel, the timeline, who is refused.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebClient } from '@slack/web-api';
import { SlackEmulator } from '../../dev/slack/emulator.js';
import { PolicyBook } from '../../src/approvals/policies.js';
import { type AnyTool, runTool, type ToolContext } from '../../src/capabilities/tool.js';
import { IncidentService } from '../../src/incidents/service.js';
import { INCIDENT_POLICY_SECTION } from '../../src/incidents/settings.js';
import { incidentTools } from '../../src/incidents/tools.js';
import { createLogger } from '../../src/observability/logger.js';
import { channelMembership } from '../../src/slack/membership.js';
import type { Db } from '../../src/store/db.js';
import { describeEachEngine } from '../support/engines.js';

const logger = createLogger('silent');
const CHANGES = ['declare', 'note', 'actionItem', 'severity', 'assign', 'update', 'resolve', 'confirmCause'];

describeEachEngine('incident tools', ({ freshDb }) => {
  let db: Db;
  let emulator: SlackEmulator;
  let slack: WebClient;
  let dir: string;
  let tools: Map<string, AnyTool>;
  let offline: Map<string, AnyTool>;
  const users = { alice: '', bob: '', carol: '' };

  beforeAll(async () => {
    db = await freshDb();
    emulator = await new SlackEmulator().start();
    channelMembership.clear(); // a new workspace: the other engine's emulator hands out the same channel ids
    const ws = emulator.workspace;
    for (const name of Object.keys(users) as (keyof typeof users)[]) users[name] = ws.addUser({ name }).id;
    slack = new WebClient(emulator.botToken, { slackApiUrl: emulator.apiUrl, retryConfig: { retries: 0 } });
    dir = mkdtempSync(path.join(tmpdir(), 'em-incident-tools-'));
    writeFileSync(path.join(dir, 'incidents.yml'), 'incidents:\n  private_channels: true\n');
    const policies = new PolicyBook(dir, INCIDENT_POLICY_SECTION).reload();
    const service = new IncidentService({ db, logger, slack: () => slack, policies, timezone: 'UTC' });
    tools = new Map(incidentTools(service).map((t) => [t.name, t]));
    const disconnected = new IncidentService({ db, logger, slack: () => undefined, policies, timezone: 'UTC' });
    offline = new Map(incidentTools(disconnected).map((t) => [t.name, t]));
  }, 60_000);

  afterAll(async () => {
    await emulator?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const as = (user: keyof typeof users): ToolContext => ({
    person: { slackId: users[user] },
    db,
    logger,
    slack,
    via: 'api',
  });
  /** Runs a tool by name as a person, checking that its output fits its schema and JSON can carry it. */
  async function run(user: keyof typeof users, name: string, input: unknown, from = tools) {
    const tool = from.get(`incidents.${name}`);
    if (!tool) throw new Error(`incidents.${name} is not a tool`);
    const output = await runTool(tool, as(user), input);
    expect({ tool: name, issues: tool.output.safeParse(output).error?.issues ?? [] }).toEqual({
      tool: name,
      issues: [],
    });
    expect(() => JSON.stringify(output)).not.toThrow();
    // biome-ignore lint/suspicious/noExplicitAny: each test reads the fields of the variant it expects
    return output as any;
  }
  const timeline = async (user: keyof typeof users, number: number) => run(user, 'timeline', { number });

  let number: number;
  let channelId: string;

  test('every declaring or changing tool is a decide tool (an agent never runs one)', () => {
    for (const name of CHANGES)
      expect({ name, kind: tools.get(`incidents.${name}`)?.kind }).toEqual({ name, kind: 'decide' });
  });

  test('declaring gives INC-n and its own channel, with the declarer in it as commander', async () => {
    const declared = await run('alice', 'declare', { title: 'Checkout is failing', severity: 'SEV2' });
    expect(declared).toMatchObject({ outcome: 'declared', title: 'Checkout is failing', severity: 'SEV2' });
    expect(declared.commander).toBe(users.alice);
    expect(declared.channelName).toMatch(/^inc-\d{8}-checkout-is-failing$/);
    expect(declared.problems).toEqual([]);
    ({ number, channelId } = declared);
    expect(number).toBeGreaterThan(0);
    const room = emulator.workspace.channels.get(channelId);
    expect(room?.is_private).toBe(true);
    expect(room?.members.has(users.alice)).toBe(true);
    const seen = await timeline('alice', number);
    expect(seen).toMatchObject({ found: true, incident: { number, status: 'open', channelId } });
    expect(seen.entries.map((e: { kind: string }) => e.kind)).toEqual(['declared', 'role']);

    const again = await run('alice', 'declare', { title: 'checkout is failing' });
    expect(again).toEqual({ outcome: 'duplicate', number, title: 'Checkout is failing', channelId });
  });

  test('a note appears on the timeline, by the person who wrote it', async () => {
    const noted = await run('alice', 'note', { number, text: '  rolled back v1.42  ' });
    expect(noted).toEqual({
      ok: true,
      number,
      channelId,
      changed: true,
      message: `Added to the INC-${number} timeline.`,
    });
    const { entries } = await timeline('alice', number);
    expect(entries.at(-1)).toMatchObject({ kind: 'note', author: users.alice, text: 'rolled back v1.42' });
    const item = await run('alice', 'actionItem', { number: `${number}`, text: `<@${users.bob}> add an alert` });
    expect(item.message).toBe(`Action item added to INC-${number}; it will be in the postmortem.`);
    expect((await timeline('alice', number)).entries.at(-1)).toMatchObject({ kind: 'action_item' });
  });

  test('someone not in the private incident channel is told there is no such incident, and changes nothing', async () => {
    const missing = { ok: false, message: `There is no incident INC-${number}.` };
    const before = (await timeline('alice', number)).entries.length;
    expect(await run('bob', 'note', { number, text: 'sneaky' })).toEqual(missing);
    expect(await run('bob', 'severity', { number, severity: 'SEV4' })).toEqual(missing);
    expect(await run('bob', 'resolve', { number, summary: 'not mine to resolve' })).toEqual(missing);
    expect(await run('bob', 'assign', { number, role: 'commander', user: users.bob })).toEqual(missing);
    expect(await timeline('bob', number)).toEqual({ found: false, message: `There is no incident INC-${number}.` });
    expect((await timeline('alice', number)).entries).toHaveLength(before);
    expect(await run('alice', 'note', { number: 99_999, text: 'hello' })).toEqual({
      ok: false,
      message: 'There is no incident INC-99999.',
    });
  });

  test('severity, roles and status updates change the incident; the commander role is handed over by the commander only', async () => {
    const raised = await run('alice', 'severity', { number, severity: 'SEV1' });
    expect(raised).toMatchObject({ ok: true, changed: true, severity: 'SEV1', previous: 'SEV2' });
    expect(raised.message).toBe(`INC-${number} is now SEV1.`);
    expect(await run('alice', 'severity', { number, severity: 'SEV1' })).toMatchObject({ ok: true, changed: false });

    const scribe = await run('alice', 'assign', { number, role: 'scribe', user: users.bob });
    expect(scribe).toMatchObject({ ok: true, role: 'scribe', user: users.bob });
    expect(emulator.workspace.channels.get(channelId)?.members.has(users.bob)).toBe(true);
    // Bob was refused a moment ago, before he was invited: now he is in, and may change it.
    const takeover = await run('bob', 'assign', { number, role: 'commander', user: users.bob });
    expect(takeover.ok).toBe(false);
    expect(takeover.message).toContain(`Only the commander, <@${users.alice}>`);
    expect((await timeline('bob', number)).incident.commander).toBe(users.alice);
    expect(await run('alice', 'assign', { number, role: 'commander', user: users.bob })).toMatchObject({ ok: true });
    expect((await timeline('bob', number)).incident.commander).toBe(users.bob);

    const update = await run('bob', 'update', { number, phase: 'monitoring', summary: 'Error rate is back to normal' });
    expect(update).toMatchObject({ ok: true, changed: true, phase: 'monitoring', status: 'open' });
    const posted = emulator.messagesIn(channelId).map((m) => JSON.stringify(m));
    expect(posted.some((m) => m.includes('Error rate is back to normal'))).toBe(true);
  });

  test('the cause is confirmed by the commander only; an action item is filed only where a tracker is named', async () => {
    // Bob is the commander now (the test before handed it over).
    const notCommander = await run('alice', 'confirmCause', { number, deployment: null });
    expect(notCommander).toEqual({
      ok: false,
      message: `Only the commander, <@${users.bob}>, confirms the cause of INC-${number}.`,
    });
    expect(await run('carol', 'confirmCause', { number, deployment: null })).toEqual({
      ok: false,
      message: `There is no incident INC-${number}.`,
    });
    const none = await run('bob', 'confirmCause', { number, deployment: null });
    expect(none).toMatchObject({ ok: true, changed: true, deployment: null });
    expect(none.message).toContain('confirmed no deployment was involved');
    expect((await timeline('bob', number)).entries.at(-1)).toMatchObject({ kind: 'deploy', author: users.bob });
    const gone = await run('bob', 'confirmCause', { number, deployment: { source: 'github', id: 'no-such' } });
    expect(gone.message).toBe('That deployment is no longer in the store; pick another.');

    const { rows } = await db.query<{ id: string }>(
      `SELECT t.id FROM incident_timeline t JOIN incident_rooms r ON r.incident_id = t.incident_id
        WHERE r.number = $1 AND t.kind = 'action_item'`,
      [number],
    );
    const actionItem = Number(rows[0]?.id);
    expect(await run('bob', 'fileActionItem', { actionItem })).toEqual({
      ok: true,
      number,
      message: 'No tracker is configured for action items (policies: incidents.action_items).',
    });
    const hidden = { ok: false, message: 'That action item no longer exists.' };
    expect(await run('carol', 'fileActionItem', { actionItem })).toEqual(hidden);
    expect(await run('bob', 'fileActionItem', { actionItem: 987_654 })).toEqual(hidden);
    expect(tools.get('incidents.fileActionItem')?.kind).toBe('propose');
  });

  test('resolving sets it resolved with the time to restore; resolving again changes nothing', async () => {
    const resolved = await run('bob', 'resolve', { number, summary: 'Rolled back the release' });
    expect(resolved).toMatchObject({ ok: true, changed: true, number, channelId });
    expect(resolved.message).toMatch(new RegExp(`^INC-${number} resolved: time to restore`));
    expect(resolved.resolvedAt).toBeInstanceOf(Date);
    const seen = await timeline('bob', number);
    expect(seen.incident).toMatchObject({ status: 'resolved', phase: 'resolved' });
    expect(seen.entries.at(-1)).toMatchObject({ kind: 'resolved', author: users.bob });
    const again = await run('bob', 'resolve', { number, summary: 'Rolled back the release' });
    expect(again).toMatchObject({ ok: true, changed: false, message: `INC-${number} is already resolved.` });
  });

  test('invalid input is refused with a message that says what is wrong', async () => {
    const refusal = (name: string, input: unknown) =>
      run('alice', name, input).then(
        () => 'accepted',
        (err: Error) => err.message,
      );
    expect(await refusal('declare', { title: 'x' })).toContain('Give the incident a title of at least 3 characters.');
    expect(await refusal('severity', { number, severity: 'SEV9' })).toContain(
      'Severity must be SEV1, SEV2, SEV3 or SEV4.',
    );
    expect(await refusal('note', { number, text: '   ' })).toContain('A note needs text.');
    expect(await refusal('resolve', { number, summary: 'ok' })).toContain('Say what resolved it');
    expect(await refusal('assign', { number, role: 'boss', user: users.bob })).toContain(
      'The role is commander, comms_lead, scribe or responder.',
    );
    expect(await refusal('assign', { number, role: 'scribe', user: 'bob' })).toContain('Slack user id');
    expect(await refusal('note', { number: 'INC-x', text: 'hi' })).toContain('the incident number');
  });

  test('without Slack, declaring says the co-pilot is not running and keeps nothing', async () => {
    const failed = await run('carol', 'declare', { title: 'Search is slow' }, offline);
    expect(failed).toEqual({
      outcome: 'failed',
      message: 'The incident co-pilot is not running (Slack is not connected).',
    });
    const { rows } = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM incidents WHERE title = 'Search is slow'",
    );
    expect(rows[0]?.n).toBe(0);
  });
});
