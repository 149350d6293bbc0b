// A small synthetic engineering org for the offline demo: people in Slack, and PRs, tickets,
// deployments, an incident and docs in the store. Deterministic and idempotent.
import type { Db } from '../../src/store/db.js';
import type { EventInput } from '../../src/sync/event.js';
import { insertEvents } from '../../src/sync/store.js';
import type { SlackEmulator } from '../../test/support/slack/emulator.js';

export const PEOPLE = [
  { name: 'maya', real_name: 'Maya Chen', role: 'Engineering manager' },
  { name: 'sam', real_name: 'Sam Okafor', role: 'Backend' },
  { name: 'lena', real_name: 'Lena Fischer', role: 'Backend' },
  { name: 'raj', real_name: 'Raj Patel', role: 'Frontend' },
  { name: 'ines', real_name: 'Inês Costa', role: 'SRE' },
  { name: 'tom', real_name: 'Tom Berg', role: 'Frontend' },
];
export const REPOS = ['acme/checkout-api', 'acme/web', 'acme/payments'];

/** Deterministic pseudo-random numbers (mulberry32), so every demo run shows the same org. */
function random(seed: number) {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seedSlack(emulator: SlackEmulator) {
  const ws = emulator.workspace;
  const users = Object.fromEntries(
    PEOPLE.map((p) => [
      p.name,
      ws.addUser({ name: p.name, real_name: p.real_name, email: `${p.name}@acme.dev`, tz: 'Europe/Berlin' }).id,
    ]),
  ) as Record<string, string>;
  const all = Object.values(users);
  const channels = {
    eng: ws.addChannel('eng', { members: [...all, ws.botUserId] }).id,
    leads: ws.addChannel('eng-leads', { members: [users.maya as string, ws.botUserId] }).id,
    incidents: ws.addChannel('incidents', { members: [...all, ws.botUserId] }).id,
  };
  ws.userGroups.set('S0ONCALL', {
    id: 'S0ONCALL',
    handle: 'oncall',
    users: [users.ines as string, users.sam as string],
  });
  return { users, channels };
}

export async function seedStore(db: Db, now = new Date()): Promise<number> {
  const rand = random(42);
  const pick = <T>(list: T[]) => list[Math.floor(rand() * list.length)] as T;
  const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
  const engineers = PEOPLE.filter((p) => p.name !== 'maya').map((p) => p.name);
  const events: EventInput[] = [];

  for (let n = 1; n <= 40; n += 1) {
    const repo = pick(REPOS);
    const author = pick(engineers);
    const opened = 2 + rand() * 24 * 14;
    const merged = rand() < 0.7 ? opened - (1 + rand() * 60) : undefined;
    const key = `ENG-${100 + n}`;
    events.push({
      source: 'github',
      kind: 'pull_request',
      externalId: `${repo}#${n}`,
      occurredAt: hoursAgo(opened),
      actor: author,
      subject: repo,
      normalized: {
        number: n,
        title: `${key}: ${pick(['Add retry to', 'Refactor', 'Fix race in', 'Speed up', 'Document'])} ${pick(['cart totals', 'webhook handler', 'login form', 'ledger export', 'rate limiter'])}`,
        state: merged && merged > 0 ? 'merged' : 'open',
        draft: rand() < 0.1,
        additions: Math.floor(rand() * 900),
        deletions: Math.floor(rand() * 300),
        requestedReviewers: [pick(engineers)],
        mergedAt: merged && merged > 0 ? hoursAgo(merged).toISOString() : null,
        ticket: key,
      },
    });
    if (rand() < 0.6) {
      events.push({
        source: 'github',
        kind: 'review',
        externalId: `${repo}#${n}/review/1`,
        occurredAt: hoursAgo(Math.max(0.5, opened - rand() * 20)),
        actor: pick(engineers),
        subject: `${repo}#${n}`,
        normalized: { state: pick(['approved', 'commented', 'changes_requested']) },
      });
    }
  }
  for (let n = 1; n <= 30; n += 1) {
    events.push({
      source: 'jira',
      kind: 'issue',
      externalId: `ENG-${100 + n}`,
      occurredAt: hoursAgo(rand() * 24 * 20),
      actor: pick(engineers),
      subject: 'ENG',
      normalized: {
        key: `ENG-${100 + n}`,
        summary: `Ticket ${100 + n}`,
        status: pick(['To Do', 'In Progress', 'In Review', 'Done', 'Blocked']),
        priority: pick(['Highest', 'High', 'Medium', 'Low']),
        assignee: rand() < 0.15 ? null : pick(engineers),
        points: pick([1, 2, 3, 5, 8]),
        sprint: 'Sprint 42',
      },
    });
  }
  for (let n = 1; n <= 20; n += 1) {
    const repo = pick(REPOS);
    events.push({
      source: 'github',
      kind: 'deployment',
      externalId: `${repo}/deploy/${n}`,
      occurredAt: hoursAgo(n * 17 + rand() * 5),
      actor: pick(engineers),
      subject: repo,
      normalized: {
        environment: 'production',
        state: rand() < 0.9 ? 'success' : 'failure',
        sha: Math.floor(rand() * 2 ** 31).toString(16),
      },
    });
  }
  events.push({
    source: 'em-agent',
    kind: 'incident',
    externalId: 'INC-7',
    occurredAt: hoursAgo(30),
    actor: 'ines',
    subject: 'acme/checkout-api',
    normalized: { title: 'Checkout returning 500s', severity: 'SEV2', resolvedAt: hoursAgo(28.5).toISOString() },
  });
  for (const [slug, title] of [
    ['deploys', 'How we deploy'],
    ['rollback', 'Rolling back a release'],
    ['oncall', 'On-call handbook'],
    ['reviews', 'Code review guidelines'],
    ['adr-012', 'ADR-012: Postgres for everything'],
  ]) {
    events.push({
      source: 'confluence',
      kind: 'page',
      externalId: `ENG/${slug}`,
      occurredAt: hoursAgo(rand() * 24 * 90),
      actor: 'maya',
      subject: 'ENG',
      normalized: { title, url: `https://acme.atlassian.net/wiki/spaces/ENG/pages/${slug}` },
    });
  }
  return (await insertEvents(db, events)).inserted;
}
