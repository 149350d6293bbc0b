// The policy-file section the notification pipeline reads (`notifications:`): escalation after N working days,
// for every rule or per rule. Without it, NOTIFY_ESCALATE_AFTER_DAYS applies.
import { z } from 'zod';

const days = z.number().int().min(0).max(60);

export const notificationPolicySchema = z
  .object({
    /** An item unresolved this many working days is added to the lead's digest, once (0: never). */
    escalate_after_days: days.optional(),
    /** Per rule (its name, or approvals / incidents / main_failed): overrides the value above. */
    rules: z.record(z.string(), z.object({ escalate_after_days: days }).strict()).default({}),
  })
  .strict();

export type NotificationPolicy = z.output<typeof notificationPolicySchema>;

/** The section for PolicyBook. */
export const NOTIFICATION_POLICY_SECTION = { notifications: notificationPolicySchema };

/** Working days after which an item with a reason from `rule` escalates: the rule's, else the policy's, else `fallback`. */
export function escalationDays(
  policy: NotificationPolicy | undefined,
  rule: string | undefined,
  fallback: number,
): number {
  return (rule ? policy?.rules[rule]?.escalate_after_days : undefined) ?? policy?.escalate_after_days ?? fallback;
}

export function notificationPolicyOf(policies: { section(key: string): unknown }): NotificationPolicy | undefined {
  return policies.section('notifications') as NotificationPolicy | undefined;
}
