import { doraMessage } from '../../blocks/reports/dora.js';
import { sprintMessage } from '../../blocks/reports/sprint.js';
import { standupMessage } from '../../blocks/reports/standup.js';
import { triageMessage } from '../../blocks/reports/triage.js';
import type { ToolView } from '../capabilities/capability.js';
import type { DoraReport } from './dora-report.js';
import type { SprintHealth } from './sprint.js';
import type { Standup } from './standup.js';
import type { TriageGroup } from './triage.js';

const repoOf = (args: Record<string, unknown>) => (typeof args.repo === 'string' ? args.repo : undefined);

export const reportsToolViews: Record<string, ToolView> = {
  'triage.list': {
    label: 'what needs attention (triage)',
    example: "what's blocking payments this week?",
    render: (output, args, notes) => {
      const repo = repoOf(args);
      if (repo) notes.push(`triage is not narrowed by repository yet; items of ${repo} are among these.`);
      return triageMessage(output as TriageGroup[]);
    },
  },
  'standup.report': {
    label: 'who did what (standup)',
    example: 'what did @alice ship yesterday?',
    render: (output, args) => {
      const standup = output as Standup;
      const people = Array.isArray(args.people) ? (args.people as string[]) : [];
      return standupMessage(
        people.length
          ? { ...standup, people: standup.people.filter((p) => p.slack && people.includes(p.slack)) }
          : standup,
      );
    },
  },
  'sprint.health': {
    label: 'sprint health',
    example: 'is the sprint on track?',
    render: (output) => sprintMessage(output as SprintHealth | null),
  },
  'dora.report': {
    label: 'DORA metrics',
    example: 'how did our lead time change over the last quarter?',
    render: (output, args, notes) => {
      const report = output as DoraReport;
      const repo = repoOf(args);
      if (!repo) return doraMessage(report);
      const repos = report.repos.filter((r) => r.name.toLowerCase() === repo);
      if (!repos.length) notes.push(`DORA has no deployments of ${repo} in this window; showing the organization.`);
      return doraMessage(repos.length ? { ...report, repos } : report);
    },
  },
};
