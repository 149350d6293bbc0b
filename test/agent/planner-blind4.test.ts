// Rules added while blind-4.json became a development set: request → plan, for words and forms it showed missing.
// The requests here are other phrasings of what it found, not its own texts.

import { parseTimeWindow } from '../../src/agent/time-window.js';
import { callsOf, kindOf } from '../support/planner-calls.js';

const at = (iso: string) => new Date(iso);

describe('the offline planner, on what blind-4 found missing', () => {
  test('"today" starts at midnight like the other calendar words; "overnight" still reaches into yesterday', () => {
    expect(parseTimeWindow('what shipped today', at('2026-12-03T12:00:00Z'))).toMatchObject({ hours: 12 });
    expect(parseTimeWindow('what shipped today', at('2026-12-03T00:20:00Z'))).toMatchObject({ hours: 1 });
    expect(parseTimeWindow('what broke overnight', at('2026-12-03T12:00:00Z'))).toMatchObject({ hours: 24 });
    expect(callsOf('what did mobile merge this morning')).toEqual([
      { tool: 'standup.report', args: { team: 'mobile', hours: 12 } },
    ]);
  });

  test('"since the 20th" is the latest 20th begun, "qtr" is a quarter', () => {
    expect(parseTimeWindow('since the 20th', at('2026-12-03T12:00:00Z'))).toMatchObject({ days: 14 });
    expect(parseTimeWindow('from the 2nd', at('2026-12-03T12:00:00Z'))).toMatchObject({ hours: 36 });
    // A day this month has not reached yet is last month's.
    expect(parseTimeWindow('since the 28th', at('2026-12-03T12:00:00Z'))).toMatchObject({ hours: 5 * 24 + 12 });
    expect(callsOf('deploy frequency for growth this qtr')).toEqual([
      { tool: 'dora.report', args: { team: 'growth', days: 64 } },
    ]);
  });

  test('an aging threshold is how long a ticket may sit', () => {
    expect(callsOf('sprint health for infra with an age threshold of 4 days')).toEqual([
      { tool: 'sprint.health', args: { team: 'infra', agingDays: 4 } },
    ]);
  });

  test('a question, then where its answer is written, is answered from the docs; one named document is searched', () => {
    expect(callsOf('how are feature flags cleaned up? per the handbook')).toEqual([
      { tool: 'ask.answer', args: { question: 'how are feature flags cleaned up? per the handbook' } },
    ]);
    expect(callsOf('what is the policy on release tags? check the docs')).toMatchObject([{ tool: 'ask.answer' }]);
    expect(callsOf('how do we restore a backup? check the runbook')).toMatchObject([{ tool: 'ask.search' }]);
  });

  test("examples after a question are the question's, not requests of their own", () => {
    expect(callsOf("what's on my plate? approvals, review requests etc")).toEqual([
      { tool: 'notifications.digest', args: {} },
    ]);
  });

  test('asking whether I turned notifications off shows my settings; turning them off is not mine to do', () => {
    expect(callsOf('have i muted the digest? show my notif prefs')).toEqual([
      { tool: 'notifications.preferences', args: {} },
    ]);
    expect(kindOf('mute my digest')).toBe('unservable');
  });

  test('merged work mapped to no key result is OKR tracking; a quarter goes to the intent that names it', () => {
    expect(callsOf("which of search's merged work is unmapped")).toEqual([
      { tool: 'okrs.show', args: { team: 'search' } },
    ]);
    expect(callsOf('okr progress for infra Q3 and the list of mobile objectives')).toEqual([
      { tool: 'okrs.list', args: { team: 'mobile' } },
      { tool: 'okrs.show', args: { team: 'infra', quarter: '2026Q3' } },
    ]);
  });

  test('a check-in written without the word, a new Linear issue without a verb, a PR written "repo #N"', () => {
    expect(callsOf('KR 31: 4/10, vendor slipped again')).toEqual([
      { tool: 'okrs.checkin', args: { key_result: 31, confidence: 4, note: 'vendor slipped again' } },
    ]);
    expect(callsOf('new linear issue for team GRO: signup form loses the referral code')).toMatchObject([
      {
        tool: 'approvals.propose',
        args: { action: 'linear.create', params: { team: 'GRO', title: 'signup form loses the referral code' } },
      },
    ]);
    expect(callsOf('ask for reviews from octo-kim and rb on monolith #12')).toMatchObject([
      {
        tool: 'approvals.propose',
        args: {
          action: 'github.request_reviewers',
          params: { repo: 'acme/monolith', number: 12, reviewers: ['octo-kim', 'rb'] },
          repo: 'acme/monolith',
        },
      },
    ]);
  });
});
