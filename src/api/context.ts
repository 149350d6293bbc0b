// What the REST routes share: the door's options, and how a route runs a tool as the token's person.

import type { WebClient } from '@slack/web-api';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AnyTool, ToolContext, ToolKind } from '../capabilities/tool.js';
import type { Logger } from '../observability/logger.js';
import type { CommandRegistry } from '../slack/commands.js';
import type { Db } from '../store/db.js';
import type { problemResponses } from './problem.js';
import type { RateStore } from './rate-budget.js';
import type { ApiPrincipal, ApiTokens } from './tokens.js';

export interface ApiOptions {
  db: Db;
  logger: Logger;
  tokens: ApiTokens;
  tools: AnyTool[];
  commands: CommandRegistry;
  /** The Slack Web API once the bot is up: channel memberships, and the `/post` routes. */
  slack: () => WebClient | undefined;
  /** Requests per minute per token (RATE_LIMIT_PER_MIN), counted across both doors in `rateStore`. */
  ratePerMinute: number;
  rateStore?: new () => RateStore;
  /** Largest request body in bytes (MAX_PAYLOAD_BYTES). */
  maxPayloadBytes: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: ApiPrincipal | null;
  }
  interface FastifyContextConfig {
    /** The tool kind the route needs of the token's scope; none for the public documents. */
    kind?: ToolKind;
  }
}

export type ApiInstance = FastifyInstance<
  FastifyInstance['server'],
  FastifyRequest['raw'],
  FastifyReply['raw'],
  FastifyInstance['log'],
  ZodTypeProvider
>;

/** What a route's handler gets to run tools as the token's person. */
export interface ApiRouteContext {
  options: ApiOptions;
  tool(name: string): AnyTool;
  contextOf(request: FastifyRequest): ToolContext;
  /** The problem responses a route documents, next to its 200. */
  problems: typeof problemResponses;
}
