// OPA as a policy source (OPA_URL): decisions come from OPA's Data API (here the protocol stand-in in dev/opa, with
// a JS function for the policy); when OPA is unreachable or answers badly, the YAML policies decide and `/em policy`
// and `/ready` say so; without OPA_URL nothing changes.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type OpaPolicy, type OpaStandIn, startOpaStandIn } from '../../dev/opa/server.js';
import { SlackEmulator } from '../../dev/slack/emulator.js';
import type { App } from '../../src/app.js';
import { OpaPolicySource } from '../../src/approvals/opa.js';
import { PolicyBook, policySchema } from '../../src/approvals/policies.js';
import { createLogger } from '../../src/observability/logger.js';
import { ACTION_KINDS } from '../../src/signals/rules.js';
import { startServiceOnEmulator } from '../support/service.js';
import { visibleText } from '../support/slack/harness.js';

const logger = createLogger('silent');
const SHIPPED_POLICIES = path.resolve('policies');

/** The policy the tests run in "OPA": comments need two approvals from @platform in #platform, DMs run, Linear is denied. */
const platformPolicy: OpaPolicy = (p, input) => {
  if (p !== 'em_agent/decision') return undefined;
  const { action } = input as { action: string };
  if (action === 'github.comment')
    return {
      mode: 'approve',
      approvers: ['@platform'],
      channel: '#platform',
      min_approvals: 2,
      ttl: '4 hours',
      policy: 'platform_comments',
    };
  if (action === 'slack.dm') return { mode: 'auto', policy: 'nudges' };
  if (action.startsWith('linear.')) return { mode: 'deny', reason: 'Linear is read-only for bots here' };
  return undefined;
};

async function closedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

describe('OPA decisions through PolicyBook.resolve', () => {
  let opa: OpaStandIn;
  beforeAll(async () => {
    opa = await startOpaStandIn(platformPolicy);
  });
  afterAll(() => opa.close());

  const book = (url: string) => {
    const b = new PolicyBook(SHIPPED_POLICIES).reload();
    b.remote = new OpaPolicySource({ url, timeoutMs: 2000, logger });
    return b;
  };

  test('OPA decides: approvers, channel and approvals from its result; it receives the documented input', async () => {
    const policies = book(opa.url);
    const comment = await policies.resolve({
      action: 'github.comment',
      rule: 'stale48h',
      severity: 'warning',
      repo: 'acme/api',
      requester: 'U0BOB',
    });
    expect(comment).toMatchObject({
      mode: 'approve',
      source: 'opa',
      policy: 'opa:platform_comments',
      approvers: ['@platform'],
      channel: '#platform',
      minApprovals: 2,
      ttlMs: 4 * 3600 * 1000,
    });
    expect(comment.fallback).toBeUndefined();
    expect(opa.requests.at(-1)).toEqual({
      path: 'em_agent/decision',
      input: {
        action: 'github.comment',
        rule: 'stale48h',
        severity: 'warning',
        repository: 'acme/api',
        requester: 'U0BOB',
        via: null,
      },
    });
    // The shipped YAML would have asked @eng-leads for one approval: OPA's answer is the one used.
    expect(policies.decide({ action: 'github.comment' }).approvers).toEqual(['@eng-leads']);
    expect(await policies.resolve({ action: 'slack.dm' })).toMatchObject({ mode: 'auto', source: 'opa' });
    expect(await policies.resolve({ action: 'linear.create' })).toMatchObject({
      mode: 'deny',
      source: 'opa',
      reason: 'Linear is read-only for bots here',
    });
  });

  test('undefined, malformed or unreachable: the YAML policies decide, and the decision says why', async () => {
    const policies = book(opa.url);
    // jira.comment is undefined in the OPA policy ({} without result): the YAML's ticket-writes policy decides.
    const undefinedRule = await policies.resolve({ action: 'jira.comment' });
    expect(undefinedRule).toMatchObject({ mode: 'approve', source: 'yaml', policy: 'default.yml:ticket-writes' });
    expect(undefinedRule.fallback).toBe(
      'OPA has no em_agent.decision (the rule is undefined for this input): decided by the YAML policies instead',
    );
    opa.setPolicy(() => ({ mode: 'maybe' }));
    const malformed = await policies.resolve({ action: 'github.comment' });
    expect(malformed).toMatchObject({ source: 'yaml', policy: 'default.yml:pr-comments', approvers: ['@eng-leads'] });
    expect(malformed.fallback).toMatch(/^OPA's em_agent.decision is not a decision \(mode: /);
    opa.setPolicy(() => {
      throw new Error('eval_conflict_error: functions must not produce multiple outputs');
    });
    expect((await policies.resolve({ action: 'github.comment' })).fallback).toBe(
      'OPA answered 500: eval_conflict_error: functions must not produce multiple outputs: decided by the YAML policies instead',
    );
    opa.setPolicy(platformPolicy);

    const down = book(await closedUrl());
    const unreachable = await down.resolve({ action: 'github.comment' });
    expect(unreachable).toMatchObject({ mode: 'approve', source: 'yaml', approvers: ['@eng-leads'] });
    expect(unreachable.fallback).toBe('OPA unreachable (ECONNREFUSED): decided by the YAML policies instead');
  });

  test('the stand-in answers 400 to a body that is not a JSON object, as OPA does', async () => {
    const bad = await fetch(`${opa.url}/v1/data/em_agent/decision`, { method: 'POST', body: '{"input": ' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'invalid_parameter' });
    const undefinedDoc = await fetch(`${opa.url}/v1/data/em_agent/other`, { method: 'POST', body: '{"input": {}}' });
    expect(await undefinedDoc.json()).toEqual({});
  });

  test('without OPA_URL every action is decided as before, by the YAML policies alone', async () => {
    const policies = new PolicyBook(SHIPPED_POLICIES).reload();
    for (const action of [...ACTION_KINDS, 'github.delete_repo'])
      for (const via of [null, 'agent'])
        expect(await policies.resolve({ action, via })).toEqual({
          ...policies.decide({ action, via }),
          source: 'yaml',
        });
  });
});

test('the example Rego policy names the same policies as policies/default.yml', () => {
  const rego = readFileSync(path.join(SHIPPED_POLICIES, 'opa', 'em_agent.rego'), 'utf8');
  const block = /# policies-begin\npolicies := (\[[\s\S]*?\])\n# policies-end/.exec(rego)?.[1];
  const fromRego = (JSON.parse(block ?? '[]') as unknown[]).map((p) => policySchema.parse(p));
  const fromYaml = new PolicyBook(SHIPPED_POLICIES)
    .reload()
    .policies.filter((p) => p.file.endsWith('default.yml'))
    .map((p) => p.policy);
  expect(fromYaml).toHaveLength(14);
  expect(fromRego).toEqual(fromYaml);
});

describe('OPA in the running service: /em policy and /ready', () => {
  let dir: string;
  let emulator: SlackEmulator;
  let opa: OpaStandIn;
  let app: App;
  let bob: string;
  let channel: string;
  const TOKEN = 'metrics-token-for-opa-test';
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'em-opa-'));
    emulator = await new SlackEmulator().start();
    bob = emulator.workspace.addUser({ name: 'bob', email: 'bob@acme.dev' }).id;
    channel = emulator.workspace.addChannel('eng', { members: [bob, emulator.workspace.botUserId] }).id;
    opa = await startOpaStandIn(platformPolicy);
    app = await startServiceOnEmulator(emulator, dir, {
      policies: 'policies:\n  - { action: github.comment, mode: approve, approvers: ["@eng-leads"] }\n',
      env: { OPA_URL: opa.url, METRICS_TOKEN: TOKEN },
    });
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    await emulator?.stop();
    await opa?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ready = async () => {
    const res = await fetch(`http://127.0.0.1:${app.http.port}/ready`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    return { status: res.status, body: (await res.json()) as { policy?: Record<string, unknown> } };
  };

  const policyAnswer = async (needle: string) => {
    await emulator.command({ user: bob, channel, text: 'policy github.comment' });
    return visibleText(
      await emulator.waitFor(() => emulator.ephemeralsFor(bob).find((e) => visibleText(e).includes(needle))),
    );
  };

  test('OPA decides while it answers; when it stops, the YAML policies do and both doors say so', async () => {
    const fromOpa = await policyAnswer('Open Policy Agent');
    expect(fromOpa).toContain('would need approval');
    expect(fromOpa).toContain('@platform');
    expect(await ready()).toEqual({
      status: 200,
      body: expect.objectContaining({ policy: { source: 'opa', url: opa.url, healthy: true } }),
    });

    // A proposal is decided by OPA too: its policy denies Linear writes, with its own reason.
    const denied = await app.approvals.propose({
      action: 'linear.create',
      params: {},
      summary: 'Create a ticket',
      requestedBy: bob,
      idempotencyKey: 'opa-linear-1',
    });
    expect(denied).toMatchObject({ outcome: 'denied', decision: { reason: 'Linear is read-only for bots here' } });

    await opa.close();
    const fallback = await policyAnswer('YAML policies instead');
    expect(fallback).toContain('OPA unreachable (ECONNREFUSED)');
    expect(fallback).toContain('@eng-leads');
    const { status, body } = await ready();
    // Still ready: the YAML policies decide meanwhile.
    expect(status).toBe(200);
    expect(body.policy).toEqual({
      source: 'yaml',
      url: opa.url,
      healthy: false,
      error: 'OPA unreachable (ECONNREFUSED): decisions come from the YAML policies until it answers',
    });
  });
});
