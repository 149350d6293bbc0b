// Rules added while blind-5.json became a development set: request → plan, for words and forms it showed missing.
// The requests here are other phrasings of what it found, not its own texts.
import { callsOf, kindOf } from '../support/planner-calls.js';

describe('the offline planner, on what blind-5 found missing', () => {
  test('context around a request is no refusal: where I was, what was done, which rules to rerun', () => {
    expect(callsOf('just back from vacation, what did growth ship since tuesday')).toEqual([
      { tool: 'standup.report', args: { team: 'growth', hours: 60 } },
    ]);
    expect(callsOf('which PRs did mobile open and close this week')).toMatchObject([{ tool: 'standup.report' }]);
    expect(callsOf('re-evaluate each rule, then the signals for search')).toEqual([
      { tool: 'signals.list', args: { team: 'search', evaluate: true } },
    ]);
    // Acting is still refused.
    expect(kindOf('merge acme/api#12 and close the ticket')).toBe('unservable');
  });

  test('what to look at first is what needs attention; how a team has been doing is not a standup', () => {
    expect(callsOf('payments: what should we focus on today')).toEqual([
      { tool: 'triage.list', args: { team: 'payments' } },
    ]);
    expect(callsOf('how has mobile been doing? deploy frequency for the last 3 weeks')).toEqual([
      { tool: 'dora.report', args: { team: 'mobile', days: 21 } },
    ]);
  });

  test('who is speaking, what someone said and a condition are context, not requests', () => {
    expect(callsOf('new EM here, is there a doc on how we run retros')).toMatchObject([{ tool: 'ask.search' }]);
    expect(callsOf("is carol's onboarding on track? she said her laptop never arrived")).toEqual([
      { tool: 'onboarding.progress', args: { person: 'U0CAROL' } },
    ]);
    expect(callsOf('if we add a label on github, does it need an approver?')).toEqual([
      { tool: 'policy.explain', args: { action: 'github.label' } },
    ]);
  });

  test('counts of audit lines, lists of objectives and archived teams, a team setup', () => {
    expect(callsOf('show me 25 rows of the audit log')).toEqual([{ tool: 'approvals.audit', args: { limit: 25 } }]);
    expect(callsOf('Q3 objectives for search, only the list')).toEqual([
      { tool: 'okrs.list', args: { team: 'search', quarter: '2026Q3' } },
    ]);
    expect(callsOf('every team please, including the ones that were archived')).toEqual([
      { tool: 'teams.list', args: { archived: true } },
    ]);
    expect(callsOf("what's the infra team setup")).toEqual([{ tool: 'teams.show', args: { team: 'infra' } }]);
  });

  test('proposals written loosely: a jira without "ticket", reviewers to get, a check-in at a level', () => {
    expect(callsOf('file a jira in OPS: rotate the staging certs')).toMatchObject([
      { tool: 'approvals.propose', args: { action: 'jira.create', params: { project: 'OPS' } } },
    ]);
    expect(callsOf('have octo-ann review acme/web#55')).toMatchObject([
      {
        tool: 'approvals.propose',
        args: { action: 'github.request_reviewers', params: { repo: 'acme/web', number: 55, reviewers: ['octo-ann'] } },
      },
    ]);
    expect(callsOf('our monthly check-in for KR 3 at 6')).toEqual([
      { tool: 'okrs.checkin', args: { key_result: 3, confidence: 6 } },
    ]);
  });

  test('the other open incidents after one timeline; a window stays with its intent when the next asks what is open', () => {
    expect(callsOf('timeline of incident 12 and anything else still open')).toEqual([
      { tool: 'incidents.list', args: {} },
      { tool: 'incidents.timeline', args: { number: 12 } },
    ]);
    expect(callsOf('dora for infra since nov 1, and the active incidents')).toEqual([
      { tool: 'dora.report', args: { team: 'infra', days: 33 } },
      { tool: 'incidents.list', args: { team: 'infra' } },
    ]);
    expect(callsOf('dora for the last 2 weeks and the incidents too')).toEqual([
      { tool: 'dora.report', args: { days: 14 } },
      { tool: 'incidents.list', args: { recentDays: 14 } },
    ]);
  });

  test('spend, hiding reminders and minting tokens are not mine to do', () => {
    expect(kindOf('how much is our azure spend this month')).toBe('unservable');
    expect(kindOf('dismiss the stale-pr reminder in my digest')).toBe('unservable');
    expect(kindOf('issue me a new api token for the ci bot')).toBe('unservable');
  });
});
