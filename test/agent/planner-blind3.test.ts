// Rules added while blind-3.json became a development set: request → plan, for words and forms it showed missing.
import { callsOf } from '../support/planner-calls.js';

describe('the offline planner, on what blind-3 found missing', () => {
  test('what is burning, what to jump on first: what needs attention, not a refusal', () => {
    expect(callsOf("what's burning for mobile this week")).toEqual([{ tool: 'triage.list', args: { team: 'mobile' } }]);
    expect(callsOf('infra: what should i tackle first')).toEqual([{ tool: 'triage.list', args: { team: 'infra' } }]);
    expect(callsOf('for search: what should i jump on first')).toEqual([
      { tool: 'triage.list', args: { team: 'search' } },
    ]);
    expect(callsOf('jump on a call with bob')).not.toMatchObject([{ tool: 'triage.list' }]);
  });

  test("a team's repositories, on-call group and channel, and my own team are the team's details", () => {
    expect(callsOf('which services does growth own?')).toEqual([{ tool: 'teams.show', args: { team: 'growth' } }]);
    expect(callsOf("mobile's on-call group")).toEqual([{ tool: 'teams.show', args: { team: 'mobile' } }]);
    expect(callsOf('show me my team')).toEqual([{ tool: 'teams.show', args: {} }]);
  });

  test('API tokens are listed; a bare "waiting on me" is the digest, named approvals are approvals', () => {
    expect(callsOf('list my api tokens')).toEqual([{ tool: 'tokens.list', args: {} }]);
    expect(callsOf('anything waiting on me?')).toEqual([{ tool: 'notifications.digest', args: {} }]);
    expect(callsOf('approvals waiting on me')).toEqual([{ tool: 'approvals.list', args: {} }]);
    expect(callsOf('when does my digest arrive')).toEqual([{ tool: 'notifications.preferences', args: {} }]);
  });

  test('an onboarding asked for after the new hire is named, with its buddy, team and template', () => {
    expect(
      callsOf('<@U09ZED> starts on growth next week, bob will be his buddy; please kick off his onboarding'),
    ).toEqual([{ tool: 'onboarding.start', args: { person: 'U09ZED', team: 'growth', buddy: 'U0BOB' } }]);
    expect(callsOf('start onboarding for alice on mobile using the ios template')).toEqual([
      { tool: 'onboarding.start', args: { person: 'U0ALICE', team: 'mobile', template: 'ios' } },
    ]);
  });

  test('a label, a review request and a nudge on a pull request named by repository and number are proposals', () => {
    expect(callsOf('add labels bug and p1 to the api repo PR 12')).toEqual([
      {
        tool: 'approvals.propose',
        args: {
          action: 'github.label',
          params: { repo: 'acme/api', number: 12, labels: ['bug', 'p1'] },
          summary: 'Label acme/api#12: bug, p1',
          repo: 'acme/api',
        },
      },
    ]);
    expect(callsOf('add octo-mo as a reviewer on acme/web#9')).toMatchObject([
      {
        tool: 'approvals.propose',
        args: { action: 'github.request_reviewers', params: { repo: 'acme/web', number: 9, reviewers: ['octo-mo'] } },
      },
    ]);
    expect(callsOf('ping on monolith pull 88: any update here?')).toMatchObject([
      {
        tool: 'approvals.propose',
        args: { action: 'github.comment', params: { repo: 'acme/monolith', number: 88, body: 'any update here?' } },
      },
    ]);
    expect(callsOf('create a linear issue for team MOB: fix the login crash')).toMatchObject([
      {
        tool: 'approvals.propose',
        args: { action: 'linear.create', params: { team: 'MOB', title: 'fix the login crash' } },
      },
    ]);
  });

  test('a rule as a YAML list item named by name or kind is tried; an action item is filed by its id', () => {
    expect(callsOf('test this:\n- name: old-prs\n  kind: stale_pr')).toEqual([
      { tool: 'signals.evaluate', args: { yaml: '- name: old-prs\n  kind: stale_pr' } },
    ]);
    expect(callsOf('please file action item #9 in the tracker')).toEqual([
      { tool: 'incidents.fileActionItem', args: { actionItem: 9 } },
    ]);
  });

  test('an age belongs to the part that names what is aging; "every team" is the org; re-evaluated signals', () => {
    // (The incidents open now take no window from the lead time's: blind-5's convention.)
    expect(callsOf('lead time over 60 days, plus open incidents')).toEqual([
      { tool: 'dora.report', args: { days: 60 } },
      { tool: 'incidents.list', args: {} },
    ]);
    expect(callsOf("every team's okrs for Q4")).toEqual([
      { tool: 'okrs.show', args: { team: 'org', quarter: '2026Q4' } },
    ]);
    expect(callsOf('re-evaluated signals for mobile')).toEqual([
      { tool: 'signals.list', args: { team: 'mobile', evaluate: true } },
    ]);
    expect(callsOf("who's onboarding right now, and bob's plan")).toEqual([
      { tool: 'onboarding.list', args: {} },
      { tool: 'onboarding.progress', args: { person: 'U0BOB' } },
    ]);
  });

  test('a question to be answered from the docs is ask.answer; finding the docs stays a search', () => {
    expect(callsOf('how do we restore the orders db from a snapshot?')).toEqual([
      { tool: 'ask.answer', args: { question: 'how do we restore the orders db from a snapshot?' } },
    ]);
    expect(callsOf('what did the postmortem on the login outage recommend?')).toEqual([
      { tool: 'ask.answer', args: { question: 'what did the postmortem on the login outage recommend?' } },
    ]);
    expect(callsOf('how do we restore the orders db? is it written down somewhere')).toMatchObject([
      { tool: 'ask.search' },
    ]);
  });

  test('a post of what the request read first, with its channel; a report to post is no message', () => {
    expect(callsOf('show the timeline of INC-7, then share a summary of it to #ops')).toEqual([
      { tool: 'incidents.timeline', args: { number: 7 } },
      {
        tool: 'approvals.propose',
        args: {
          action: 'slack.post',
          params: { channel: '#ops', text: 'a summary of it' },
          summary: 'Post in #ops: a summary of it',
        },
      },
    ]);
    expect(callsOf('post the dora report in #leads')).toMatchObject({ kind: 'unservable' });
    expect(callsOf('post a summary of that in #leads')).toMatchObject({ kind: 'unservable' });
  });

  test("after review: a person's plan is not an onboarding; at-risk key results are one view; archived teams; no joining word as a note", () => {
    expect(callsOf("what's alice's plan for the auth migration")).toEqual([
      { tool: 'standup.report', args: { people: ['U0ALICE'] } },
    ]);
    expect(callsOf('is onboarding for dan going ok')).toEqual([
      { tool: 'onboarding.progress', args: { person: 'U0DAN' } },
    ]);
    expect(callsOf('list the key results at risk for payments')).toEqual([
      { tool: 'okrs.show', args: { team: 'payments' } },
    ]);
    expect(callsOf('which teams are archived')).toEqual([{ tool: 'teams.list', args: { archived: true } }]);
    expect(callsOf('check in on KR 5 with confidence 3 out of 10')).toEqual([
      { tool: 'okrs.checkin', args: { key_result: 5, confidence: 3 } },
    ]);
  });
});
