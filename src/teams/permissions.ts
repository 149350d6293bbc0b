// Who may change teams in Slack: the group a policy names for `teams.edit`, and each team's managers for their own.
import type { PolicyBook } from '../approvals/policies.js';
import type { Team } from './model.js';

/** Decides whether a person may create teams, and edit or archive every team. */
export interface TeamAdmins {
  /** `fresh`: user-group membership read from Slack now (for a change), else up to minutes old (for showing). */
  isAdmin(userId: string, fresh?: boolean): Promise<boolean>;
  /** In words, for a refusal: who may. */
  describe(): string;
}

export const TEAMS_EDIT_ACTION = 'teams.edit';

/**
 * Team admins from policies/*.yml: `- { action: teams.edit, mode: approve, approvers: ['@eng-leads'] }` names them
 * (user ids, group handles or ids; groups are read from Slack); `mode: auto` lets everyone; no such policy, or
 * `mode: deny`, lets nobody but each team's managers.
 */
export function teamAdminsFromPolicies(
  policies: PolicyBook,
  groups: { expandApprovers(approvers: string[], maxAgeMs?: number): Promise<string[]> },
): TeamAdmins {
  const named = () => policies.fresh().policies.filter((p) => p.policy.action === TEAMS_EDIT_ACTION);
  return {
    async isAdmin(userId, fresh = false) {
      const found = named();
      if (found.some((p) => p.policy.mode === 'auto')) return true;
      const approvers = found.filter((p) => p.policy.mode === 'approve').flatMap((p) => p.policy.approvers);
      return approvers.length > 0 && (await groups.expandApprovers(approvers, fresh ? 0 : undefined)).includes(userId);
    },
    describe() {
      const approvers = named()
        .filter((p) => p.policy.mode === 'approve')
        .flatMap((p) => p.policy.approvers);
      return approvers.length
        ? `${approvers.map((a) => (a.startsWith('@') ? a : `<@${a}>`)).join(', ')} (policy \`${TEAMS_EDIT_ACTION}\`)`
        : `nobody (no policy names \`${TEAMS_EDIT_ACTION}\`)`;
    },
  };
}

/** Nobody is a team admin: only each team's managers edit it. */
export const NO_TEAM_ADMINS: TeamAdmins = { isAdmin: async () => false, describe: () => 'nobody' };

/** Why a person may not edit a team, or undefined when they may. */
export async function editRefusal(
  admins: TeamAdmins,
  userId: string,
  team: Team | undefined,
): Promise<string | undefined> {
  if (team?.managedByFile)
    return `${team.name} is managed in \`${team.managedByFile}\`, so it is read-only in Slack: edit the file instead.`;
  if (await admins.isAdmin(userId, true)) return undefined;
  if (!team) return `Only team admins can create teams: ${admins.describe()}.`;
  if (team.managers.includes(userId)) return undefined;
  return `Only ${team.name}'s managers and team admins (${admins.describe()}) can change it.`;
}
