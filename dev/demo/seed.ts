// A small synthetic engineering org for the offline demo: people in Slack, and PRs, deployments, CI runs and
// tickets served by the local GitHub, Jira and Shortcut stand-ins, which the real connectors then sync. Deterministic.
import { GitHubStandIn } from '../github/server.js';
import { JiraStandIn } from '../jira/server.js';
import { ShortcutStandIn } from '../shortcut/server.js';
import type { SlackEmulator } from '../slack/emulator.js';

export const PEOPLE = [
  { name: 'maya', real_name: 'Maya Chen', role: 'Engineering manager' },
  { name: 'sam', real_name: 'Sam Okafor', role: 'Backend' },
  { name: 'lena', real_name: 'Lena Fischer', role: 'Backend' },
  { name: 'raj', real_name: 'Raj Patel', role: 'Frontend' },
  { name: 'ines', real_name: 'Inês Costa', role: 'SRE' },
  { name: 'tom', real_name: 'Tom Berg', role: 'Frontend' },
];
export const REPOS = ['acme/checkout-api', 'acme/web', 'acme/payments'];
export const INSTALLATION = 4242;

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
  ws.userGroups.set('S0LEADS', { id: 'S0LEADS', handle: 'eng-leads', users: [users.maya as string] });
  return { users, channels };
}

export interface DemoVendors {
  github: GitHubStandIn;
  jira: JiraStandIn;
  shortcut: ShortcutStandIn;
  stop(): Promise<void>;
}

/** Two weeks of an org's history in the GitHub and Jira stand-ins, ending now. */
export async function seedVendors(now = new Date()): Promise<DemoVendors> {
  const rand = random(42);
  const pick = <T>(list: T[]) => list[Math.floor(rand() * list.length)] as T;
  const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000).toISOString();
  const engineers = PEOPLE.filter((p) => p.name !== 'maya').map((p) => p.name);

  const github = await new GitHubStandIn().start();
  github.addInstallation(INSTALLATION, REPOS);
  // Repository docs for /em ask.
  github.setFile(
    'acme/checkout-api',
    'docs/runbooks/rollback.md',
    '# Rolling back a release\n\nTo roll back a release, run `make rollback TO=previous` from the release channel. A rollback takes about four minutes and keeps the database schema.\n\n## Who may roll back\n\nAny on-call engineer may roll back without approval; say so in #incidents first.\n',
  );
  github.setFile(
    'acme/checkout-api',
    'docs/deploy-freeze.md',
    '# Deploy freeze policy\n\nDuring the December freeze only hotfixes ship. A hotfix needs approval from the engineering manager on duty. The freeze runs from 20 December to 2 January.\n',
  );
  // The history is written in time order, so each deployment ships the PRs merged since the one before it (a
  // repository's first deployment, before any of these merges, only marks where counting starts).
  github.setClock(new Date(now.getTime() - 14 * 24 * 3_600_000));
  for (const repo of REPOS) github.addDeployment(repo, 'production', ['in_progress', 'success']);
  const pulls: { at: number; add: () => void }[] = [];
  for (let n = 1; n <= 30; n += 1) {
    const repo = REPOS[n % REPOS.length] as string;
    const author = pick(engineers);
    const age = 2 + rand() * 24 * 12;
    const open = n % 4 === 0;
    const created = hoursAgo(age);
    const merged = open ? null : hoursAgo(Math.max(1, age - (2 + rand() * 40)));
    const pull = {
      title:
        n % 12 === 0
          ? 'Tidy up logging'
          : `ENG-${100 + n}: ${pick(['Add retry to', 'Refactor', 'Fix race in', 'Speed up'])} ${pick(['cart totals', 'webhook handler', 'login form', 'ledger export'])}`,
      author,
      state: open ? ('open' as const) : ('closed' as const),
      created_at: created,
      updated_at: merged ?? created,
      merged_at: merged,
      closed_at: merged,
      head_ref: n % 12 === 0 ? 'tidy-logging' : `eng-${100 + n}`,
      additions: n % 7 === 0 ? 900 : Math.floor(rand() * 300),
      deletions: Math.floor(rand() * 100),
      requested_reviewers: open ? [pick(engineers.filter((e) => e !== author))] : [],
      commits: [{ sha: `c${n}`.padEnd(40, '0'), date: hoursAgo(age + 3) }],
      reviews:
        !open || n % 8 === 0
          ? [
              {
                id: 7000 + n,
                user: pick(engineers.filter((e) => e !== author)),
                state: 'APPROVED' as const,
                submitted_at: hoursAgo(Math.max(0.5, age - 1)),
              },
            ]
          : [],
    };
    pulls.push({ at: Date.parse(merged ?? created), add: () => github.addPull(repo, pull) });
  }
  pulls.sort((x, y) => x.at - y.at);
  const addPullsBefore = (at: number) => {
    while (pulls.length && (pulls[0]?.at ?? Infinity) < at) pulls.shift()?.add();
  };
  // A deployment most working days, at 15:00, of one or two repositories.
  for (let day = 13; day >= 1; day -= 1) {
    const at = new Date(now.getTime() - day * 24 * 3_600_000);
    if (at.getUTCDay() === 0 || at.getUTCDay() === 6) continue;
    at.setUTCHours(15, 0, 0, 0);
    addPullsBefore(at.getTime());
    github.setClock(at);
    github.addDeployment(pick(REPOS), 'production', ['in_progress', 'success']);
    if (rand() < 0.4) github.addDeployment(pick(REPOS), 'production', ['in_progress', 'success']);
  }
  addPullsBefore(Number.POSITIVE_INFINITY);
  github.setClock(new Date(now.getTime() - 3 * 3_600_000));
  github.addRun('acme/checkout-api', 'CI', 'success');
  github.addRun('acme/checkout-api', 'CI', 'failure');
  github.addRun('acme/checkout-api', 'CI', 'failure');
  github.addRun('acme/web', 'CI', 'success');

  const jira = await new JiraStandIn().start();
  const sprintStart = new Date(now.getTime() - 5 * 24 * 3_600_000);
  jira.addSprint(1, {
    id: 42,
    name: 'Sprint 42',
    state: 'active',
    startDate: sprintStart.toISOString(),
    endDate: new Date(now.getTime() + 9 * 24 * 3_600_000).toISOString(),
    originBoardId: 1,
    goal: 'Checkout v2 beta',
  });
  for (let n = 1; n <= 24; n += 1) {
    const status = pick(['To Do', 'In Progress', 'In Review', 'Done', 'Blocked']);
    jira.addIssue({
      key: `ENG-${100 + n}`,
      summary: `${pick(['Checkout', 'Payments', 'Login', 'Search'])}: ${pick(['timeout on submit', 'wrong totals', 'slow page', 'missing audit entry'])}`,
      status,
      statusCategory: status === 'Done' ? 'done' : status === 'To Do' ? 'new' : 'indeterminate',
      priority: pick(['Highest', 'High', 'Medium', 'Low']),
      assignee: rand() < 0.2 ? null : `acc-${pick(engineers)}`,
      points: pick([1, 2, 3, 5, 8]),
      sprintIds: n <= 16 ? [42] : [],
      created: hoursAgo(24 * (1 + rand() * 10)),
      updated: hoursAgo(24 * (0.5 + rand() * 4)),
    });
  }
  jira.addIssue({
    key: 'ENG-200',
    summary: 'Checkout returning 500s',
    type: 'Incident',
    priority: 'Highest',
    status: 'Done',
    statusCategory: 'done',
    created: hoursAgo(30),
    updated: hoursAgo(28.5),
  });
  // The mobile team plans in Shortcut: a smaller iteration than Jira's sprint (so /em sprint still shows that one).
  const shortcut = await new ShortcutStandIn().start();
  shortcut.addTeam('mobile', 'Mobile');
  const members = Object.fromEntries(
    ['raj', 'tom'].map((name) => {
      const person = PEOPLE.find((p) => p.name === name);
      return [name, shortcut.addMember({ mention: name, name: person?.real_name ?? name, email: `${name}@acme.dev` })];
    }),
  );
  const day = (offset: number) => new Date(now.getTime() + offset * 24 * 3_600_000).toISOString().slice(0, 10);
  shortcut.iterations.push({
    id: 12,
    name: 'Mobile 12',
    status: 'started',
    start_date: day(-4),
    end_date: day(5),
    teams: ['mobile'],
  });
  const mobile: [string, string, number, string][] = [
    ['Offline cart', 'raj', 3, 'In Progress'],
    ['Push opt-in screen', 'tom', 2, 'QA'],
    ['Crash on rotate', 'tom', 1, 'Done'],
    ['App Store screenshots', 'raj', 1, 'To Do'],
  ];
  mobile.forEach(([name, owner, estimate, state], i) => {
    shortcut.addStory({
      id: 301 + i,
      name,
      team: 'mobile',
      ownerIds: [members[owner]?.id as string],
      estimate,
      createdAt: hoursAgo(24 * 6),
      updatedAt: hoursAgo(24 * 6),
    });
    shortcut.setIteration(301 + i, 12, hoursAgo(24 * 5));
    if (state !== 'To Do')
      shortcut.move(301 + i, state === 'Done' ? 'In Progress' : state, hoursAgo(30 - i), members[owner]?.id);
    if (state === 'Done') shortcut.move(301 + i, 'Done', hoursAgo(6), members[owner]?.id);
  });
  return {
    github,
    jira,
    shortcut,
    async stop() {
      await github.stop();
      await jira.stop();
      await shortcut.stop();
    },
  };
}

/** sources.yml for the demo: the stand-ins' repositories and project, and who is who across Slack and GitHub. */
export function demoSourcesYaml(users: Record<string, string>): string {
  return [
    'github:',
    '  installations:',
    `    - { id: ${INSTALLATION}, repos: [${REPOS.join(', ')}] }`,
    '  interval: 1 minute',
    '  backfill_days: 30',
    '  docs: { paths: [README.md, docs/], extensions: [.md] }',
    'jira:',
    '  projects: [ENG]',
    '  boards: [1]',
    '  interval: 1 minute',
    '  backfill_days: 30',
    'shortcut:',
    '  teams: [mobile]',
    '  interval: 1 minute',
    '  backfill_days: 30',
    'people:',
    ...PEOPLE.map(
      (p) => `  - { email: ${p.name}@acme.dev, slack: ${users[p.name]}, github: ${p.name}, jira: acc-${p.name} }`,
    ),
  ].join('\n');
}
