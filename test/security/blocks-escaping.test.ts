import fc from 'fast-check';
import { approvalMessage, approvalsListMessage } from '../../blocks/approvals/messages.js';
import { answerMessage } from '../../blocks/ask/answer.js';
import { askModal } from '../../blocks/ask/modal.js';
import { helpMessage, unknownCommandMessage } from '../../blocks/help.js';
import { approvalHomeLine, homeView, myWorkLine, sprintHomeLines } from '../../blocks/home.js';
import {
  incidentAnnouncement,
  incidentCard,
  statusUpdateMessage,
  suspectedCauseMessage,
} from '../../blocks/incidents/card.js';
import { incidentListLine, incidentListMessage } from '../../blocks/incidents/reports.js';
import { doraMessage } from '../../blocks/reports/dora.js';
import { sprintMessage } from '../../blocks/reports/sprint.js';
import { standupHistoryMessage } from '../../blocks/reports/standup.js';
import { requestReviewModal, triageMessage } from '../../blocks/reports/triage.js';
import { signalLine, signalsMessage } from '../../blocks/signals.js';
import { sourcesMessage } from '../../blocks/sources.js';
import type { Incident } from '../../src/incidents/model.js';
import { HOSTILE, LIVE } from '../support/hostile-text.js';
import { everySubcommandDeclared } from '../support/slack/surfaces.js';

const COMMANDS = everySubcommandDeclared().help();

/** An `&` that is not one of the three entities Slack decodes: typed by someone and left raw. */
const RAW_AMP = /&(?!amp;|lt;|gt;)/;
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
    // Data the app gets back (a modal's private metadata, a button's value) is never shown or parsed by Slack.
    return Object.entries(value)
      .filter(([key]) => key !== 'private_metadata' && key !== 'value')
      .flatMap(([, v]) => parsed(v));
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

const metrics = {
  deployments: 3,
  deploymentDaysPerWeek: 2,
  deploymentsPerMonth: 12,
  leadTimeHours: 5,
  changeFailureRate: 0.2,
  failedDeployments: 1,
  restoreHours: 2,
  recoveryHours: 2,
} as never;
const bands = { deploymentFrequency: 'high', leadTime: 'elite', changeFailureRate: 'low', recovery: null } as never;
/** A vendor's link to a record: the address is theirs too, so it carries the hostile text. */
const url = (t: string) => `https://vendor.example/${t}`;

/** The lines each Home section provider shows, from hostile records. */
function homeLines(t: string, sprint: never): string[][] {
  const pr = { repo: t, number: 7, title: t, url: url(t), reviewers: [t], teams: [t] };
  return [
    [
      myWorkLine({ ...pr, mine: true }),
      myWorkLine({ ...pr, mine: false }),
      myWorkLine({ ...pr, url: null, mine: true }),
    ],
    sprintHomeLines(sprint),
    [approvalHomeLine({ id: 1, action: 'slack.post', summary: t })],
    [signalLine({ severity: 'warning', rule: t, title: t, url: url(t), openedAt: NOW })],
    [
      incidentListLine(
        {
          source: 'jira',
          id: t,
          title: t,
          severity: t,
          status: 'open',
          openedAt: NOW,
          resolvedAt: null,
          url: url(t),
          channelId: null,
          number: 0,
          phase: null,
          commander: null,
          visibleIn: null,
        } as never,
        NOW,
      ),
    ],
  ];
}

test('every renderer of vendors’ and people’s text (dora, sprint, triage, help, home, sources, modals) leaves nothing live', () => {
  fc.assert(
    fc.property(hostile, (t) => {
      const item = { key: t, title: t, status: t, url: url(t), assignee: t, points: 3, inStatusDays: 4 };
      const sprint = {
        source: t,
        id: '1',
        name: t,
        startAt: NOW,
        endAt: null,
        committed: { count: 2, points: 5 },
        completed: { count: 1, points: 2 },
        added: { count: 1, points: 1 },
        removed: { count: 1, points: 1 },
        carriedOver: { count: 1, points: 1 },
        remainingPoints: 3,
        daysElapsed: 2,
        daysLeft: 3,
        carryOverPoints: 2,
        blocked: [item],
        aging: [item],
        burndown: [],
      } as never;
      const scope = { name: t, current: metrics, previous: metrics, bands };
      const messages: [string, unknown][] = [
        ['dora', doraMessage({ days: 30, from: NOW, to: NOW, bandSet: '2023', org: scope, repos: [scope] } as never)],
        ['sprint', sprintMessage(sprint)],
        [
          'triage',
          triageMessage([
            {
              id: 'stale',
              title: t,
              items: [
                { text: t, url: url(t), at: NOW, signalId: 1, nudge: true, requestReview: true },
                { text: t, url: null, at: NOW },
              ],
            },
          ]),
        ],
        ['request review', requestReviewModal(1, t)],
        [
          'help',
          helpMessage({ commands: COMMANDS, problem: `\`/em triage\`: unexpected \`${t}\``, suggestion: 'triage' }),
        ],
        ['unknown command', unknownCommandMessage(COMMANDS, t, 'triage')],
        [
          'sources',
          sourcesMessage(
            [
              {
                source: t,
                scope: t,
                lastSuccessAt: NOW,
                lastError: t,
                rateLimitRemaining: 10,
                recordsRejected: 1,
                lastSkip: t,
              },
            ],
            [t],
            NOW,
          ),
        ],
        ['ask modal', askModal({ aboutMessage: { channel: 'C0ROOM', ts: '1.2', text: t } })],
        [
          'home',
          homeView({
            userId: 'U0ALICE',
            updatedAt: NOW,
            sections: [
              ...homeLines(t, sprint).map((lines, n) => ({ id: `s${n}`, title: 'Section', lines, empty: 'none' })),
            ],
          }),
        ],
      ];
      const leaks = messages.flatMap(([name, m]) =>
        parsed(m)
          .filter((s) => LIVE.test(s) || RAW_AMP.test(s))
          .map((s) => `${name}: ${s.slice(0, 200)}`),
      );
      expect(leaks).toEqual([]);
    }),
    { numRuns: 200, seed: 1606, endOnFailure: true },
  );
});
