// JSON Schema of the tools' zod schemas, for OpenAPI and MCP: timestamps are ISO 8601 strings on the wire.
import { z } from 'zod';
import { timestamp } from '../capabilities/tool.js';

type OverrideContext = { zodSchema: unknown; jsonSchema: Record<string, unknown> };

/** Shared by the OpenAPI transform and the MCP tool list. */
export function overrideTimestamps(ctx: OverrideContext): void {
  if (ctx.zodSchema === timestamp) {
    for (const key of Object.keys(ctx.jsonSchema)) delete ctx.jsonSchema[key];
    Object.assign(ctx.jsonSchema, { type: 'string', format: 'date-time' });
  }
}

export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
    override: overrideTimestamps as never,
  }) as Record<string, unknown>;
  return rest;
}
