import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { WebClient } from '@slack/web-api';
import { approvalId } from '../../src/approvals/listeners.js';
import { PolicyBook } from '../../src/approvals/policies.js';
import { ApprovalService, GROUP_CACHE_MS } from '../../src/approvals/service.js';
import { createLogger } from '../../src/observability/logger.js';
import { describeEachEngine } from '../support/engines.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function policiesDir(text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'em-sec-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'p.yml'), text);
  return dir;
}

test('ttl: 0 seconds is refused with its file:line, and the policy is not used', () => {
  const book = new PolicyBook(
    policiesDir('policies:\n  - { action: github.label, mode: approve, approvers: [U0AAA], ttl: 0 seconds }\n'),
  ).reload();
  expect(book.problems).toEqual([expect.stringMatching(/p\.yml:2: policies\.0\.ttl: must be longer than zero/)]);
  expect(book.decide({ action: 'github.label' }).mode).toBe('deny');
});

test.each(['0x1', ' 1 ', '1 ', '1e0', '01', '+1', '1.0', '-1', '0', '', '99999999999999999'])(
  'approval id %j from a button or modal is not an id',
  (value) => {
    expect(approvalId(value)).toBeUndefined();
  },
);

test('plain decimal approval ids are read as they are', () => {
  expect([approvalId('1'), approvalId('42')]).toEqual([1, 42]);
});

describeEachEngine('approver groups', ({ freshDb }) => {
  test('someone removed from the approver group cannot approve once a minute has passed', async () => {
    const db = await freshDb();
    let members = ['U0AAA', 'U0BBB'];
    const slack = {
      usergroups: {
        list: async () => ({ ok: true, usergroups: [{ id: 'S0LEADS', handle: 'leads', users: members }] }),
      },
      chat: { postMessage: async () => ({ ok: true }) },
    } as unknown as WebClient;
    let now = Date.parse('2026-03-02T09:00:00Z');
    const service = new ApprovalService({
      db,
      logger: createLogger('silent'),
      clients: { slack },
      now: () => now,
      policies: new PolicyBook(
        policiesDir(
          'policies:\n  - { action: github.label, mode: approve, approvers: ["@leads"], min_approvals: 2 }\n',
        ),
      ),
    });
    const proposed = await service.propose({
      action: 'github.label',
      params: { repo: 'acme/api', number: 1, labels: ['risky'] },
      summary: 'Label acme/api#1 risky',
      requestedBy: 'rule:test',
      idempotencyKey: 'group-cache',
    });
    if (!('approval' in proposed)) throw new Error('expected a proposal');
    expect(await service.isApprover('U0BBB', ['@leads'])).toBe(true);
    members = ['U0AAA'];
    now += GROUP_CACHE_MS;
    expect(GROUP_CACHE_MS).toBeLessThanOrEqual(60_000);
    const refused = await service.decide(proposed.approval.id, 'U0BBB', 'approve');
    expect(refused.outcome).toBe('refused');
  });
});
