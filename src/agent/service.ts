// The agent: a request in plain language → tools → one answer. With a chat model, a LangChain agent chooses the
// tools (model.ts); without one, the offline planner does (planner.ts). Either way: per-person rate limits and a
// daily token budget, thread memory in the database, `read` tools run, `propose` tools make proposals that wait for
// policy (the agent's door is on them), `decide` tools are never offered. Every run is recorded and audited.
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { WebClient } from '@slack/web-api';
import {
  agentAnswer,
  chooseMessage,
  joinAnd,
  MAX_CONFIRMATIONS,
  refusalMessage,
  unservableMessage,
} from '../../blocks/agent/answer.js';
import type { SlackMessage } from '../../blocks/help.js';
import { audit } from '../approvals/store.js';
import { type AnyTool, PrivateAnswerError, runTool, type ToolContext } from '../capabilities/tool.js';
import { ModelUsage } from '../lib/chat-model.js';
import { isStopping } from '../lib/stopping.js';
import type { Logger } from '../observability/logger.js';
import type { Db } from '../store/db.js';
import type { ModelRun } from './model.js';
import { type PlannedCall, plan } from './planner.js';
import type { ToolViews } from './render.js';
import { addConfirmation, addTurn, knownRepos, lastTurns, recordRun, takeConfirmation, usageSince } from './store.js';

export interface AgentSettings {
  maxSteps: number;
  timeoutMs: number;
  tokensPerRequest: number;
  tokensPerDay: number;
  requestsPerHour: number;
  memoryTurns: number;
  timezone: string;
}

/** The agent's settings from the configuration (AGENT_*; REPORTS_TIMEZONE for calendar words). */
export function agentSettings(config: {
  AGENT_MAX_STEPS: number;
  AGENT_TIMEOUT_MS: number;
  AGENT_TOKENS_PER_REQUEST: number;
  AGENT_TOKENS_PER_DAY: number;
  AGENT_REQUESTS_PER_HOUR: number;
  AGENT_MEMORY_TURNS: number;
  REPORTS_TIMEZONE: string;
}): AgentSettings {
  return {
    maxSteps: config.AGENT_MAX_STEPS,
    timeoutMs: config.AGENT_TIMEOUT_MS,
    tokensPerRequest: config.AGENT_TOKENS_PER_REQUEST,
    tokensPerDay: config.AGENT_TOKENS_PER_DAY,
    requestsPerHour: config.AGENT_REQUESTS_PER_HOUR,
    memoryTurns: config.AGENT_MEMORY_TURNS,
    timezone: config.REPORTS_TIMEZONE,
  };
}

export interface AgentDeps {
  db: Db;
  logger: Logger;
  /** Every tool; the agent keeps the read and propose ones. */
  tools: AnyTool[];
  /** How each tool is named and its output shown. */
  views: ToolViews;
  model?: () => Promise<BaseChatModel>;
  settings: AgentSettings;
  /** Team names known to em-agent (lower case). */
  teams?: () => string[] | Promise<string[]>;
  now?: () => Date;
}

/**
 * Where a request came from: a DM, an @mention, `/em <text>`, the assistant pane, a button it offered, the REST API
 * or the MCP server.
 */
export type AgentDoor = 'dm' | 'mention' | 'command' | 'assistant' | 'button' | 'api' | 'mcp';

export interface AgentRequest {
  person: string;
  text: string;
  door: AgentDoor;
  /** The conversation (a thread or a DM) whose turns are remembered; null: no memory. */
  threadKey: string | null;
  slack?: WebClient;
  /** The bot's own user id, so a mention of it is not read as a person asked about. */
  botUserId?: string;
  /** The channel the person is looking at (the assistant pane's context). */
  contextChannel?: string;
  /**
   * Where the answer is read: by the person alone (a DM, the assistant pane, an ephemeral reply), or in a channel's
   * thread, where every member reads it: then the tools see only what everyone may (no private channel's material).
   */
  audience?: 'person' | 'channel';
  /** Progress while the work goes on (the assistant pane's status). */
  status?(text: string): Promise<void>;
  /** Each tool's part of the answer as soon as it is ready (a door that streams shows it before the whole answer). */
  onPart?(label: string, part: SlackMessage): Promise<void>;
}

export type AgentOutcome = 'answered' | 'chose' | 'unservable' | 'rate_limited' | 'over_budget' | 'failed' | 'timeout';

export interface AgentResult {
  message: SlackMessage;
  outcome: AgentOutcome;
  /** Every call: run (`ok`), failed, refused, or `held` for the asker's confirmation. */
  tools: { tool: string; args: Record<string, unknown>; ok: boolean; held?: boolean }[];
  tokens: number;
  /**
   * What the thread remembers as the answer, when not the message's text. With a model: what ran and the model's
   * own words, never the tools' outputs, which would come back to the model as its own words rather than as data.
   */
  remember?: string;
}

export class AgentService {
  /** The tools the agent may use: never a `decide` one. */
  readonly tools: AnyTool[];

  /** Each person's model tokens per day, whatever used them (the agent, ask answers, narratives). */
  private readonly usage: ModelUsage;

  constructor(private readonly deps: AgentDeps) {
    this.tools = deps.tools.filter((t) => t.kind !== 'decide');
    this.usage = new ModelUsage(deps.db, deps.settings.tokensPerDay, () => this.now());
  }

  /**
   * A model run as an answer: the model's words, each tool's output, tools the model chose that change something
   * offered for the asker to confirm, and what the model asked for that could not run. A run the model failed keeps
   * what ran before the failure.
   */
  private async modelAnswer(request: AgentRequest, result: ModelRun): Promise<AgentResult> {
    const { views } = this.deps;
    const held = result.calls.filter((c) => c.held);
    const confirm = [];
    for (const c of held.slice(0, MAX_CONFIRMATIONS))
      confirm.push({
        id: await addConfirmation(this.deps.db, {
          person: request.person,
          tool: c.tool,
          args: c.args,
          threadKey: request.threadKey,
        }),
        label: views.labelOf(c.tool),
        args: c.args,
      });
    const refused = [...new Set(result.calls.filter((c) => c.refused === 'no such tool').map((c) => c.tool))];
    const notes = [
      ...result.notes,
      ...(refused.length ? [`The model asked for ${joinAnd(refused)}, which it cannot use; nothing ran for it.`] : []),
      ...(held.length > MAX_CONFIRMATIONS
        ? [`The model chose ${held.length} changes; only the first ${MAX_CONFIRMATIONS} are offered here.`]
        : []),
      ...(result.outcome === 'failed'
        ? ['The model failed before it finished (the error was logged); here is what ran. Try again in a moment.']
        : []),
    ];
    const ran = result.calls.filter((c) => c.ok);
    const tools = result.calls.map(({ tool, args, ok, held: waits }) => ({
      tool,
      args,
      ok,
      ...(waits ? { held: true } : {}),
    }));
    if (result.outcome === 'failed' && !ran.length && !held.length)
      return {
        message: refusalMessage(
          'Something went wrong while I worked on that; the error was logged. Try again in a moment.',
        ),
        outcome: 'failed',
        tools,
        tokens: result.tokens,
      };
    const labels = [...new Set(ran.map((c) => views.labelOf(c.tool)))];
    return {
      message: agentAnswer({
        ran: labels,
        parts: ran.map((c) => c.rendered),
        narrative: result.answer,
        notes,
        confirm,
      }),
      outcome: result.outcome,
      tools,
      tokens: result.tokens,
      remember: [labels.length ? `I looked at ${joinAnd(labels)}.` : 'I did not run any tool.', result.answer]
        .filter(Boolean)
        .join(' '),
    };
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** Answers one request. Never throws: failures become an answer that says so (and are recorded). */
  async handle(request: AgentRequest): Promise<AgentResult> {
    const started = performance.now();
    const { db, logger, settings } = this.deps;
    const text = request.text.trim().slice(0, 4000);
    const planner = this.deps.model ? 'model' : 'offline';
    const finish = async (result: AgentResult, detail: Record<string, unknown> = {}): Promise<AgentResult> => {
      const durationMs = performance.now() - started;
      await recordRun(db, {
        person: request.person,
        door: request.door,
        threadKey: request.threadKey,
        request: text,
        planner,
        tools: result.tools,
        tokens: result.tokens,
        durationMs,
        outcome: result.outcome,
        detail,
      });
      const toolList = result.tools.map(
        (t) =>
          `${t.tool}${Object.keys(t.args).length ? ` ${JSON.stringify(t.args)}` : ''}${t.held ? ' (waits for the asker to confirm)' : t.ok ? '' : ' (did not run)'}`,
      );
      await audit(db, {
        actor: request.person,
        event: 'agent_run',
        detail: {
          summary: `"${text.slice(0, 80)}" → ${toolList.join(', ') || 'no tool'} (${result.outcome}, ${result.tokens} tokens, ${Math.round(durationMs)} ms)`,
          via: 'agent',
          door: request.door,
        },
      });
      if (request.threadKey && settings.memoryTurns > 0 && !['rate_limited', 'over_budget'].includes(result.outcome)) {
        await addTurn(db, request.threadKey, 'user', text);
        await addTurn(db, request.threadKey, 'assistant', result.remember ?? result.message.text);
      }
      logger.info(
        // `usage`, not `tokens`: the log's redaction takes any field named like a token for a credential.
        { door: request.door, outcome: result.outcome, tools: result.tools.map((t) => t.tool), usage: result.tokens },
        'agent run',
      );
      return result;
    };

    const hourAgo = new Date(this.now().getTime() - 3_600_000);
    const lastHour = await usageSince(db, request.person, hourAgo);
    if (lastHour.runs >= settings.requestsPerHour)
      return finish({
        message: refusalMessage(
          `You have asked me ${lastHour.runs} times in the last hour, which is the limit (${settings.requestsPerHour} an hour). Try again in a while; the /em commands still work.`,
        ),
        outcome: 'rate_limited',
        tools: [],
        tokens: 0,
      });
    // The day's tokens count everything the model did for this person (the agent, ask answers, narratives).
    const usedToday = this.deps.model ? await this.usage.usedToday(request.person) : 0;
    if (this.deps.model && usedToday >= settings.tokensPerDay)
      return finish({
        message: refusalMessage(
          `You have used ${usedToday} of your ${settings.tokensPerDay} model tokens for today, so I will not ask the model again until tomorrow. The /em commands still work.`,
        ),
        outcome: 'over_budget',
        tools: [],
        tokens: 0,
      });

    const memory = request.threadKey ? await lastTurns(db, request.threadKey, settings.memoryTurns * 2) : [];
    try {
      if (this.deps.model) {
        // Loaded on first use: LangChain's agent is about 10 MB of heap that a bot without a model never needs.
        const { runModelAgent } = await import('./model.js');
        // A request may use its own limit, or what is left of the person's day when that is less.
        const dayLeft = settings.tokensPerDay - usedToday;
        const result = await runModelAgent({
          model: await this.deps.model(),
          tools: this.tools,
          views: this.deps.views,
          ctx: this.toolContext(request),
          request: text,
          memory,
          contextChannel: request.contextChannel,
          maxSteps: settings.maxSteps,
          timeoutMs: settings.timeoutMs,
          tokenBudget: Math.min(settings.tokensPerRequest, dayLeft),
          budgetOf: dayLeft < settings.tokensPerRequest ? 'day' : 'request',
          status: request.status,
          onPart: request.onPart,
          now: this.now(),
        });
        await this.usage.record(request.person, 'agent', result.tokens);
        if (result.outcome === 'failed') logger.error({ err: result.error }, 'agent run failed: the model failed');
        return finish(await this.modelAnswer(request, result), { stoppedBecause: result.stoppedBecause ?? null });
      }
      return finish(await this.offline(request, text, memory));
    } catch (err) {
      logger.error({ err }, 'agent run failed');
      return finish({
        message: refusalMessage(
          'Something went wrong while I worked on that; the error was logged. Try again in a moment.',
        ),
        outcome: 'failed',
        tools: [],
        tokens: 0,
      });
    }
  }

  /** Runs one of the tools offered as buttons, as if it had been asked for. */
  async runChosen(request: Omit<AgentRequest, 'text'>, call: PlannedCall): Promise<AgentResult> {
    const started = performance.now();
    const result = await this.runCalls(request, [call]);
    await recordRun(this.deps.db, {
      person: request.person,
      door: 'button',
      threadKey: request.threadKey,
      request: `(chose ${call.tool})`,
      planner: 'offline',
      tools: result.tools,
      tokens: 0,
      durationMs: performance.now() - started,
      outcome: result.outcome,
    });
    return result;
  }

  /**
   * Runs a tool the model chose that changes something, now that the asker confirmed it (their click on its button):
   * once, and only for the person it waits for. Undefined when the confirmation is not theirs, was used or expired.
   */
  async runConfirmed(request: Omit<AgentRequest, 'text'>, id: number): Promise<AgentResult | undefined> {
    const taken = await takeConfirmation(this.deps.db, id, request.person);
    if (!taken) return undefined;
    const started = performance.now();
    const result = await this.runCalls({ ...request, threadKey: taken.threadKey }, [
      { tool: taken.tool, args: taken.args },
    ]);
    const durationMs = performance.now() - started;
    await recordRun(this.deps.db, {
      person: request.person,
      door: 'button',
      threadKey: taken.threadKey,
      request: `(confirmed ${taken.tool})`,
      planner: 'model',
      tools: result.tools,
      tokens: 0,
      durationMs,
      outcome: result.outcome,
    });
    await audit(this.deps.db, {
      actor: request.person,
      event: 'agent_run',
      detail: {
        summary: `confirmed ${taken.tool} ${JSON.stringify(taken.args)} (${result.outcome}, ${Math.round(durationMs)} ms)`,
        via: 'agent',
        door: 'button',
      },
    });
    return result;
  }

  private toolContext(request: Omit<AgentRequest, 'text'>): ToolContext {
    return {
      person: { slackId: request.person },
      db: this.deps.db,
      logger: this.deps.logger.child({ agent: request.door }),
      // Without the Web API, tools leave out private channels' incidents, notes and documents.
      slack: request.audience === 'channel' ? undefined : request.slack,
      via: 'agent',
      progress: request.status,
      // A tool that answers privately (the audit log) is not run for an answer a channel reads.
      audience: request.audience ?? 'person',
    };
  }

  private async offline(
    request: AgentRequest,
    text: string,
    memory: { role: string; content: string }[],
  ): Promise<AgentResult> {
    const options = {
      now: this.now(),
      timezone: this.deps.settings.timezone,
      teams: (await this.deps.teams?.()) ?? [],
      repos: await knownRepos(this.deps.db),
      botUserId: request.botUserId,
    };
    let planned = plan(text, this.tools, options);
    // A follow-up ("and for platform?", "same for last month") borrows the tools of the last request it extends.
    const previous = [...memory].reverse().find((t) => t.role === 'user')?.content;
    if (planned.kind !== 'run' && previous) {
      const followUp = plan(`${text} ${previous}`, this.tools, options);
      if (followUp.kind === 'run') planned = followUp;
    }
    if (planned.kind === 'unservable')
      return {
        message: unservableMessage(planned.reason, this.deps.views.examples(this.tools.map((t) => t.name))),
        outcome: 'unservable',
        tools: [],
        tokens: 0,
      };
    if (planned.kind === 'choose')
      return {
        message: chooseMessage(
          text,
          planned.choices.map((c) => ({
            label: this.deps.views.labelOf(c.tool),
            value: JSON.stringify(c).slice(0, 2000),
          })),
        ),
        outcome: 'chose',
        tools: [],
        tokens: 0,
      };
    return this.runCalls(request, planned.calls);
  }

  private async runCalls(request: Omit<AgentRequest, 'text'>, calls: PlannedCall[]): Promise<AgentResult> {
    const ctx = this.toolContext(request);
    const notes: string[] = [];
    const parts: SlackMessage[] = [];
    const ran: AgentResult['tools'] = [];
    let refused = false;
    for (const call of calls) {
      const tool = this.tools.find((t) => t.name === call.tool);
      if (!tool) continue;
      await request.status?.(`Looking at ${this.deps.views.labelOf(call.tool)}…`);
      try {
        const output = await runTool(tool, ctx, call.args);
        const part = this.deps.views.render(call.tool, output, call.args, notes, this.now());
        parts.push(part);
        ran.push({ ...call, ok: true });
        await request.onPart?.(this.deps.views.labelOf(call.tool), part);
      } catch (err) {
        const label = this.deps.views.labelOf(call.tool);
        if (err instanceof PrivateAnswerError) {
          notes.push(err.message);
          refused = true;
        } else if (isStopping(err)) {
          notes.push(`em-agent is restarting, so ${label} is missing here: ask again in a minute.`);
        } else {
          this.deps.logger.warn({ err, tool: call.tool }, 'agent tool failed');
          notes.push(`${label} failed, so it is missing here.`);
        }
        ran.push({ ...call, ok: false });
      }
    }
    return {
      message: agentAnswer({ ran: ran.filter((r) => r.ok).map((r) => this.deps.views.labelOf(r.tool)), parts, notes }),
      outcome: ran.some((r) => r.ok) || refused ? 'answered' : 'failed',
      tools: ran,
      tokens: 0,
    };
  }

  /** What the agent can do, in words, for the unservable answer and the help. */
  capabilities(): string {
    return joinAnd(this.tools.map((t) => this.deps.views.labelOf(t.name)));
  }
}
