// npm run bench:notify: DMs per person per day, counted where a person would see them (the Slack emulator's DMs)
// and where the pipeline recorded them (notification_sends).
//  1. The offline demo's first start (six people, the real app and connectors against the GitHub/Jira stand-ins):
//     DMs per person, and subjects told twice. BENCH_NOTIFY_ROOT=/path/to/another/checkout measures that checkout's
//     demo the same way (e.g. main, before the pipeline).
//  2. A simulated working week on the benchmark org (200 repositories, BENCH_PRS PRs, BENCH_TICKETS tickets, 150
//     people, default rules and policies): every hour from 08:00 to 18:00, Monday to Friday, new PRs ask for reviews,
//     every rule is evaluated and due digests go out. DMs per person per day: p50, p95, max, and the digests' share.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SlackEmulator } from '../../dev/slack/emulator.js';
import { PolicyBook } from '../../src/approvals/policies.js';
import { ApprovalService } from '../../src/approvals/service.js';
import { loadConfig } from '../../src/config.js';
import { recordIdentity } from '../../src/identity/store.js';
import { NotificationService } from '../../src/notifications/service.js';
import { sendsPerPersonDay } from '../../src/notifications/store.js';
import { createLogger } from '../../src/observability/logger.js';
import { SignalEngine } from '../../src/signals/engine.js';
import { RuleBook } from '../../src/signals/rulebook.js';
import type { Db } from '../../src/store/db.js';
import { onEachEngine } from './engines.js';
import { seedOrg } from './org.js';

const logger = createLogger('silent');
const PRS = Number(process.env.BENCH_PRS ?? 20_000);
const TICKETS = Number(process.env.BENCH_TICKETS ?? 50_000);
const PEOPLE = 150;
const LEADS = 10;
const NEW_PRS_PER_HOUR = Number(process.env.BENCH_NEW_PRS_PER_HOUR ?? 30);

const pct = (sorted: number[], p: number) =>
  sorted.length ? (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0) : 0;

// ---- 1. the demo's first start ------------------------------------------------------------------------------------

interface DemoModule {
  startOfflineDemo(config: unknown): Promise<{
    app: {
      signals: { evaluate(o: { all: boolean }): Promise<unknown> };
      notifications?: { sendDigests(): Promise<number> };
    };
    emulator: SlackEmulator;
    users: Record<string, string>;
    stop(): Promise<void>;
  }>;
}

async function demoFirstStart(): Promise<void> {
  const root = path.resolve(process.env.BENCH_NOTIFY_ROOT ?? '.');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'em-bench-notify-demo-'));
  const { startOfflineDemo } = (await import(path.join(root, 'dev/demo/offline.ts'))) as DemoModule;
  const log = console.log;
  console.log = () => {}; // the demo narrates its start; the bench prints figures only
  const config = loadConfig({
    DATA_DIR: dataDir,
    HTTP_PORT: '0',
    HTTP_HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    JOBS_POLL_MS: '500',
    SIGNALS_TICK_MS: '2000',
    RULES_DIR: path.join(root, 'rules'),
    POLICIES_DIR: path.join(root, 'policies'),
  });
  const demo = await startOfflineDemo(config);
  try {
    // What the first minutes bring: every rule evaluated after the first sync, the digest job, the jobs' own ticks.
    await demo.app.signals.evaluate({ all: true });
    await demo.app.notifications?.sendDigests();
    await new Promise((resolve) => setTimeout(resolve, 8000));
    await demo.emulator.settle();
    console.log = log;
    const ws = demo.emulator.workspace;
    const rows: string[] = [];
    let duplicates = 0;
    let most = 0;
    for (const [name, id] of Object.entries(demo.users)) {
      const dms = demo.emulator.messagesIn(ws.imWith(id).id).filter((m) => m.user === ws.botUserId);
      const subjects = dms.flatMap((m) => [
        ...new Set((JSON.stringify(m.blocks ?? m.text).match(/acme\/[\w-]+#\d+|ENG-\d+/g) ?? []) as string[]),
      ]);
      const told = new Map<string, number>();
      for (const s of subjects) told.set(s, (told.get(s) ?? 0) + 1);
      const twice = [...told.values()].filter((n) => n > 1).length;
      duplicates += twice;
      most = Math.max(most, dms.length);
      if (process.env.BENCH_NOTIFY_VERBOSE)
        for (const m of dms) console.log(`  ${name}: ${String(m.text).slice(0, 160).replaceAll('\n', ' ')}`);
      rows.push(
        `${name} ${dms.length}${dms.length ? ` (${dms.map((m) => (m.text?.startsWith('Your digest') ? 'digest' : 'nudge')).join(', ')})` : ''}${twice ? `, ${twice} subject(s) twice` : ''}`,
      );
    }
    if (process.env.BENCH_NOTIFY_VERBOSE) {
      const db = (demo.app as unknown as { db: Db }).db;
      const { rows } = await db.query(
        "SELECT s.rule, s.subject, s.backfill, s.opened_at, a.id AS approval, a.created_at FROM signals s LEFT JOIN approvals a ON a.signal_id = s.id WHERE s.rule IN ('no_ticket_link', 'review_requested') ORDER BY s.id",
      );
      console.log(
        rows.length,
        (
          await db.query(
            "SELECT recipient, subject, backfill, realtime_at, reasons FROM notification_items WHERE subject LIKE 'approval:%'",
          )
        ).rows,
        (await db.query('SELECT * FROM notification_sends')).rows,
      );
    }
    console.log(`demo first start (${root}): DMs per person: ${rows.join('; ')}`);
    console.log(
      `demo first start: at most ${most} DM(s) for one person (goal ≤ 1, the digest), ${duplicates} subject(s) told twice to one person (goal 0)`,
    );
  } finally {
    console.log = log;
    await demo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---- 2. a simulated working week on the benchmark org -----------------------------------------------------------

/** Monday 08:00 UTC of next week. */
function nextMonday(): Date {
  const d = new Date();
  d.setUTCHours(8, 0, 0, 0);
  d.setUTCDate(d.getUTCDate() + ((8 - d.getUTCDay()) % 7 || 7));
  return d;
}

async function week(engine: string, db: Db): Promise<void> {
  const started = Date.now();
  await seedOrg(db, { prs: PRS, tickets: TICKETS });
  const emulator = await new SlackEmulator({ rateLimits: false }).start();
  const ws = emulator.workspace;
  const slackIds: string[] = [];
  for (let i = 0; i < PEOPLE; i++) {
    const id = ws.addUser({ name: `dev${i}`, real_name: `Dev ${i}`, email: `dev${i}@acme.dev` }).id;
    slackIds.push(id);
    await recordIdentity(db, { email: `dev${i}@acme.dev`, github: `dev${i}`, jira: `acc-${i}`, slack: id }, true);
  }
  ws.userGroups.set('S0LEADS', { id: 'S0LEADS', handle: 'eng-leads', users: slackIds.slice(0, LEADS) });
  const { WebClient } = await import('@slack/web-api');
  const slack = new WebClient(emulator.botToken, { slackApiUrl: emulator.apiUrl });
  const clock = { now: nextMonday() };
  const policies = new PolicyBook(path.resolve('policies')).reload();
  const approvals = new ApprovalService({ db, logger, policies, clients: { slack } });
  const notifications = new NotificationService({
    db,
    logger,
    slack: () => slack,
    policies,
    expand: (a) => approvals.expandApprovers(a),
    scopes: 0,
    clock: () => clock.now,
  });
  approvals.notifyApprover = (r, a, deliver) => notifications.approvalRequested(r, a, deliver);
  const signals = new SignalEngine({
    db,
    logger,
    rules: new RuleBook(path.resolve('rules')),
    approvals,
    notifications,
  });
  let number = PRS;
  let evaluations = 0;
  for (let day = 0; day < 5; day++) {
    for (let hour = 0; hour <= 10; hour++) {
      clock.now = new Date(nextMonday().getTime() + day * 86_400_000 + hour * 3_600_000);
      if (day > 0 || hour > 0) {
        // New work this hour: PRs that ask someone for a review.
        await db.query(
          `INSERT INTO pull_requests (repo, number, title, author, state, draft, created_at, updated_at, head_ref, base_ref,
             additions, deletions, changed_files, requested_reviewers, labels, ticket_keys, first_commit_at, url)
           SELECT 'acme/svc-' || (n % 200), n, 'ENG-' || n || ' new work', 'dev' || (n % ${PEOPLE}), 'open', false, $3, $3,
                  'eng-' || n, 'main', 40, 10, 2, ARRAY['dev' || ((n * 7 + 3) % ${PEOPLE})], '{}', ARRAY['ENG-' || n], $3,
                  'https://github.com/acme/svc/pull/' || n
             FROM generate_series($1::int, $2::int) AS n`,
          [number + 1, number + NEW_PRS_PER_HOUR, clock.now],
        );
        number += NEW_PRS_PER_HOUR;
      }
      await signals.evaluate({ all: true, now: clock.now });
      evaluations += 1;
      await notifications.sendDigests();
    }
  }
  await emulator.settle();
  const perDay = await sendsPerPersonDay(db);
  const byPersonDay = new Map<string, number>();
  for (const r of perDay) byPersonDay.set(`${r.recipient} ${r.local_day}`, r.n);
  // Every person, every working day: a day without a DM counts as 0.
  const counts: number[] = [];
  const days = [...new Set(perDay.map((r) => r.local_day))].sort().slice(0, 5);
  for (const id of slackIds) for (const d of days) counts.push(byPersonDay.get(`${id} ${d}`) ?? 0);
  counts.sort((a, b) => a - b);
  const total = perDay.reduce((n, r) => n + r.n, 0);
  const digests = perDay.reduce((n, r) => n + r.digests, 0);
  const seen = [...ws.channels.values()]
    .filter((c) => c.is_im)
    .reduce((n, c) => n + emulator.messagesIn(c.id).filter((m) => m.user === ws.botUserId).length, 0);
  console.log(
    `${engine.padEnd(9)} week on ${PRS.toLocaleString('en-US')} PRs, ${TICKETS.toLocaleString('en-US')} tickets, ${PEOPLE} people (${LEADS} leads), ` +
      `${NEW_PRS_PER_HOUR} new review requests an hour, ${evaluations} evaluations in ${((Date.now() - started) / 1000).toFixed(0)} s: ` +
      `DMs per person per working day p50 ${pct(counts, 50)}, p95 ${pct(counts, 95)}, max ${counts.at(-1) ?? 0} (goal p95 ≤ 3); ` +
      `${total} DMs, ${total ? Math.round((digests / total) * 100) : 0}% digests; the emulator saw ${seen} DMs`,
  );
  const leads = new Set(slackIds.slice(0, LEADS));
  const leadCounts = perDay.filter((r) => leads.has(r.recipient)).map((r) => r.n);
  console.log(
    `          leads: max ${Math.max(0, ...leadCounts)} DMs a day; engineers: max ${Math.max(0, ...perDay.filter((r) => !leads.has(r.recipient)).map((r) => r.n))}`,
  );
  await emulator.stop();
}

if (process.env.BENCH_NOTIFY_PARTS !== 'week') await demoFirstStart();
if (process.env.BENCH_NOTIFY_PARTS !== 'demo') await onEachEngine('notify', week);
