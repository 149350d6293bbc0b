import fc from 'fast-check';
import { approvalMessage, approvalsListMessage } from '../../blocks/approvals/messages.js';
import { answerMessage } from '../../blocks/ask/answer.js';
import {
  incidentAnnouncement,
  incidentCard,
  statusUpdateMessage,
  suspectedCauseMessage,
} from '../../blocks/incidents/card.js';
import { incidentListMessage } from '../../blocks/incidents/reports.js';
import { standupHistoryMessage } from '../../blocks/reports/standup.js';
import { signalsMessage } from '../../blocks/signals.js';
import type { Incident } from '../../src/incidents/model.js';

const HOSTILE = ['<!everyone>', '<!here>', '<!subteam^S0EVIL>', '<@U0EVIL>', '<#C0EVIL>', '<http://evil.example|docs>'];
const LIVE = /<!everyone|<!here|<!subteam\^S0EVIL|<@U0EVIL|<#C0EVIL|<http:\/\/evil/;
const hostile = fc
  .array(fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 8 }), fc.constantFrom('*', '`', '&')), {
    minLength: 1,
    maxLength: 5,
  })
  .map((parts) => `x ${parts.join(' ')}`);

/** What Slack would parse in a message or view: every string except plain_text objects. */
function parsed(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(parsed);
  if (value && typeof value === 'object') {
    if ((value as { type?: unknown }).type === 'plain_text') return [];
    return Object.values(value).flatMap(parsed);
  }
  return [];
}

const NOW = new Date('2026-11-25T12:00:00Z');
const incident = (t: string): Incident => ({
  id: '1',
  number: 1,
  title: t,
  severity: 'SEV2',
  phase: 'investigating',
  status: 'open',
  service: t,
  description: t,
  declaredBy: 'U0ALICE',
  commander: 'U0ALICE',
  commsLead: null,
  scribe: null,
  responders: [],
  channelId: 'C0ROOM',
  channelName: 'inc-1',
  cardTs: null,
  announceChannel: null,
  announceTs: null,
  originChannel: null,
  originTs: null,
  openedAt: NOW,
  resolvedAt: null,
  lastUpdateAt: null,
  summary: t,
  cause: null,
  archivedAt: null,
});

test('every renderer of people’s text (incidents, approvals, answers, standups, signals) leaves nothing live', () => {
  fc.assert(
    fc.property(hostile, (t) => {
      const i = incident(t);
      const messages: unknown[] = [
        incidentCard(i, NOW),
        incidentAnnouncement(i, NOW),
        statusUpdateMessage(i, 'U0ALICE', t),
        suspectedCauseMessage(i, {
          repo: t,
          sha: 'abc1234',
          ref: t,
          finishedAt: NOW,
        } as never),
        incidentListMessage(
          [
            {
              source: 'slack',
              id: '1',
              title: t,
              severity: 'SEV2',
              status: 'open',
              openedAt: NOW,
              resolvedAt: null,
              url: null,
              channelId: 'C0ROOM',
              number: 1,
              phase: 'investigating',
              commander: 'U0ALICE',
              visibleIn: null,
            },
          ],
          NOW,
        ),
        answerMessage({
          id: 1,
          question: t,
          text: 'An answer.',
          mode: 'extractive',
          citations: [],
          askedBy: 'U0ALICE',
        }),
        standupHistoryMessage('U0ALICE', [{ posted_at: NOW, team: t, summary: t }]),
      ];
      const view = {
        id: 1,
        action: 'slack.post',
        summary: t,
        evidence: { title: t },
        rule: t,
        severity: 'warning',
        status: 'proposed',
        policyReason: t,
        requestedBy: 'U0ALICE',
        approvers: ['U0BOB'],
        minApprovals: 1,
        expiresAt: NOW,
        decidedBy: null,
        decidedAt: null,
        reason: t,
        lastError: t,
        attempts: 0,
      };
      messages.push(approvalMessage(view), approvalsListMessage([{ view, canDecide: true }]));
      messages.push(signalsMessage([{ severity: 'warning', rule: t, title: t, url: null, openedAt: NOW }], [t]));
      const leaks = messages.flatMap((m, n) =>
        parsed(m)
          .filter((s) => LIVE.test(s))
          .map((s) => `${n}: ${s}`),
      );
      expect(leaks).toEqual([]);
    }),
    { numRuns: 200, seed: 1606, endOnFailure: true },
  );
});
