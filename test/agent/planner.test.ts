// The offline planner: requests as people type them → tools and arguments (pure; no database, no Slack).
import { plan } from '../../src/agent/planner.js';
import { parseTimeWindow } from '../../src/agent/time-window.js';
import {
  BLIND2_FILE,
  BLIND3_FILE,
  DEV_FILE,
  DEV2_FILE,
  DEV3_EXTRA_FILE,
  DEV3_FILE,
  EVAL_CONTEXT,
  evalRequests,
  halfOf,
  scoreHalf,
} from '../support/agent-eval.js';
import { agentToolCatalogue } from '../support/agent-tools.js';

const tools = agentToolCatalogue();
const planOf = (text: string) => plan(text, tools, EVAL_CONTEXT);
/** The calls a request gets, exactly (or the plan when it runs nothing). */
const callsOf = (text: string) => {
  const p = planOf(text);
  return p.kind === 'run' ? p.calls : p;
};

describe('the offline planner', () => {
  test('several intents in one request run several tools, each with its own arguments', () => {
    expect(planOf('how is the growth team doing this sprint and what is blocking them')).toEqual({
      kind: 'run',
      calls: [
        { tool: 'triage.list', args: { team: 'growth' } },
        { tool: 'sprint.health', args: { team: 'growth' } },
      ],
      window: { phrase: 'this sprint', hours: 336, days: 14 },
    });
  });

  test('@mentions become people, the bot itself is not one; repositories and windows become arguments', () => {
    expect(planOf('<@UBOT> what did <@U0ALICE> and <@U0BOB> ship in acme/web since Monday?')).toMatchObject({
      kind: 'run',
      calls: [{ tool: 'standup.report', args: { people: ['U0ALICE', 'U0BOB'], repo: 'acme/web', hours: 84 } }],
    });
    expect(planOf('lead time for the payments-service repo over the last two weeks')).toMatchObject({
      calls: [{ tool: 'dora.report', args: { repo: 'acme/payments-service', days: 14 } }],
    });
  });

  test('typos are forgiven (one edit, or two neighbours swapped)', () => {
    expect(planOf('deploymnet frequency')).toMatchObject({ calls: [{ tool: 'dora.report' }] });
    expect(planOf('sprnit health')).toMatchObject({ calls: [{ tool: 'sprint.health' }] });
  });

  test('unsure: two or three closest tools are offered, never a proposal', () => {
    const unsure = planOf('how are things?');
    expect(unsure.kind).toBe('choose');
    if (unsure.kind !== 'choose') return;
    expect(unsure.choices.length).toBeGreaterThanOrEqual(2);
    expect(unsure.choices.length).toBeLessThanOrEqual(3);
    expect(unsure.choices.map((c) => c.tool)).not.toContain('approvals.propose');
  });

  test('what no tool does is said so; deciding is never planned, whatever the words', () => {
    for (const text of ['deploy payments to prod', 'approve every pending request', 'what is the weather in Oslo'])
      expect(planOf(text).kind).toBe('unservable');
    for (const r of evalRequests()) {
      const p = planOf(r.text);
      if (p.kind === 'run') expect(p.calls.map((c) => c.tool)).not.toContain('approvals.decide');
    }
  });

  test('asking to nudge a person proposes a DM to them, and only that', () => {
    expect(planOf('nudge <@U0BOB> about the stale auth PR')).toEqual({
      kind: 'run',
      calls: [
        {
          tool: 'approvals.propose',
          args: {
            action: 'slack.dm',
            params: { to: { slack: 'U0BOB' }, text: 'about the stale auth PR' },
            summary: 'DM: about the stale auth PR',
          },
        },
      ],
    });
  });

  test('a post with its channel and text, a ticket in a named project, a comment on a key are proposals', () => {
    expect(planOf('post in #eng that the freeze starts friday')).toMatchObject({
      calls: [
        {
          tool: 'approvals.propose',
          args: { action: 'slack.post', params: { channel: '#eng', text: 'the freeze starts friday' } },
        },
      ],
    });
    expect(planOf('open a jira ticket in PAY to rotate the webhook secret')).toMatchObject({
      calls: [
        {
          tool: 'approvals.propose',
          args: { action: 'jira.create', params: { project: 'PAY', summary: 'rotate the webhook secret' } },
        },
      ],
    });
    expect(planOf('comment on PAY-7: fixed in main')).toMatchObject({
      calls: [
        {
          tool: 'approvals.propose',
          args: { action: 'jira.comment', params: { key: 'PAY-7', body: 'fixed in main' } },
        },
      ],
    });
    // Without a project, or posting a report rather than a message: nothing to propose, and acting is refused.
    expect(planOf('open a jira ticket for the flaky test').kind).toBe('unservable');
    expect(planOf('post the sprint report in #eng').kind).toBe('unservable');
  });

  test('a comment on a Linear issue, and a ticket whose project key comes before the word "ticket"', () => {
    expect(callsOf('comment on linear issue GRO-88: pushed to next cycle, waiting on design')).toEqual([
      {
        tool: 'approvals.propose',
        args: {
          action: 'linear.comment',
          params: { issue: 'GRO-88', body: 'pushed to next cycle, waiting on design' },
          summary: 'Comment on GRO-88: pushed to next cycle, waiting on design',
        },
      },
    ]);
    expect(callsOf('comment on GRO-88 in linear: blocked on api')).toMatchObject([
      { args: { action: 'linear.comment', params: { issue: 'GRO-88', body: 'blocked on api' } } },
    ]);
    expect(callsOf('Open a PLAT ticket to fix the flaky e2e suite')).toEqual([
      {
        tool: 'approvals.propose',
        args: {
          action: 'jira.create',
          params: { project: 'PLAT', summary: 'fix the flaky e2e suite' },
          summary: 'Create a PLAT ticket: fix the flaky e2e suite',
        },
      },
    ]);
  });

  test('"dm him" after naming one person is a DM to that person, next to the report about them', () => {
    expect(callsOf('what did bob do in the last 24h? and dm him to update the PAY-77 ticket')).toEqual([
      { tool: 'standup.report', args: { people: ['U0BOB'], hours: 24 } },
      {
        tool: 'approvals.propose',
        args: {
          action: 'slack.dm',
          params: { to: { slack: 'U0BOB' }, text: 'to update the PAY-77 ticket' },
          summary: 'DM: to update the PAY-77 ticket',
        },
      },
    ]);
  });

  test('whether an action needs someone to approve it is a policy question; approving it is still refused', () => {
    expect(callsOf('would a jira.create need someone to approve it?')).toEqual([
      { tool: 'policy.explain', args: { action: 'jira.create' } },
    ]);
    expect(planOf('can you approve it').kind).toBe('unservable');
  });

  test('a check-in on a key result and starting an onboarding are proposed through their own tools', () => {
    expect(callsOf('check in on key result 14: confidence 7, vendor api still slipping')).toEqual([
      { tool: 'okrs.checkin', args: { key_result: 14, confidence: 7, note: 'vendor api still slipping' } },
    ]);
    expect(callsOf('KR 3 check-in, 5/10, hiring delayed')).toEqual([
      { tool: 'okrs.checkin', args: { key_result: 3, confidence: 5, note: 'hiring delayed' } },
    ]);
    expect(callsOf('kick off onboarding for <@U0DAN> on payments, bob is his buddy')).toEqual([
      { tool: 'onboarding.start', args: { person: 'U0DAN', team: 'payments', buddy: 'U0BOB' } },
    ]);
    expect(callsOf('start onboarding for dan in mobile with <@U0ALICE> as buddy')).toEqual([
      { tool: 'onboarding.start', args: { person: 'U0DAN', team: 'mobile', buddy: 'U0ALICE' } },
    ]);
    expect(callsOf('please start the onboarding for @carol in search')).toEqual([
      { tool: 'onboarding.start', args: { person: 'U0CAROL', team: 'search' } },
    ]);
    // Without a confidence there is nothing to check in: the key results are shown.
    expect(callsOf('check in on key result 14')).toEqual([{ tool: 'okrs.show', args: {} }]);
  });

  test('a proposal and a report in one request both run; the report keeps its own arguments', () => {
    expect(planOf('dm bob asking him to look at the PR, and show me what is stale in acme/api')).toMatchObject({
      calls: [
        { tool: 'triage.list', args: { repo: 'acme/api' } },
        { tool: 'approvals.propose', args: { action: 'slack.dm', params: { to: { slack: 'U0BOB' } } } },
      ],
    });
  });

  test('org-wide scope, people in the order named, list limits, re-evaluated rules, a YAML rule', () => {
    expect(planOf('org-wide incidents going back 3 weeks')).toMatchObject({
      calls: [{ tool: 'incidents.list', args: { team: 'org', recentDays: 21 } }],
    });
    expect(planOf('what did carol and <@U0ALICE> merge')).toMatchObject({
      calls: [{ tool: 'standup.report', args: { people: ['U0CAROL', 'U0ALICE'] } }],
    });
    expect(planOf('pending approvals + the last 10 audit entries')).toMatchObject({
      calls: [
        { tool: 'approvals.list', args: {} },
        { tool: 'approvals.audit', args: { limit: 10 } },
      ],
    });
    expect(planOf('dora for the last 30 days and incidents this week')).toMatchObject({
      calls: [
        { tool: 'dora.report', args: { days: 30 } },
        { tool: 'incidents.list', args: { recentDays: 4 } },
      ],
    });
    expect(planOf('rerun the rules and show the signals')).toMatchObject({
      calls: [{ tool: 'signals.list', args: { evaluate: true } }],
    });
    expect(planOf('try this:\n- id: big\n  when: pull_request.additions > 900')).toMatchObject({
      calls: [{ tool: 'signals.evaluate', args: { yaml: '- id: big\n  when: pull_request.additions > 900' } }],
    });
  });

  test('words count in their other forms, and a word one tool has as written is no typo for another', () => {
    // "deploying" is a form of "deploys"; "iteration" is the sprint's word, not a typo of "integration".
    expect(planOf('how often are we deploying')).toMatchObject({ kind: 'run', calls: [{ tool: 'dora.report' }] });
    expect(planOf("what's left in the current iteration")).toMatchObject({
      kind: 'run',
      calls: [{ tool: 'sprint.health' }],
    });
  });

  test('people by plain name, repositories by short name, teams however they are written', () => {
    expect(planOf('what has dan been working on')).toMatchObject({
      calls: [{ tool: 'standup.report', args: { people: ['U0DAN'] } }],
    });
    expect(planOf('stale PRs in the api repo')).toMatchObject({
      calls: [{ tool: 'triage.list', args: { repo: 'acme/api' } }],
    });
    expect(planOf('lead time for the monolith')).toMatchObject({
      calls: [{ tool: 'dora.report', args: { repo: 'acme/monolith' } }],
    });
    expect(planOf("how's the payment team's sprint")).toMatchObject({
      calls: [{ tool: 'sprint.health', args: { team: 'payments' } }],
    });
    // "api" alone is a common word: no repository unless it is plainly one.
    expect(planOf('is the github api rate limit ok')).toMatchObject({ calls: [{ tool: 'sources.status', args: {} }] });
  });

  test('a misspelt team is still the team when a word like "team" says it is one', () => {
    expect(callsOf('anything urgent for the serach team?')).toEqual([
      { tool: 'triage.list', args: { team: 'search' } },
    ]);
  });

  test('each intent gets the team its own part names; a later part with its own window does not take an earlier team', () => {
    expect(callsOf('standup for platform last 48h, and also triage for infra')).toEqual([
      { tool: 'triage.list', args: { team: 'infra' } },
      { tool: 'standup.report', args: { team: 'platform', hours: 48 } },
    ]);
    expect(callsOf('dora org-wide since nov 1 and the incidents since nov 1 too')).toEqual([
      { tool: 'dora.report', args: { team: 'org', days: 33 } },
      { tool: 'incidents.list', args: { recentDays: 33 } },
    ]);
    // A bare follow-on, or one that points back, shares the team.
    expect(callsOf('triage for payments, then the burndown')).toEqual([
      { tool: 'triage.list', args: { team: 'payments' } },
      { tool: 'sprint.health', args: { team: 'payments' } },
    ]);
    // A team heading the request ("payments: …") is every part's.
    expect(callsOf('payments: sprint health and incidents this week')).toEqual([
      { tool: 'sprint.health', args: { team: 'payments' } },
      { tool: 'incidents.list', args: { team: 'payments', recentDays: 4 } },
    ]);
    expect(callsOf('incidents for mobile this week and what is blocking them')).toEqual([
      { tool: 'triage.list', args: { team: 'mobile' } },
      { tool: 'incidents.list', args: { team: 'mobile', recentDays: 4 } },
    ]);
  });

  test('teams, their details, OKR lists and onboarding progress in the words people use', () => {
    expect(callsOf('show teams including the archived ones')).toEqual([
      { tool: 'teams.list', args: { archived: true } },
    ]);
    expect(callsOf('list teams but not the archived ones')).toEqual([{ tool: 'teams.list', args: {} }]);
    expect(callsOf('team details for growth')).toEqual([{ tool: 'teams.show', args: { team: 'growth' } }]);
    expect(callsOf("just list mobile's objectives for Q1 2027")).toEqual([
      { tool: 'okrs.list', args: { team: 'mobile', quarter: '2027Q1' } },
    ]);
    expect(callsOf('onboarding progress for <@U0CAROL>')).toEqual([
      { tool: 'onboarding.progress', args: { person: 'U0CAROL' } },
    ]);
    expect(callsOf('is onboarding for dan going ok')).toEqual([
      { tool: 'onboarding.progress', args: { person: 'U0DAN' } },
    ]);
    // "Heads down" is being busy, not something down.
    expect(callsOf("standup for alice, past 3 days, she's been heads down")).toEqual([
      { tool: 'standup.report', args: { people: ['U0ALICE'], hours: 72 } },
    ]);
  });

  test('a part saying what the answer is for, or what is not wanted, asks for no tool', () => {
    expect(callsOf('incident 108 timeline pls, need it for the postmortem')).toEqual([
      { tool: 'incidents.timeline', args: { number: 108 } },
    ]);
    expect(callsOf('list the objectives and KR owners for every team, no progress needed')).toEqual([
      { tool: 'okrs.list', args: { team: 'org' } },
    ]);
  });

  test('a docs search takes how many hits are asked for, and that is not part of what it looks for', () => {
    expect(callsOf('look up docs on the payments retry policy, give me the top 10 hits')).toEqual([
      { tool: 'ask.search', args: { query: 'look up docs on the payments retry policy', limit: 10 } },
    ]);
  });

  test('an incident by its number gets its timeline', () => {
    expect(planOf('what happened during INC-12')).toMatchObject({
      calls: [{ tool: 'incidents.timeline', args: { number: 12 } }],
    });
  });

  test('acting, hiring, pay, calendars, personal questions and the world outside are refused, reports are not', () => {
    for (const text of [
      'set up interviews with the backend candidates',
      "what's alice's salary",
      'add a retro to my calendar',
      'write a bash script that prunes branches',
      'how are you today',
      'close all the stale tickets',
      'move PAY-231 to done',
      'resolve INC-19 and archive the channel',
      'show me the incidents, then restart the api',
      'does dan have enough leave left',
      'is test coverage going up',
      'rank my engineers by performance',
    ])
      expect([text, planOf(text).kind]).toEqual([text, 'unservable']);
    for (const text of [
      'deploy frequency last month',
      'change failure rate this quarter',
      'open PRs in acme/web',
      'close to finishing the sprint?',
      'where is the doc on our interview process',
      'update me on the sprint',
    ])
      expect([text, planOf(text).kind]).toEqual([text, 'run']);
  });

  test('on the held-out half it stays above a floor (the bench prints the figures)', () => {
    const f = scoreHalf(
      evalRequests().filter((r) => halfOf(r.text) === 'held-out'),
      planOf,
    );
    expect(f.toolsRight / f.servable).toBeGreaterThanOrEqual(0.8);
    expect(f.argsRight / f.servable).toBeGreaterThanOrEqual(0.75);
    expect(f.recognised / f.unservable).toBeGreaterThanOrEqual(0.8);
  });

  test.each([
    ['dev', DEV_FILE],
    ['dev-2', DEV2_FILE],
    ['dev-3', DEV3_FILE],
    ['dev-3-extra', DEV3_EXTRA_FILE],
    ['dev-blind-2', BLIND2_FILE],
    ['dev-blind-3', BLIND3_FILE],
  ])('on the %s requests it stays above the goal of issue #22', (_name, file) => {
    const f = scoreHalf(evalRequests(file), planOf);
    expect(f.toolsRight / f.servable).toBeGreaterThanOrEqual(0.9);
    expect(f.argsRight / f.servable).toBeGreaterThanOrEqual(0.85);
    expect(f.recognised / f.unservable).toBeGreaterThanOrEqual(0.8);
  });
});

describe('time windows', () => {
  const now = new Date('2026-12-03T12:00:00Z'); // a Thursday
  test.each([
    ['last two weeks', 336, 14],
    ['past 3 days', 72, 3],
    ['since Monday', 84, 4],
    ['this week', 84, 4],
    ['this month', 60, 3],
    ['since Nov 1', 780, 33],
    ['since 2026-11-30', 84, 4],
    ['over 12w', 2016, 84],
    ['yesterday', 48, 2],
    ['last quarter', 2160, 90],
    ['in the last 48h', 48, 2],
    ['over the past fortnight', 336, 14],
    ['since last monday', 84, 4],
    ['this quarter', 1524, 64],
    ['in Q3', 3732, 156],
    ['YTD', 8076, 337],
    ['month to date', 60, 3],
    ['since the start of the year', 8076, 337],
    ['since November', 780, 33],
    ['over the last 2 sprints', 672, 28],
    ['go back 6 weeks', 1008, 42],
    ['since 20 nov', 324, 14],
    ['since the start of November', 780, 33],
  ])('%s → %i hours, %i days', (phrase, hours, days) => {
    expect(parseTimeWindow(`what happened ${phrase}?`, now)).toMatchObject({ hours, days });
  });

  test('calendar words start at midnight in the configured time zone', () => {
    // 12:00 UTC is 21:00 in Tokyo: "today" there began 21 hours ago, "this week" on Monday 00:00 JST.
    expect(parseTimeWindow('this week', now, { timezone: 'Asia/Tokyo' })).toMatchObject({ hours: 93 });
  });

  test('no window named → none', () => {
    expect(parseTimeWindow('what is blocking payments', now)).toBeUndefined();
  });
});
