// Personal API tokens as tools, for the Slack door only: the REST API and the MCP server leave out `tokens.*`
// (a token never mints, lists or revokes tokens; only its person in Slack does).
import { z } from 'zod';
import { defineTool, timestamp } from '../capabilities/tool.js';
import { type ApiTokens, SCOPES, type TokenScope } from './tokens.js';

export const TOKEN_TOOLS_PREFIX = 'tokens.';
const scope = z.enum(SCOPES as [TokenScope, ...TokenScope[]]);
const listing = z.object({
  name: z.string(),
  scope,
  prefix: z.string(),
  createdAt: timestamp,
  lastUsedAt: timestamp.nullable(),
});

export function tokensListTool(tokens: ApiTokens) {
  return defineTool({
    name: 'tokens.list',
    description: "The acting person's live API tokens: name, scope, public prefix, created and last used.",
    kind: 'read',
    input: z.object({}),
    output: z.array(listing),
    run: async (ctx) =>
      (await tokens.list(ctx.person.slackId)).map((r) => ({
        name: r.name,
        scope: r.scope,
        prefix: r.prefix,
        createdAt: r.created_at,
        lastUsedAt: r.last_used_at,
      })),
  });
}

const tokenName = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,39}$/i);

export function tokensCreateTool(tokens: ApiTokens) {
  return defineTool({
    name: 'tokens.create',
    description:
      'Creates a personal API token acting as the acting person, up to a scope (read, propose, decide). The token ' +
      'is in the output once and never again; only its hash is kept.',
    kind: 'decide',
    input: z.object({ name: tokenName, scope: scope.default('read') }),
    output: z.discriminatedUnion('created', [
      z.object({ created: z.literal(false), reason: z.literal('name_taken') }),
      z.object({ created: z.literal(true), token: z.string(), name: z.string(), scope }),
    ]),
    run: async (ctx, input) => {
      const made = await tokens.create(ctx.person.slackId, input.name, input.scope);
      if (!made) return { created: false as const, reason: 'name_taken' as const };
      ctx.logger.info({ user: ctx.person.slackId, name: input.name, scope: input.scope }, 'api token created');
      return { created: true as const, token: made.token, name: input.name, scope: input.scope };
    },
  });
}

export function tokensRevokeTool(tokens: ApiTokens) {
  return defineTool({
    name: 'tokens.revoke',
    description: "Revokes one of the acting person's API tokens by name; requests with it are refused from then on.",
    kind: 'decide',
    input: z.object({ name: tokenName }),
    output: z.object({ revoked: z.boolean() }),
    run: async (ctx, input) => {
      const revoked = await tokens.revoke(ctx.person.slackId, input.name);
      ctx.logger.info({ user: ctx.person.slackId, name: input.name, revoked }, 'api token revoked');
      return { revoked };
    },
  });
}

export function tokenTools(tokens: ApiTokens) {
  return [tokensListTool(tokens), tokensCreateTool(tokens), tokensRevokeTool(tokens)];
}
