// Rules added while blind-6.json became a development set: request → plan, for words and forms it showed missing.
// The requests here are other phrasings of what it found, not its own texts.

import { parseTimeWindow } from '../../src/agent/time-window.js';
import { callsOf, kindOf } from '../support/planner-calls.js';

describe('the offline planner, on what blind-6 found missing', () => {
  test('terse scopes and ages: "org" after a report, "> 5d", "parked in one status", "for a fortnight"', () => {
    expect(callsOf('triage org')).toEqual([{ tool: 'triage.list', args: { team: 'org' } }]);
    expect(callsOf('sprint mobile, aging > 3d')).toEqual([
      { tool: 'sprint.health', args: { team: 'mobile', agingDays: 3 } },
    ]);
    expect(callsOf('tickets parked in the same status >4 days, search sprint')).toMatchObject([
      { tool: 'sprint.health', args: { agingDays: 4 } },
    ]);
    expect(parseTimeWindow('dora for a fortnight', new Date('2026-12-03T12:00:00Z'))).toMatchObject({ days: 14 });
  });

  test('delivery in product words, what people did, my own onboarding, a new hire plan', () => {
    expect(callsOf('how long does a change take to go live on payments')).toEqual([
      { tool: 'dora.report', args: { team: 'payments' } },
    ]);
    expect(callsOf('who on mobile merged what this week')).toMatchObject([
      { tool: 'standup.report', args: { team: 'mobile', hours: 84 } },
    ]);
    expect(callsOf("what's left on my own onboarding")).toEqual([{ tool: 'onboarding.progress', args: {} }]);
    expect(callsOf('how far is bob in his new-hire plan')).toEqual([
      { tool: 'onboarding.progress', args: { person: 'U0BOB' } },
    ]);
  });

  test('rules: a fresh evaluation first, a rule quoted inline is tried', () => {
    expect(callsOf('start a fresh rule evaluation then list the payments alerts')).toEqual([
      { tool: 'signals.list', args: { team: 'payments', evaluate: true } },
    ]);
    expect(callsOf('what would `- { name: big, kind: large_pr, max_lines: 500 }` flag?')).toEqual([
      { tool: 'signals.evaluate', args: { yaml: '- { name: big, kind: large_pr, max_lines: 500 }' } },
    ]);
  });

  test('the audit log counted in lines, approvals named beside it, a list without progress', () => {
    expect(callsOf('pending approvals, and the audit trail, last 15 lines')).toEqual([
      { tool: 'approvals.list', args: {} },
      { tool: 'approvals.audit', args: { limit: 15 } },
    ]);
    expect(callsOf('show the last 30 entries of the log of approvals and executions')).toEqual([
      { tool: 'approvals.audit', args: { limit: 30 } },
    ]);
    expect(callsOf('platform okrs this quarter, skip the progress')).toEqual([
      { tool: 'okrs.list', args: { team: 'platform', quarter: '2026Q4' } },
    ]);
  });

  test('settings, keys and digest in other words; a handbook question is answered', () => {
    expect(callsOf('when is my digest sent?')).toEqual([{ tool: 'notifications.preferences', args: {} }]);
    expect(callsOf('which api keys do i have')).toEqual([{ tool: 'tokens.list', args: {} }]);
    expect(callsOf("preview today's roundup")).toEqual([{ tool: 'notifications.digest', args: {} }]);
    expect(callsOf('according to the oncall handbook, who can approve prod access?')).toMatchObject([
      { tool: 'ask.answer' },
    ]);
  });

  test('proposals: a jira comment, a label on "pull request N in owner/name", posting a quoted text', () => {
    expect(callsOf('jira comment on OPS-9: rolled back, watching')).toMatchObject([
      { tool: 'approvals.propose', args: { action: 'jira.comment', params: { key: 'OPS-9' } } },
    ]);
    expect(callsOf('put the p1 label on pull request 8 in acme/web.')).toMatchObject([
      { tool: 'approvals.propose', args: { action: 'github.label', params: { repo: 'acme/web', number: 8 } } },
    ]);
    expect(callsOf('list teams, then go ahead and propose posting "retro at 4" to #eng')).toMatchObject([
      { tool: 'teams.list' },
      { tool: 'approvals.propose', args: { action: 'slack.post', params: { channel: '#eng' } } },
    ]);
  });

  test('declaring incidents, notes on them, hiding reminders, new teams, channels and store reviews are refused', () => {
    expect(kindOf('get an incident opened for the login errors')).toBe('unservable');
    expect(kindOf('add a note to incident 4: db failover done')).toBe('unservable');
    expect(kindOf("reminder #3, i don't want to see it till friday")).toBe('unservable');
    expect(kindOf('register it as a team please, carol leads it')).toBe('unservable');
    expect(kindOf('can we get a dedicated channel for the launch')).toBe('unservable');
    expect(kindOf('what are customers saying on the play store')).toBe('unservable');
  });
});
