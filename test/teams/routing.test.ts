// The whole service with a teams.yml (applied at start, through app.ts): the team is listed as the file's, a
// failing main on its repository goes to its channel (to each owning team's, for a shared repository) (no rule names a recipient), and an incident whose affected
// service is its repository pages its on-call group. On PGlite and, when reachable, on the PostgreSQL server.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SlackEmulator } from '../../dev/slack/emulator.js';
import type { App } from '../../src/app.js';
import { dropSchemas, SERVER_URL, serverUp, uniqueSchema } from '../support/engines.js';
import { startServiceOnEmulator } from '../support/service.js';
import { visibleText } from '../support/slack/harness.js';

const engines: { name: string; env: () => Record<string, string> }[] = [
  { name: 'pglite', env: () => ({}) },
  ...(serverUp
    ? [{ name: 'postgres', env: () => ({ DATABASE_URL: SERVER_URL, DATABASE_SCHEMA: uniqueSchema('teams') }) }]
    : []),
];
if (!serverUp) console.warn(`!!! SKIPPED: team routing [postgres] — no PostgreSQL server at ${SERVER_URL} !!!`);

describe.each(engines)('team routing through the whole service [$name]', ({ env }) => {
  let emulator: SlackEmulator;
  let app: App | undefined;
  let dir: string;
  let schema: string | undefined;
  afterEach(async () => {
    await app?.stop();
    await emulator?.stop();
    if (schema) await dropSchemas([schema]);
    rmSync(dir, { recursive: true, force: true });
  });

  test('teams.yml at start; failing main to the team channel; the incident pages the team on-call group', async () => {
    emulator = await new SlackEmulator().start();
    const ws = emulator.workspace;
    const alice = ws.addUser({ name: 'alice', email: 'alice@acme.dev' }).id;
    const pat = ws.addUser({ name: 'pat', email: 'pat@acme.dev' }).id;
    ws.userGroups.set('S0PAYOC', { id: 'S0PAYOC', handle: 'pay-oncall', users: [pat] });
    const eng = ws.addChannel('eng', { members: [alice, ws.botUserId] }).id;
    const pay = ws.addChannel('payments', { members: [alice, ws.botUserId] }).id;
    const platform = ws.addChannel('platform', { members: [ws.botUserId] }).id;
    dir = mkdtempSync(path.join(tmpdir(), 'em-team-routing-'));
    const teamsFile = path.join(dir, 'teams.yml');
    writeFileSync(
      teamsFile,
      `teams:\n  - key: payments\n    name: Payments\n    members: [${alice}]\n    managers: [${alice}]\n` +
        `    channel: ${pay}\n    repos: ['acme/pay-*', 'acme/shared']\n    oncall_group: '@pay-oncall'\n` +
        `  - key: platform\n    name: Platform\n    members: [${pat}]\n    channel: ${platform}\n    repos: [acme/shared]\n`,
    );
    mkdirSync(path.join(dir, 'rules'), { recursive: true });
    writeFileSync(path.join(dir, 'rules', 'ci.yml'), '- { name: red-main, kind: failing_main, red_minutes: 1 }\n');
    const extra = env();
    schema = extra.DATABASE_SCHEMA;
    app = await startServiceOnEmulator(emulator, dir, {
      policies: 'policies:\n  - { action: slack.post, mode: auto }\n',
      env: { TEAMS_FILE: teamsFile, ...extra },
    });
    const started = app;

    // The file's team is in the database, marked as the file's.
    await emulator.command({ user: alice, channel: eng, text: 'team list' });
    const list = await emulator.waitFor(() =>
      emulator
        .ephemeralsFor(alice)
        .map(visibleText)
        .find((t) => t.includes('*Teams*')),
    );
    expect(list).toContain('*Payments* (`payments`) — 1 members');
    expect(list).toContain('*Platform* (`platform`) — 1 members');
    expect(list).toContain(':lock: teams.yml');

    // main is red on acme/pay-api (Payments'), acme/shared (Payments' and Platform's) and on acme/web (nobody's)
    // for ten minutes.
    const tenMinutesAgo = new Date(Date.now() - 10 * 60_000).toISOString();
    for (const [i, repo] of ['acme/pay-api', 'acme/shared', 'acme/web'].entries())
      await started.db.query(
        `INSERT INTO ci_runs (repo, run_id, name, branch, sha, conclusion, created_at, updated_at, url)
         VALUES ($1, $2, 'CI', 'main', 'abc', 'failure', $3, $3, NULL)`,
        [repo, i + 1, tenMinutesAgo],
      );
    // Alice is in Payments alone: /em signals (which evaluates the rules) shows her team's, `org` shows both.
    await emulator.command({ user: alice, channel: eng, text: 'signals' });
    const mine = await emulator.waitFor(() =>
      emulator
        .ephemeralsFor(alice)
        .map(visibleText)
        .find((t) => t.includes('*Signals* (')),
    );
    expect(mine).toContain('Team *Payments*');
    expect(mine).toContain('*Signals* (2 open)');
    await emulator.command({ user: alice, channel: eng, text: 'signals org' });
    await emulator.waitFor(() =>
      emulator
        .ephemeralsFor(alice)
        .map(visibleText)
        .find((t) => t.includes('*Signals* (3 open)')),
    );
    // Each team's signals are posted in its channel; the rule named no recipient, and acme/web has no team. The
    // shared repository's red main reaches both teams that own it, once each.
    const posted = await emulator.waitFor(() =>
      emulator
        .messagesIn(pay)
        .map(visibleText)
        .find((t) => t.includes('acme/pay-api')),
    );
    expect(posted).toContain(':red_circle:');
    const about = (channel: string, repo: string) =>
      emulator
        .messagesIn(channel)
        .map(visibleText)
        .filter((t) => t.includes(repo));
    await emulator.waitFor(() => about(pay, 'acme/shared').length > 0 && about(platform, 'acme/shared').length > 0);
    expect(about(pay, 'acme/shared')).toHaveLength(1);
    expect(about(platform, 'acme/shared')).toHaveLength(1);
    expect(about(platform, 'acme/pay-api')).toHaveLength(0);
    expect(emulator.messagesIn(pay).map(visibleText).join('\n')).not.toContain('acme/web');
    expect(emulator.messagesIn(eng)).toHaveLength(0);

    // An incident on acme/pay-api: Payments' on-call group (pat) is invited; the policy names no on-call at all.
    await emulator.command({ user: alice, channel: eng, text: 'incident start card payments failing' });
    await emulator.waitFor(() => emulator.topModalOf(alice));
    expect((await emulator.submitView({ user: alice, values: { severity: 'SEV2', service: 'pay-api' } })).ack).toEqual(
      {},
    );
    const room = await emulator.waitFor(() => [...ws.channels.values()].find((c) => c.name?.startsWith('inc-')));
    await emulator.waitFor(() => room.members.has(pat), 15_000, 'pat invited to the incident channel');
    expect(room.members.has(alice)).toBe(true);
  }, 150_000);
});
