// A tool is one operation a person can ask for, the same through every door (/em today; an agent, a REST API
// and an MCP server later): typed input and output (data, never Block Kit), and authorization inside it.
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { Logger } from '../observability/logger.js';
import type { Db } from '../store/db.js';

/** `read` only looks; `propose` creates something that waits for a decision; `decide` approves or acts. */
export type ToolKind = 'read' | 'propose' | 'decide';

export interface ToolContext {
  /** The acting person, as every door resolves them: their Slack user id. */
  person: { slackId: string };
  db: Db;
  logger: Logger;
  /**
   * The Slack Web API, when the door has it: tools check the person's channel memberships through it (what was
   * posted to a private channel is shown to its members only). Without it, private-channel items are left out.
   */
  slack?: WebClient;
  /** The door the request came through, written to the audit log with every proposal and decision. */
  via?: 'slack' | 'agent' | 'api' | 'mcp';
  /** Progress while long work goes on (a door may ignore it). */
  progress?(text: string): Promise<void>;
  /**
   * Where the answer is read: by the person alone (a DM, an ephemeral reply, the API), or in a channel, where every
   * member reads it. A tool that answers privately (`privately`) is not run for a channel.
   */
  audience?: 'person' | 'channel';
}

/**
 * `Result` is what `run` returns: the capability's own type, which must fit the output schema (checked at compile
 * time here, and at run time on the demo org by test/capabilities/tools.test.ts).
 */
export interface Tool<
  Input extends z.ZodType = z.ZodType,
  Output extends z.ZodType = z.ZodType,
  Result extends z.output<Output> = z.output<Output>,
> {
  /** Dotted, capability first: `dora.report`. */
  name: string;
  /** For people and language models alike: what it returns, from what, and what it needs. */
  description: string;
  kind: ToolKind;
  /**
   * Set when the answer holds what only some may read (the audit log: approvers only, with others' DM questions):
   * the tool is not run where a channel reads the answer, and the person is told this instead.
   */
  privately?: string;
  input: Input;
  output: Output;
  run(ctx: ToolContext, input: z.output<Input>): Promise<Result>;
}

/** Keeps the input and output types of one tool tied together. */
export function defineTool<Input extends z.ZodType, Output extends z.ZodType, Result extends z.output<Output>>(
  tool: Tool<Input, Output, Result>,
): Tool<Input, Output, Result> {
  return tool;
}

/** A tool that answers privately, asked where a channel reads the answer; the message says where to ask instead. */
export class PrivateAnswerError extends Error {}

/** Whether a tool may answer where the context's answer is read (see `Tool.privately`). */
export function refusedForAudience(tool: Pick<AnyTool, 'privately'>, ctx: Pick<ToolContext, 'audience'>) {
  return tool.privately !== undefined && ctx.audience === 'channel' ? tool.privately : undefined;
}

/**
 * Runs a tool on raw input (from any door): the input is parsed by the tool's schema first. A tool that answers
 * privately is refused (PrivateAnswerError) where a channel reads the answer.
 */
export async function runTool<Input extends z.ZodType, Output extends z.ZodType, Result extends z.output<Output>>(
  tool: Tool<Input, Output, Result>,
  ctx: ToolContext,
  input: z.input<Input>,
): Promise<Result> {
  const refused = refusedForAudience(tool, ctx);
  if (refused) throw new PrivateAnswerError(refused);
  return tool.run(ctx, tool.input.parse(input));
}

/** Any tool, for lists (the registry, a door's catalogue). */
// biome-ignore lint/suspicious/noExplicitAny: a list holds tools of different inputs; each is parsed by its schema
export type AnyTool = Tool<z.ZodType, z.ZodType, any>;

/**
 * Timestamps in outputs are valid Dates; JSON doors write them as ISO 8601 (JSON.stringify does). Checked by tag,
 * not `instanceof`: a Date made in another realm (a database worker's, a test VM's) is a Date all the same.
 */
export const timestamp = z.custom<Date>(
  (value) => Object.prototype.toString.call(value) === '[object Date]' && !Number.isNaN((value as Date).getTime()),
  { message: 'expected a valid Date' },
);
export const link = z.string().nullable();

/**
 * A row's id or number in a tool's input: a positive whole number, sent as a number or as digits ("12"). Not
 * z.coerce.number() alone, which reads `true` as 1 and "" as 0 (`{"number": true}` named incident #1). No
 * transform either: LangChain writes the tools' schemas as JSON Schema, which cannot hold one.
 */
export function positiveId(message: string, options: { max?: number; tooLarge?: string } = {}) {
  const { max = Number.MAX_SAFE_INTEGER, tooLarge = message } = options;
  return z
    .union([z.number(), z.string().regex(/^\d+$/, { error: message })], { error: message })
    .pipe(
      z.coerce
        .number<string | number>()
        .int({ error: message })
        .positive({ error: message })
        .max(max, { error: tooLarge }),
    );
}

/**
 * Runs a tool from a Slack surface that has checked its form already: input the tool's schema still refuses is
 * a refusal with the schema's first message (as `/em incident severity SEV9` is answered), not an error.
 */
export async function runOrRefuse<Input extends z.ZodType, Output extends z.ZodType, Result extends z.output<Output>>(
  tool: Tool<Input, Output, Result>,
  ctx: ToolContext,
  input: z.input<Input>,
): Promise<Result | { ok: false; message: string }> {
  const parsed = tool.input.safeParse(input);
  if (!parsed.success) return { ok: false, message: parsed.error.issues[0]?.message ?? 'That input is not valid.' };
  return tool.run(ctx, parsed.data);
}
