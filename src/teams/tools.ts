// Teams as tools: read them from any door; create, edit and archive them with authorization inside.
import { z } from 'zod';
import { defineTool, timestamp } from '../capabilities/tool.js';
import { type Team, teamInput } from './model.js';
import { editRefusal, type TeamAdmins } from './permissions.js';
import { scopeFor, teamArgument } from './scope.js';
import { archiveTeam, getTeam, listTeams, saveTeam, teamsOf } from './store.js';

export const teamOutputSchema = z.object({
  key: z.string(),
  name: z.string(),
  members: z.array(z.string()),
  managers: z.array(z.string()),
  channel: z.string().nullable(),
  repos: z.array(z.string()),
  jiraProjects: z.array(z.string()),
  jiraBoards: z.array(z.string()),
  linearTeams: z.array(z.string()),
  oncallGroup: z.string().nullable(),
  timezone: z.string(),
  workDays: z.array(z.number()),
  managedByFile: z.string().nullable(),
  archivedAt: timestamp.nullable(),
});

export function teamsListTool() {
  return defineTool({
    name: 'teams.list',
    description:
      'The teams (key, name, members and managers as Slack ids, channel, repositories or globs, Jira projects and ' +
      'boards, Linear teams, on-call group, time zone; whether teams.yml manages it), and which of them the person is in.',
    kind: 'read',
    input: z.object({ archived: z.boolean().default(false) }),
    output: z.object({ teams: z.array(teamOutputSchema), mine: z.array(z.string()) }),
    run: async (ctx, input) => ({
      teams: await listTeams(ctx.db, { archived: input.archived }),
      mine: (await teamsOf(ctx.db, ctx.person.slackId)).map((t) => t.key),
    }),
  });
}

export function teamsShowTool() {
  return defineTool({
    name: 'teams.show',
    description:
      "One team, by key or name (fuzzy-matched); without `team`, the person's team when they are in exactly one. " +
      'Null when no team is meant (the org).',
    kind: 'read',
    input: z.object({ team: teamArgument }),
    output: teamOutputSchema.nullable(),
    run: async (ctx, input) => (await scopeFor(ctx.db, ctx.person.slackId, input.team))?.team ?? null,
  });
}

export type TeamChange = { ok: true; team: Team; created: boolean } | { ok: false; refusal: string };

export function teamsSaveTool(admins: TeamAdmins) {
  return defineTool({
    name: 'teams.save',
    description:
      "Creates a team or replaces an existing one's fields. Team admins (the group policy names for teams.edit) " +
      'may create and edit any team, managers their own; teams from teams.yml are read-only. Audited.',
    kind: 'decide',
    input: teamInput,
    output: z.union([
      z.object({ ok: z.literal(true), team: teamOutputSchema, created: z.boolean() }),
      z.object({ ok: z.literal(false), refusal: z.string() }),
    ]),
    run: async (ctx, input): Promise<TeamChange> => {
      const before = await getTeam(ctx.db, input.key);
      const refusal = await editRefusal(admins, ctx.person.slackId, before);
      if (refusal) return { ok: false, refusal };
      const { created } = await saveTeam(ctx.db, input, { actor: ctx.person.slackId });
      return { ok: true, team: (await getTeam(ctx.db, input.key)) as Team, created };
    },
  });
}

export function teamsArchiveTool(admins: TeamAdmins) {
  return defineTool({
    name: 'teams.archive',
    description: 'Archives a team (its managers or team admins; not a teams.yml team). Audited.',
    kind: 'decide',
    input: z.object({ key: z.string() }),
    output: z.object({ ok: z.boolean(), message: z.string() }),
    run: async (ctx, input) => {
      const team = await getTeam(ctx.db, input.key);
      if (!team || team.archivedAt) return { ok: false, message: 'That team is already archived or gone.' };
      const refusal = await editRefusal(admins, ctx.person.slackId, team);
      if (refusal) return { ok: false, message: refusal };
      await archiveTeam(ctx.db, team.key, ctx.person.slackId);
      return { ok: true, message: `${team.name} is archived.` };
    },
  });
}
