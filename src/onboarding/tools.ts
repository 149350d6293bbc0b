// Onboarding as tools: the running plans and one plan's progress (read), and starting a plan (propose: it creates
// a checklist and proposes the access requests through policies and approvals; nothing is granted without them).
import { z } from 'zod';
import type { PlanView } from '../../blocks/onboarding.js';
import { defineTool, timestamp } from '../capabilities/tool.js';
import { teamArgument } from '../teams/scope.js';
import type { OnboardingService } from './service.js';

const slackUser = z.string().regex(/^[UW][A-Z0-9]+$/, { error: 'must be a Slack user id such as U012AB3CD' });

const taskOutput = z.object({
  id: z.number(),
  kind: z.string(),
  title: z.string(),
  ownerRole: z.string(),
  owner: z.string(),
  dueAt: timestamp.nullable(),
  status: z.enum(['open', 'done', 'skipped']),
  overdue: z.boolean(),
  links: z.array(z.object({ url: z.string(), title: z.string().nullable(), indexed: z.boolean() })).optional(),
  people: z.array(z.string()).optional(),
  issues: z
    .array(z.object({ key: z.string(), title: z.string(), url: z.string().nullable(), source: z.string() }))
    .optional(),
  accepted: z.string().optional(),
  approval: z.object({ id: z.number(), status: z.string() }).nullable().optional(),
  system: z.string().optional(),
  note: z.string().optional(),
});

export const planOutput = z.object({
  id: z.number(),
  person: z.string(),
  team: z.object({ key: z.string(), name: z.string() }).nullable(),
  template: z.string(),
  buddy: z.string().nullable(),
  manager: z.string().nullable(),
  startedAt: timestamp,
  finishedAt: timestamp.nullable(),
  tasks: z.array(taskOutput),
});

const counts = (p: PlanView) => ({
  done: p.tasks.filter((t) => t.status === 'done').length,
  overdue: p.tasks.filter((t) => t.overdue).length,
  total: p.tasks.length,
});

export function onboardingListTool(service: OnboardingService) {
  return defineTool({
    name: 'onboarding.list',
    description:
      'The running onboarding plans: the new hire (Slack id), team, buddy, manager, start, and tasks done, overdue and in all.',
    kind: 'read',
    input: z.object({}),
    output: z.object({
      plans: z.array(
        z.object({
          id: z.number(),
          person: z.string(),
          team: z.object({ key: z.string(), name: z.string() }).nullable(),
          buddy: z.string().nullable(),
          manager: z.string().nullable(),
          startedAt: timestamp,
          done: z.number(),
          overdue: z.number(),
          total: z.number(),
        }),
      ),
    }),
    run: async () => ({
      plans: (await service.running()).map((p) => ({
        id: p.id,
        person: p.person,
        team: p.team,
        buddy: p.buddy,
        manager: p.manager,
        startedAt: p.startedAt,
        ...counts(p),
      })),
    }),
  });
}

export function onboardingProgressTool(service: OnboardingService) {
  return defineTool({
    name: 'onboarding.progress',
    description:
      "One new hire's onboarding plan (running, else their latest) with every task: kind, owner, due date, done, " +
      "overdue or skipped, links, people, offered issues and the access request's approval state. Default: the person asking. " +
      "Shown to the new hire, their buddy and manager, task owners, the team's managers and whoever may start plans; null otherwise.",
    kind: 'read',
    input: z.object({ person: slackUser.optional() }),
    output: planOutput.nullable(),
    run: async (ctx, input) => (await service.planFor(ctx.person.slackId, input.person ?? ctx.person.slackId)) ?? null,
  });
}

export function onboardingStartTool(service: OnboardingService) {
  return defineTool({
    name: 'onboarding.start',
    description:
      "Starts a new hire's onboarding plan from a template in onboarding/*.yml (the named one, else the team's, else " +
      'default): checklist tasks with owners and due days, the welcome DM, and access requests proposed through ' +
      'policies and approvals. Team managers, or whoever a policy names for onboarding.start, may.',
    kind: 'propose',
    input: z.object({
      person: slackUser,
      team: teamArgument,
      buddy: slackUser.optional(),
      template: z
        .string()
        .regex(/^[\w-]{1,60}$/)
        .optional(),
    }),
    output: z.union([
      z.object({ ok: z.literal(true), plan: planOutput, warnings: z.array(z.string()) }),
      z.object({ ok: z.literal(false), message: z.string() }),
    ]),
    run: (ctx, input) => service.start(ctx.person.slackId, input, ctx.via),
  });
}
