// Who hears about a team-level signal (WIP limit, sprint scope creep, aging blocked work, red main, urgent tickets
// nobody holds). Never the engineer it is about, as a reproach: the team's lead. That is the managers of the teams
// owning the subject (or, for an escalation, of the person's teams); where no team says, the approvers the policy
// names.
import type { PolicyBook } from '../approvals/policies.js';
import type { PersonRef } from '../signals/finding.js';
import type { Queryable } from '../store/db.js';
import { projectOfKey, type Team } from '../teams/model.js';
import { teamsForSubject } from '../teams/store.js';

/** Rule kinds whose signals speak about a team's flow rather than ask one person to act. */
export const TEAM_KINDS = new Set([
  'wip_limit_exceeded',
  'sprint_scope_creep',
  'aging_blocked',
  'unassigned_urgent',
  'failing_main',
]);

export interface TeamSignalRef {
  rule: string;
  kind: string;
  severity?: string | null;
  repo?: string | null;
}

/**
 * Approver entries (Slack user ids or user groups such as `@eng-leads`) for a team-level signal: the approvers of the
 * policy that decides `slack.dm` for this rule when it names any, else the approvers of the most specific policy
 * (for any action) that names some. The caller expands user groups.
 */
export function audienceForTeamSignal(policies: PolicyBook, signal: TeamSignalRef): string[] {
  const book = policies.fresh();
  const input = {
    rule: signal.rule,
    severity: (signal.severity ?? null) as never,
    repo: signal.repo ?? null,
  };
  const dm = book.decide({ action: 'slack.dm', ...input });
  if (dm.mode !== 'deny' && dm.approvers.length) return dm.approvers;
  const named = book.policies.filter((p) => p.policy.approvers.length > 0);
  const ruleSpecific = named.find((p) => p.policy.rule === signal.rule);
  return [...new Set((ruleSpecific ?? named[0])?.policy.approvers ?? [])];
}

/**
 * Slack ids of the managers of every team owning a repository or ticket, else of every team the person is in (a
 * Slack id, or a person in a source such as a per-person WIP signal's author).
 */
export async function teamLeadsFor(
  db: Queryable,
  subject: { repo?: string | null; ticketKey?: string | null; person?: string | PersonRef },
  activeTeams?: Team[],
): Promise<string[]> {
  const byWork = subject.repo || subject.ticketKey;
  if (!byWork && !subject.person) return [];
  const person = typeof subject.person === 'string' ? { slack: subject.person } : subject.person;
  const teams = await teamsForSubject(
    db,
    byWork
      ? { repo: subject.repo ?? undefined, project: subject.ticketKey ? projectOfKey(subject.ticketKey) : undefined }
      : { person },
    activeTeams,
  );
  return [...new Set(teams.flatMap((t) => t.managers))];
}
