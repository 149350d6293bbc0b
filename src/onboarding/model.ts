// Onboarding as data, and the pure rules about it: what a template may say, when a task is due, what counts as
// late, and the `/em onboard` / `/em onboarding` syntax. No I/O here.
import { z } from 'zod';

export const TASK_KINDS = ['access', 'read', 'meet', 'first_issue', 'text'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];
export const OWNER_ROLES = ['new_hire', 'buddy', 'manager'] as const;
export type OwnerRole = (typeof OWNER_ROLES)[number];

const slackUser = z.string().regex(/^[UW][A-Z0-9]+$/, { error: 'must be a Slack user id such as U012AB3CD' });
const url = z.url({ protocol: /^https?$/, error: 'must be an http(s) address' });

/** What access a task asks for: something em-agent can do (a GitHub team, the team's channels), or a person's job. */
const accessSchema = z
  .object({
    /** `org/team-slug`: em-agent adds the new hire's GitHub account (a proposal through policies). */
    github_team: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, { error: 'must look like org/team-slug' })
      .optional(),
    /** `team` (the team's channel) or channel ids: em-agent invites the new hire (a proposal through policies). */
    slack_channels: z
      .union([z.literal('team'), z.array(z.string().regex(/^[CG][A-Z0-9]+$/, { error: 'must be a channel id (C…)' }))])
      .optional(),
    /** Any other system (VPN, laptop, payroll): a checklist item for its owner. */
    system: z.string().trim().min(1).max(80).optional(),
  })
  .strict()
  .refine((a) => [a.github_team, a.slack_channels, a.system].filter((v) => v !== undefined).length === 1, {
    error: 'name exactly one of github_team, slack_channels or system',
  });

export const templateTaskSchema = z
  .object({
    title: z.string().trim().min(1).max(150),
    kind: z.enum(TASK_KINDS).default('text'),
    owner: z.enum(OWNER_ROLES).default('new_hire'),
    /** Due on this working day of the plan (1 = the first day). */
    day: z.number().int().min(1).max(90).optional(),
    /** Due at the end of this week of the plan (week 1 = working days 1–5). */
    week: z.number().int().min(1).max(13).optional(),
    access: accessSchema.optional(),
    /** read: document addresses, or `auto` for the team's most useful documents. */
    links: z.union([z.literal('auto'), z.array(url).min(1).max(20)]).optional(),
    /** meet: Slack user ids, or `manager` / `buddy`. */
    people: z
      .array(z.union([slackUser, z.enum(['manager', 'buddy'])]))
      .min(1)
      .max(20)
      .optional(),
    /** first_issue: the labels that mark tickets for newcomers, and how many to offer. */
    labels: z.array(z.string().min(1).max(50)).min(1).max(10).default(['good first issue', 'good-first-issue']),
    count: z.number().int().min(1).max(10).default(3),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (t.day !== undefined && t.week !== undefined)
      ctx.addIssue({ code: 'custom', path: ['week'], message: 'give day or week, not both' });
    if (t.kind === 'access' && !t.access)
      ctx.addIssue({
        code: 'custom',
        path: ['access'],
        message: 'an access task needs access: (github_team, slack_channels or system)',
      });
    if (t.kind !== 'access' && t.access)
      ctx.addIssue({ code: 'custom', path: ['access'], message: 'only an access task takes access:' });
    if (t.kind === 'read' && !t.links)
      ctx.addIssue({ code: 'custom', path: ['links'], message: 'a read task needs links: (addresses, or auto)' });
    if (t.kind === 'meet' && !t.people)
      ctx.addIssue({ code: 'custom', path: ['people'], message: 'a meet task needs people:' });
  });
export type TemplateTask = z.output<typeof templateTaskSchema>;

export const templateSchema = z
  .object({
    description: z.string().max(300).optional(),
    /** `auto`: a reading task with the team's most useful documents is added on day 1. */
    reading_list: z.literal('auto').optional(),
    /** Calendar days after the start when the plan ends: open tasks are then counted as skipped. */
    ends_after_days: z.number().int().min(1).max(180).default(30),
    tasks: z.array(templateTaskSchema).min(1).max(60),
  })
  .strict();
export type Template = z.output<typeof templateSchema>;

/** The working day `n` (1-based) of a plan started at `start`, ending at 23:59:59 UTC of that day. */
export function dueAt(start: Date, workingDay: number, workDays: number[] = [1, 2, 3, 4, 5]): Date {
  const days = new Set(workDays.length ? workDays : [1, 2, 3, 4, 5]);
  const d = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()));
  // The first working day is the start day if it is one, else the next one.
  const isoDay = (x: Date) => ((x.getUTCDay() + 6) % 7) + 1;
  while (!days.has(isoDay(d))) d.setUTCDate(d.getUTCDate() + 1);
  let counted = 1;
  while (counted < workingDay) {
    d.setUTCDate(d.getUTCDate() + 1);
    if (days.has(isoDay(d))) counted += 1;
  }
  return new Date(d.getTime() + 86_400_000 - 1000);
}

/** The working day a task is due on: its day, or the last day of its week (5 working days a week). */
export function dueDayOf(task: Pick<TemplateTask, 'day' | 'week'>): number | undefined {
  return task.day ?? (task.week !== undefined ? task.week * 5 : undefined);
}

export type TaskStatus = 'open' | 'done' | 'skipped';

export interface TaskState {
  status: TaskStatus;
  dueAt: Date | null;
  doneAt: Date | null;
}

export const isOverdue = (t: TaskState, now: Date) => t.status === 'open' && !!t.dueAt && t.dueAt < now;
export const isLate = (t: TaskState) => t.status === 'done' && !!t.dueAt && !!t.doneAt && t.doneAt > t.dueAt;

export interface PlanSummary {
  tasks: number;
  done: number;
  /** Done after their due day (also counted in done). */
  late: number;
  skipped: number;
  /** Days from the start to the new hire's first merged pull request; null when none was merged. */
  daysToFirstMergedPr: number | null;
}

export function summarize(tasks: TaskState[], start: Date, firstMergedAt: Date | null): PlanSummary {
  return {
    tasks: tasks.length,
    done: tasks.filter((t) => t.status === 'done').length,
    late: tasks.filter(isLate).length,
    skipped: tasks.filter((t) => t.status === 'skipped').length,
    daysToFirstMergedPr: firstMergedAt
      ? Math.round(((firstMergedAt.getTime() - start.getTime()) / 86_400_000) * 10) / 10
      : null,
  };
}
