// Who may create or change a team's OKRs in Slack: the team's managers, and whoever a policy names for `okrs.edit`.
import type { PolicyBook } from '../approvals/policies.js';
import type { Team } from '../teams/model.js';

export const OKRS_EDIT_ACTION = 'okrs.edit';

export interface OkrEditors {
  /** Named by policy for every team's OKRs (`fresh`: user groups read from Slack now). */
  isEditor(userId: string, fresh?: boolean): Promise<boolean>;
  describe(): string;
}

/**
 * From policies/*.yml: `- { action: okrs.edit, mode: approve, approvers: ['@eng-leads'] }` names editors (user ids,
 * group handles or ids); `mode: auto` lets everyone; no such policy lets each team's managers alone.
 */
export function okrEditorsFromPolicies(
  policies: PolicyBook,
  groups: { expandApprovers(approvers: string[], maxAgeMs?: number): Promise<string[]> },
): OkrEditors {
  const named = () => policies.fresh().policies.filter((p) => p.policy.action === OKRS_EDIT_ACTION);
  const approvers = () =>
    named()
      .filter((p) => p.policy.mode === 'approve')
      .flatMap((p) => p.policy.approvers);
  return {
    async isEditor(userId, fresh = false) {
      if (named().some((p) => p.policy.mode === 'auto')) return true;
      const list = approvers();
      return list.length > 0 && (await groups.expandApprovers(list, fresh ? 0 : undefined)).includes(userId);
    },
    describe() {
      const list = approvers();
      return list.length
        ? `${list.map((a) => (a.startsWith('@') ? a : `<@${a}>`)).join(', ')} (policy \`${OKRS_EDIT_ACTION}\`)`
        : `nobody else (no policy names \`${OKRS_EDIT_ACTION}\`)`;
    },
  };
}

export const NO_OKR_EDITORS: OkrEditors = { isEditor: async () => false, describe: () => 'nobody else' };

/** Why a person may not change a team's OKRs, or undefined when they may. */
export async function okrEditRefusal(
  editors: OkrEditors,
  userId: string,
  team: Team,
  fresh = true,
): Promise<string | undefined> {
  if (team.managers.includes(userId)) return undefined;
  if (await editors.isEditor(userId, fresh)) return undefined;
  return `Only ${team.name}'s managers and ${editors.describe()} can change its OKRs.`;
}
