// The resource routes of the product em-agent grew from, mapped onto today's tools: DORA metrics for Grafana,
// reports (and their /post variants), signals, policy, approvals, search. `team` is accepted and passed through to
// the tools (none takes it yet; teams come with #20).
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { SlackMessage } from '../../blocks/help.js';
import { audit } from '../approvals/store.js';
import { timestamp } from '../capabilities/tool.js';
import type { OwnCommand } from '../slack/em-command.js';
import { channelIdOf, channelMembership } from '../slack/membership.js';
import { scopeFor } from '../teams/scope.js';
import type { ApiInstance, ApiRouteContext } from './context.js';
import { sendProblem } from './problem.js';

/** `30d`, `12w`, `3m` or a number of days, at most a year. */
const windowParam = z
  .string()
  .regex(/^\d{1,12}[dwm]?$/, { error: 'window must look like 30d, 12w or 3m' })
  .default('30d')
  .transform((text) => {
    const unit = text.at(-1);
    return Number.parseInt(text, 10) * (unit === 'w' ? 7 : unit === 'm' ? 30 : 1);
  })
  .pipe(
    z
      .number()
      .int()
      .min(1, { error: 'window must be at least a day' })
      .max(365, { error: 'window is at most 365 days' }),
  );
const repoParam = z
  .string()
  .regex(/^[\w.-]+\/[\w.-]+$/)
  .optional()
  .meta({ description: 'owner/name: only this repository' });
const teamParam = z.string().max(80).optional().meta({ description: 'a team, by key or name' });

/** The figures of one scope of `dora.report`'s output that the metric routes read (the door names no capability). */
interface DoraMetrics {
  deploymentFrequencyPerWeek: number;
  leadTimeHours: number | null;
  changeFailureRate: number | null;
  timeToRestoreHours: number | null;
  recoveryHours: number | null;
}
type Bands = Record<'deploymentFrequency' | 'leadTime' | 'changeFailureRate' | 'recovery', string | null>;
interface DoraScope {
  name: string;
  current: DoraMetrics;
  previous: DoraMetrics;
  bands: Bands;
}
interface DoraReport {
  days: number;
  from: Date;
  to: Date;
  org: DoraScope;
  repos: DoraScope[];
}

const METRICS: Record<
  string,
  { unit: string; value: (m: DoraMetrics) => number | null; band: keyof Bands; about: string }
> = {
  'lead-time': {
    unit: 'hours',
    value: (m) => m.leadTimeHours,
    band: 'leadTime',
    about: 'Lead time for changes: median hours from first commit to production deployment.',
  },
  'deployment-frequency': {
    unit: 'deployments per week',
    value: (m) => m.deploymentFrequencyPerWeek,
    band: 'deploymentFrequency',
    about: 'Deployment frequency: successful production deployments per week.',
  },
  'change-fail-rate': {
    unit: 'ratio',
    value: (m) => m.changeFailureRate,
    band: 'changeFailureRate',
    about: 'Change failure rate: share of deployments linked to an incident (0 to 1).',
  },
  mttr: {
    unit: 'hours',
    value: (m) => m.timeToRestoreHours,
    band: 'recovery',
    about: 'Time to restore service (2021 DORA, "MTTR"): median hours from an incident opening to its resolution.',
  },
  'recovery-time': {
    unit: 'hours',
    value: (m) => m.recoveryHours,
    band: 'recovery',
    about: 'Failed deployment recovery time (2023 DORA): median hours from the causing deployment to the resolution.',
  },
};

const metricScope = z.object({
  name: z.string(),
  value: z.number().nullable(),
  previous: z.number().nullable(),
  band: z.string().nullable(),
});
const metricOutput = z.object({
  metric: z.string(),
  unit: z.string(),
  days: z.number(),
  from: timestamp,
  to: timestamp,
  org: metricScope,
  repos: z.array(metricScope),
});

const postBody = (extra: z.ZodRawShape) =>
  z.object({
    channel: z
      .string()
      .regex(/^(?:[CG][A-Z0-9]{2,}|#[a-z0-9_-]{1,80})$/, { error: 'channel must be a channel id or #name' }),
    ...extra,
  });
const postOutput = z.object({ channel: z.string(), ts: z.string() });

/** The report's team as the subcommand takes it (absent when the request names none). */
const teamOf = (q: Record<string, unknown>) => (typeof q.team === 'string' && q.team ? { team: q.team } : {});

export function resourceRoutes(api: ApiInstance, ctx: ApiRouteContext): void {
  const { problems } = ctx;
  const run = (name: string, request: FastifyRequest, input: unknown) =>
    ctx.tool(name).run(ctx.contextOf(request), ctx.tool(name).input.parse(input));
  const read = { kind: 'read' as const };
  const limit = ctx.options.maxPayloadBytes;

  api.get(
    '/metrics/dora',
    {
      config: read,
      schema: {
        tags: ['metrics'],
        summary: 'DORA four keys, organization and repositories',
        querystring: z.object({ window: windowParam, team: teamParam }),
        response: { 200: ctx.tool('dora.report').output, ...problems },
      },
    },
    async (request) => run('dora.report', request, { days: request.query.window, team: request.query.team }),
  );
  for (const [metric, spec] of Object.entries(METRICS)) {
    api.get(
      `/metrics/dora/${metric}`,
      {
        config: read,
        schema: {
          tags: ['metrics'],
          summary: spec.about,
          querystring: z.object({ window: windowParam, repo: repoParam, team: teamParam }),
          response: { 200: metricOutput, ...problems },
        },
      },
      async (request) => {
        const report = (await run('dora.report', request, {
          days: request.query.window,
          team: request.query.team,
        })) as DoraReport;
        const scope = (s: DoraScope) => ({
          name: s.name,
          value: spec.value(s.current),
          previous: spec.value(s.previous),
          band: s.bands[spec.band],
        });
        return {
          metric,
          unit: spec.unit,
          days: report.days,
          from: report.from,
          to: report.to,
          org: scope(report.org),
          repos: report.repos.filter((r) => !request.query.repo || r.name === request.query.repo).map(scope),
        };
      },
    );
  }

  const reports: {
    path: string;
    tool: string;
    query: z.ZodRawShape;
    command(q: Record<string, unknown>): OwnCommand;
  }[] = [
    {
      path: 'standup',
      tool: 'standup.report',
      query: { hours: z.coerce.number().int().min(1).max(336).default(24) },
      command: (q) => ({ name: 'standup', hours: Number(q.hours ?? 24), ...teamOf(q) }),
    },
    {
      path: 'sprint-health',
      tool: 'sprint.health',
      query: { agingDays: z.coerce.number().int().min(1).max(60).default(3) },
      command: (q) => ({ name: 'sprint', days: Number(q.agingDays ?? 3), ...teamOf(q) }),
    },
  ];
  for (const report of reports) {
    const tool = ctx.tool(report.tool);
    api.get(
      `/reports/${report.path}`,
      {
        config: read,
        schema: {
          tags: ['reports'],
          summary: tool.description,
          querystring: z.object({ ...report.query, team: teamParam }),
          response: { 200: tool.output, ...problems },
        },
      },
      async (request) => run(report.tool, request, request.query),
    );
    api.post(
      `/reports/${report.path}/post`,
      {
        // A post in Slack is an act, not a read: a `read` token (a dashboard's) cannot make the bot speak.
        config: { kind: 'propose' },
        bodyLimit: limit,
        schema: {
          tags: ['reports'],
          summary: `Posts the ${report.path} report to a channel the token's person is a member of`,
          body: postBody({ ...report.query, team: teamParam }),
          response: { 200: postOutput, ...problems },
        },
      },
      async (request, reply) => {
        const body = request.body as { channel: string } & Record<string, unknown>;
        const command = report.command(body);
        const handler = ctx.options.commands.get(command.name);
        const slack = ctx.options.slack();
        if (!handler || !slack) return sendProblem(reply, 503, 'Slack is not connected.');
        const person = (request.principal as { slackUserId: string }).slackUserId;
        // An unknown team is the request's mistake (404), not a "no such team" message posted to the channel.
        if (typeof body.team === 'string') await scopeFor(ctx.options.db, person, body.team);
        const channel = await channelIdOf(slack, body.channel).catch(() => undefined);
        if (!channel) return sendProblem(reply, 404, `No channel ${body.channel} that the bot can see.`);
        if (!(await channelMembership.isMember(slack, channel, person)))
          return sendProblem(
            reply,
            403,
            `You are not a member of ${body.channel}, so the bot won't post there for you.`,
          );
        const message: SlackMessage & { onPosted?(c: string, ts: string): Promise<void> } = await handler(
          {
            userId: person,
            channelId: channel,
            client: slack,
            db: ctx.options.db,
            logger: ctx.options.logger.child({ via: 'api' }),
            progress: async () => {},
          },
          command,
        );
        const posted = await slack.chat.postMessage({ channel, text: message.text, blocks: message.blocks });
        await message.onPosted?.(posted.channel as string, posted.ts as string);
        // A write through the API: who posted what where, and through which door.
        await audit(ctx.options.db, {
          actor: person,
          event: 'posted',
          action: `report.${report.path}`,
          detail: { channel: posted.channel, ts: posted.ts, via: 'api' },
        });
        return { channel: posted.channel as string, ts: posted.ts as string };
      },
    );
  }

  api.post(
    '/signals/evaluate',
    {
      config: read,
      bodyLimit: limit,
      schema: {
        tags: ['signals'],
        summary: ctx.tool('signals.evaluate').description,
        body: ctx.tool('signals.evaluate').input,
        response: { 200: ctx.tool('signals.evaluate').output, ...problems },
      },
    },
    async (request) => run('signals.evaluate', request, request.body),
  );
  api.post(
    '/policy/evaluate',
    {
      config: read,
      bodyLimit: limit,
      schema: {
        tags: ['policy'],
        summary: ctx.tool('policy.explain').description,
        body: z.object({ action: z.string().min(1).max(64) }),
        response: { 200: ctx.tool('policy.explain').output, ...problems },
      },
    },
    async (request) => run('policy.explain', request, request.body),
  );

  const approvals = ctx.tool('approvals.list');
  const approvalItem = (approvals.output as z.ZodArray<z.ZodType>).element;
  api.get(
    '/approvals',
    {
      config: read,
      schema: {
        tags: ['approvals'],
        summary: approvals.description,
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(50).default(50),
          before: z.coerce
            .number()
            .int()
            .positive()
            .max(2_147_483_647)
            .optional()
            .meta({ description: 'The next page: proposals listed after this id (the last of the page before).' }),
        }),
        response: { 200: approvals.output, ...problems },
      },
    },
    async (request) => run('approvals.list', request, request.query),
  );
  api.get(
    '/approvals/:id',
    {
      config: read,
      schema: {
        tags: ['approvals'],
        summary: 'One proposal waiting for a decision, with whether the token’s person may decide it',
        params: z.object({ id: z.coerce.number().int().positive().max(2_147_483_647) }),
        response: { 200: approvalItem, ...problems },
      },
    },
    async (request, reply) => {
      const found = ((await run('approvals.list', request, { id: request.params.id, limit: 1 })) as unknown[])[0];
      return found ?? sendProblem(reply, 404, `No proposal ${request.params.id} is waiting for a decision.`);
    },
  );
  // Teams: the registry the seed called projects (list, show, create or update, archive).
  const teams = ctx.options.tools.find((t) => t.name === 'teams.list');
  if (teams) {
    api.get(
      '/teams',
      {
        config: read,
        schema: {
          tags: ['teams'],
          summary: teams.description,
          // A query string carries text: ?archived=true is the tool's boolean.
          querystring: z.object({ archived: z.stringbool().default(false) }),
          response: { 200: ctx.tool('teams.list').output, ...problems },
        },
      },
      async (request) => run('teams.list', request, request.query),
    );
    api.get(
      '/teams/:team',
      {
        config: read,
        schema: {
          tags: ['teams'],
          summary: ctx.tool('teams.show').description,
          params: z.object({ team: z.string().min(1).max(80) }),
          response: { 200: ctx.tool('teams.show').output, ...problems },
        },
      },
      async (request) => run('teams.show', request, { team: request.params.team }),
    );
    api.post(
      '/teams',
      {
        config: { kind: 'decide' },
        bodyLimit: limit,
        schema: {
          tags: ['teams'],
          summary: ctx.tool('teams.save').description,
          body: ctx.tool('teams.save').input,
          response: { 200: ctx.tool('teams.save').output, ...problems },
        },
      },
      async (request) => run('teams.save', request, request.body),
    );
    api.delete(
      '/teams/:team',
      {
        config: { kind: 'decide' },
        schema: {
          tags: ['teams'],
          summary: ctx.tool('teams.archive').description,
          params: z.object({ team: z.string().min(1).max(80) }),
          response: { 200: ctx.tool('teams.archive').output, ...problems },
        },
      },
      async (request) => run('teams.archive', request, { key: request.params.team }),
    );
  }
  const propose = ctx.tool('approvals.propose');
  api.post(
    '/approvals/propose',
    {
      config: { kind: 'propose' },
      bodyLimit: limit,
      schema: {
        tags: ['approvals'],
        summary: propose.description,
        body: propose.input,
        response: { 200: propose.output, ...problems },
      },
    },
    async (request) => run('approvals.propose', request, request.body),
  );
  const agent = ctx.options.tools.find((t) => t.name === 'agent.run');
  if (agent)
    api.post(
      '/agent/run',
      {
        config: { kind: 'propose' },
        bodyLimit: limit,
        schema: {
          tags: ['agent'],
          summary: agent.description,
          body: agent.input,
          response: { 200: agent.output, ...problems },
        },
      },
      async (request) => run('agent.run', request, request.body),
    );
  const decide = ctx.tool('approvals.decide');
  api.post(
    '/approvals/:id/decision',
    {
      config: { kind: 'decide' },
      bodyLimit: limit,
      schema: {
        tags: ['approvals'],
        summary: decide.description,
        params: z.object({ id: z.coerce.number().int().positive().max(2_147_483_647) }),
        body: z.object({ vote: z.enum(['approve', 'reject']), reason: z.string().trim().max(500).optional() }),
        response: { 200: decide.output, ...problems },
      },
    },
    async (request) => run('approvals.decide', request, { id: request.params.id, ...request.body }),
  );

  const search = ctx.tool('ask.search');
  for (const path of ['/ask/search', '/rag/search']) {
    api.get(
      path,
      {
        config: read,
        schema: {
          tags: ['ask'],
          summary: search.description,
          querystring: z.object({
            q: z.string().min(3).max(500),
            limit: z.coerce.number().int().min(1).max(20).default(5),
            team: teamParam,
          }),
          response: { 200: search.output, ...problems },
        },
      },
      async (request) => run('ask.search', request, { query: request.query.q, limit: request.query.limit }),
    );
  }
}
