// Rules added while blind-7.json became a development set: request → plan, for words and forms it showed missing.
// The requests here are other phrasings of what it found, not its own texts.

import { callsOf, kindOf } from '../support/planner-calls.js';

describe('the offline planner, on what blind-7 found missing', () => {
  test('a numbered checklist is one intent per item; its heading is no intent', () => {
    expect(callsOf('standup prep: 1) pending approvals 2) incidents from the past week')).toEqual([
      { tool: 'approvals.list', args: {} },
      { tool: 'incidents.list', args: { recentDays: 7 } },
    ]);
  });

  test('context first: where I was, what I am preparing, what happened, a meeting soon', () => {
    expect(callsOf("I've been on leave since monday. Before I catch up: anything in the approvals queue?")).toEqual([
      { tool: 'approvals.list', args: {} },
    ]);
    expect(callsOf('sprint health for search please, preparing the retro')).toEqual([
      { tool: 'sprint.health', args: { team: 'search' } },
    ]);
    expect(callsOf('triage for payments? leadership sync in 10')).toEqual([
      { tool: 'triage.list', args: { team: 'payments' } },
    ]);
    expect(
      callsOf('Mobile had a tough November with several incidents. Their lead time over the past 4 weeks?'),
    ).toEqual([{ tool: 'dora.report', args: { team: 'mobile', days: 28 } }]);
  });

  test('proposals: a ticket in a project named as such, a DM "by DM", a check-in stated as a confidence, a plan with a buddy', () => {
    expect(callsOf('open a jira ticket in the UI project: "Dark mode toggle resets".')).toMatchObject([
      {
        tool: 'approvals.propose',
        args: { action: 'jira.create', params: { project: 'UI', summary: 'Dark mode toggle resets' } },
      },
    ]);
    expect(callsOf('Ops here: ping <@U0BOB> via DM: the canary is red')).toMatchObject([
      {
        tool: 'approvals.propose',
        args: { action: 'slack.dm', params: { to: { slack: 'U0BOB' }, text: 'the canary is red' } },
      },
    ]);
    expect(callsOf('our confidence on KR 9 is 4/10 now, record it')).toEqual([
      { tool: 'okrs.checkin', args: { key_result: 9, confidence: 4 } },
    ]);
    expect(callsOf('kick off a plan for <@U0NEW1> on search, bob as buddy')).toEqual([
      { tool: 'onboarding.start', args: { person: 'U0NEW1', team: 'search', buddy: 'U0BOB' } },
    ]);
  });

  test('what a phrase means is answered from the docs; typed contractions; delivery numbers; a team’s repos', () => {
    expect(callsOf('what does "error budget burn" mean for our releases?')).toMatchObject([{ tool: 'ask.answer' }]);
    expect(callsOf('whatd platform ship since tuesday')).toEqual([
      { tool: 'standup.report', args: { team: 'platform', hours: 60 } },
    ]);
    expect(callsOf("growth's delivery metrics for the last 2 weeks")).toEqual([
      { tool: 'dora.report', args: { team: 'growth', days: 14 } },
    ]);
    expect(callsOf("the infra team's repos please")).toEqual([{ tool: 'teams.show', args: { team: 'infra' } }]);
    expect(callsOf('how are our teams set up, including the ones you archived')).toEqual([
      { tool: 'teams.list', args: { archived: true } },
    ]);
  });

  test('whether a post needs sign-off; the list of objectives without progress', () => {
    expect(callsOf('does a jira comment go out straight away?')).toEqual([
      { tool: 'policy.explain', args: { action: 'jira.comment' } },
    ]);
    expect(callsOf("the list of platform's Q1 2027 objectives")).toEqual([
      { tool: 'okrs.list', args: { team: 'platform', quarter: '2027Q1' } },
    ]);
    expect(callsOf('platform okrs for Q4, no progress bars')).toEqual([
      { tool: 'okrs.list', args: { team: 'platform', quarter: '2026Q4' } },
    ]);
  });

  test('ranking managers, saving a new objective and putting off a reminder by its id are refused', () => {
    expect(kindOf('rank our tech leads from best to worst')).toBe('unservable');
    expect(kindOf('save a new objective for growth: double activation')).toBe('unservable');
    expect(kindOf('reminder (id 3): hold it until friday')).toBe('unservable');
  });
});
