// Each tool's output rendered for Slack with the renderer its /em subcommand uses, and the words the agent uses
// to say what it ran. Arguments a tool does not take yet (a team, a repository, people) narrow the rendered
// output where the output allows it, and are said plainly where it does not.
import type { z } from 'zod';
import { docHitsMessage } from '../../blocks/agent/answer.js';
import { approvalsListMessage, auditMessage, policyMessage } from '../../blocks/approvals/messages.js';
import type { SlackMessage } from '../../blocks/help.js';
import { incidentListMessage } from '../../blocks/incidents/reports.js';
import { notice } from '../../blocks/notice.js';
import { doraMessage } from '../../blocks/reports/dora.js';
import { sprintMessage } from '../../blocks/reports/sprint.js';
import { standupMessage } from '../../blocks/reports/standup.js';
import { triageMessage } from '../../blocks/reports/triage.js';
import { signalsMessage } from '../../blocks/signals.js';
import { sourcesMessage } from '../../blocks/sources.js';
import type { approvalsListOutput, auditOutput, policyExplainOutput, proposeOutput } from '../approvals/tools.js';
import type { askSearchOutput } from '../ask/tools.js';
import type { incidentsListOutput } from '../incidents/tools.js';
import type { DoraReport } from '../reports/dora-report.js';
import type { SprintHealth } from '../reports/sprint.js';
import type { Standup } from '../reports/standup.js';
import type { TriageGroup } from '../reports/triage.js';
import type { signalsListOutput } from '../signals/tools.js';
import type { sourcesStatusOutput } from '../sync/tools.js';

/** What the agent says it looked at, per tool. */
export const TOOL_LABELS: Record<string, { label: string; example: string }> = {
  'triage.list': { label: 'what needs attention (triage)', example: "what's blocking payments this week?" },
  'standup.report': { label: 'who did what (standup)', example: 'what did @alice ship yesterday?' },
  'sprint.health': { label: 'sprint health', example: 'is the sprint on track?' },
  'dora.report': { label: 'DORA metrics', example: 'how did our lead time change over the last quarter?' },
  'signals.list': { label: 'open signals', example: 'any red flags on acme/api?' },
  'incidents.list': { label: 'incidents', example: 'any incidents this week?' },
  'approvals.list': { label: 'approvals waiting', example: "what's waiting for my approval?" },
  'approvals.audit': { label: 'the audit log', example: 'who approved what recently?' },
  'policy.explain': { label: 'the policies', example: 'would a GitHub comment need approval?' },
  'ask.search': { label: 'the docs', example: 'how do we roll back a deploy? check the runbook' },
  'sources.status': { label: 'the sync status', example: 'when did Jira last sync?' },
  'approvals.propose': { label: 'a proposal for approval', example: 'nudge @bob about the auth PR' },
};

export const labelOf = (tool: string) => TOOL_LABELS[tool]?.label ?? tool;

const auditRefused = (): SlackMessage => notice('Only approvers named in policies/ can read the audit log.', ':lock:');

/**
 * Renders one tool's output. `args` are what the planner or model asked for; `notes` collects what could not be
 * honoured (a team filter a tool does not take yet).
 */
export function renderToolOutput(
  tool: string,
  output: unknown,
  args: Record<string, unknown>,
  notes: string[],
  now = new Date(),
): SlackMessage {
  const repo = typeof args.repo === 'string' ? args.repo : undefined;
  const people = Array.isArray(args.people) ? (args.people as string[]) : [];
  if (typeof args.team === 'string')
    notes.push(`${labelOf(tool)} does not take a team yet, so this covers everyone, not only ${args.team}.`);
  switch (tool) {
    case 'dora.report': {
      const report = output as DoraReport;
      if (!repo) return doraMessage(report);
      const repos = report.repos.filter((r) => r.name.toLowerCase() === repo);
      if (!repos.length) notes.push(`DORA has no deployments of ${repo} in this window; showing the organization.`);
      return doraMessage(repos.length ? { ...report, repos } : report);
    }
    case 'standup.report': {
      const standup = output as Standup;
      return standupMessage(
        people.length
          ? { ...standup, people: standup.people.filter((p) => p.slack && people.includes(p.slack)) }
          : standup,
      );
    }
    case 'sprint.health':
      return sprintMessage(output as SprintHealth | null);
    case 'triage.list': {
      const groups = output as TriageGroup[];
      if (repo) notes.push(`triage is not narrowed by repository yet; items of ${repo} are among these.`);
      return triageMessage(groups);
    }
    case 'signals.list': {
      const { signals, problems } = output as z.output<typeof signalsListOutput>;
      const shown = repo ? signals.filter((s) => (s.url ?? '').toLowerCase().includes(`/${repo}/`)) : signals;
      return signalsMessage(shown, problems);
    }
    case 'incidents.list':
      return incidentListMessage(output as z.output<typeof incidentsListOutput>, now);
    case 'approvals.list':
      return approvalsListMessage(output as z.output<typeof approvalsListOutput>);
    case 'approvals.audit': {
      const audit = output as z.output<typeof auditOutput>;
      return audit.allowed ? auditMessage(audit.lines) : auditRefused();
    }
    case 'policy.explain': {
      const p = output as z.output<typeof policyExplainOutput>;
      return policyMessage(p.action, p.mode, p.reason, p.dryRun, p.problems);
    }
    case 'ask.search':
      return docHitsMessage((output as z.output<typeof askSearchOutput>).hits);
    case 'sources.status': {
      const s = output as z.output<typeof sourcesStatusOutput>;
      return sourcesMessage(s.scopes, s.configured, now);
    }
    case 'approvals.propose': {
      const p = output as z.output<typeof proposeOutput>;
      // The tool's message starts with its own emoji.
      const [, emoji = ':information_source:', text = p.message] = /^(:[a-z_]+:) (.*)$/s.exec(p.message) ?? [];
      return notice(text, emoji);
    }
    default:
      return notice(`${tool} ran.`);
  }
}
