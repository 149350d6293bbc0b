// The REST API under /v1: personal tokens, problem details, a rate and body limit per token, OpenAPI 3.1 at
// /v1/openapi.json, and routes generated from the tools (POST /v1/tools/{name}) plus the resource routes of
// resources.ts. Every route runs a tool as the token's Slack user; tools decide authorization, as through Slack.
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import type { FastifyError, FastifyPluginAsync } from 'fastify';
import {
  createJsonSchemaTransform,
  createJsonSchemaTransformObject,
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { isStopping, RESTARTING } from '../lib/stopping.js';
import type { ApiOptions, ApiRouteContext } from './context.js';
import { NUL_REFUSED, nulCharacterAt } from './input-text.js';
import { overrideTimestamps } from './json-schema.js';
import { problemResponses, sendProblem } from './problem.js';
import { resourceRoutes } from './resources.js';
import { type ApiPrincipal, scopeAllows } from './tokens.js';

export function apiPlugin(options: ApiOptions): FastifyPluginAsync {
  return async (root) => {
    await root.register(
      async (plain) => {
        const api = plain.withTypeProvider<ZodTypeProvider>();
        api.setValidatorCompiler(validatorCompiler);
        api.setSerializerCompiler(serializerCompiler);
        await api.register(swagger, {
          openapi: {
            openapi: '3.1.0',
            info: {
              title: 'em-agent API',
              version: '1',
              description:
                'em-agent operations over HTTP. Every route acts as the Slack user who created the token ' +
                '(`/em token create <name> [read|propose|decide]`), with the same rules as in Slack.',
            },
            components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
            security: [{ bearer: [] }],
          },
          transform: createJsonSchemaTransform({ zodToJsonConfig: { override: overrideTimestamps as never } }),
          transformObject: createJsonSchemaTransformObject({
            zodToJsonConfig: { override: overrideTimestamps as never },
          }),
        });

        api.decorateRequest('principal', null);
        api.setNotFoundHandler((_request, reply) => sendProblem(reply, 404, 'No such route.'));
        api.setErrorHandler((err: FastifyError, request, reply) => {
          if (hasZodFastifySchemaValidationErrors(err))
            return sendProblem(
              reply,
              400,
              err.validation
                .map(
                  (issue) =>
                    `${issue.instancePath.replace(/^\//, '').replaceAll('/', '.') || 'body'}: ${issue.message}`,
                )
                .join('; ')
                .slice(0, 500),
            );
          if (isResponseSerializationError(err)) {
            options.logger.error({ err: err.cause, path: request.routeOptions.url }, 'api response off its schema');
            return sendProblem(reply, 500);
          }
          // The process is stopping (a restart, an update): the request can be made again in a moment.
          if (isStopping(err)) return sendProblem(reply.header('retry-after', '30'), 503, RESTARTING);
          const status = err.statusCode ?? 500;
          if (status >= 500) {
            options.logger.error({ err, path: request.routeOptions.url }, 'api route failed');
            return sendProblem(reply, 500);
          }
          return sendProblem(reply, status, err.message);
        });

        // Authentication before anything else; the token's scope against the route's tool kind.
        api.addHook('onRequest', async (request, reply) => {
          const kind = request.routeOptions.config?.kind;
          if (!kind) return;
          const principal = await options.tokens.verify(request.headers.authorization);
          if (!principal)
            return sendProblem(reply, 401, 'Send a personal token: Authorization: Bearer <token> (/em token create).');
          if (!scopeAllows(principal.scope, kind))
            return sendProblem(
              reply,
              403,
              `This token's scope is ${principal.scope}; this route needs ${kind}. Create one with \`/em token create <name> ${kind}\`.`,
            );
          request.principal = principal;
        });
        // A NUL character no store keeps: the request's mistake (400 naming where), not a server error deep inside.
        api.addHook('preValidation', async (request, reply) => {
          if (!request.routeOptions.config?.kind) return;
          for (const [part, value] of [
            ['body', request.body],
            ['query', request.query],
            ['path', request.params],
          ] as const) {
            const at = nulCharacterAt(value, part);
            if (at) return sendProblem(reply, 400, `${at}: ${NUL_REFUSED}`);
          }
        });
        await api.register(rateLimit, {
          max: options.ratePerMinute,
          timeWindow: 60_000,
          hook: 'preHandler',
          ...(options.rateStore ? { store: options.rateStore } : {}),
          keyGenerator: (request) => `token:${request.principal?.tokenId ?? request.ip}`,
          errorResponseBuilder: (_request, context) => ({
            statusCode: 429,
            message: `At most ${context.max} requests a minute per token; retry in ${Math.ceil(context.ttl / 1000)} s.`,
          }),
        });

        const byName = new Map(options.tools.map((t) => [t.name, t]));
        const ctx: ApiRouteContext = {
          options,
          problems: problemResponses,
          tool: (name) => {
            const tool = byName.get(name);
            if (!tool) throw new Error(`no tool ${name}`);
            return tool;
          },
          contextOf: (request) => ({
            person: { slackId: (request.principal as ApiPrincipal).slackUserId },
            db: options.db,
            logger: options.logger.child({ via: 'api', token: (request.principal as ApiPrincipal).tokenId }),
            slack: options.slack(),
            via: 'api',
          }),
        };

        api.get('/openapi.json', { schema: { hide: true } }, async () => api.swagger());

        for (const tool of options.tools) {
          api.post(
            `/tools/${tool.name}`,
            {
              config: { kind: tool.kind },
              bodyLimit: options.maxPayloadBytes,
              // A body is optional for tools whose input has defaults only.
              preValidation: async (request) => {
                request.body ??= {};
              },
              schema: {
                operationId: tool.name,
                summary: tool.name,
                description: `${tool.description} (kind: ${tool.kind})`,
                tags: ['tools'],
                body: tool.input,
                response: { 200: tool.output, ...problemResponses },
              },
            },
            async (request) => tool.run(ctx.contextOf(request), request.body),
          );
        }
        resourceRoutes(api, ctx);
      },
      { prefix: '/v1' },
    );
  };
}
