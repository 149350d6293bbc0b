import { z } from 'zod';
import type { Logger } from '../observability/logger.js';
import { intervalToMs, ttlString } from '../yaml-file.js';
import type { PolicyDecision, PolicyInput } from './policies.js';

/** The document `data.em_agent.decision` must be (see policies/opa/em_agent.rego). */
export const opaDecisionSchema = z
  .object({
    mode: z.enum(['auto', 'approve', 'deny']),
    approvers: z.array(z.string().regex(/^([UW][A-Z0-9]+|@[\w.-]+|S[A-Z0-9]+)$/)).default([]),
    channel: z.string().min(1).optional(),
    min_approvals: z.number().int().min(1).max(10).default(1),
    allow_self_approval: z.boolean().default(false),
    ttl: ttlString.default('24 hours'),
    reason: z.string().optional(),
    /** Which rule of the Rego policy decided, for `/em policy` and the audit log. */
    policy: z.string().optional(),
    dry_run: z.boolean().default(false),
  })
  .refine((d) => d.mode !== 'approve' || d.approvers.length > 0, { error: 'mode approve needs approvers' });

/** What em-agent sends as `input`. */
export interface OpaInput {
  action: string;
  rule: string | null;
  severity: string | null;
  repository: string | null;
  requester: string | null;
  /** The door (slack, agent, api, mcp); null for rules' own proposals. */
  via: string | null;
}

export interface PolicySourceStatus {
  source: 'opa';
  url: string;
  /** False after OPA was unreachable or answered badly: the YAML policies decide meanwhile. */
  healthy: boolean;
  error?: string;
  at?: Date;
}

export type OpaAnswer = { ok: true; decision: PolicyDecision } | { ok: false; error: string };

const DECISION_PATH = '/v1/data/em_agent/decision';

/** Open Policy Agent's Data API as the source of policy decisions (OPA_URL). */
export class OpaPolicySource {
  private last: PolicySourceStatus;

  constructor(private readonly deps: { url: string; timeoutMs: number; logger: Logger }) {
    this.last = { source: 'opa', url: deps.url, healthy: true };
  }

  get status(): PolicySourceStatus {
    return this.last;
  }

  /** Asks OPA; never throws: a failure is an answer saying why, for the caller to fall back on. */
  async decide(input: PolicyInput & { requester?: string | null }): Promise<OpaAnswer> {
    const answer = await this.ask({
      action: input.action,
      rule: input.rule ?? null,
      severity: input.severity ?? null,
      repository: input.repo ?? null,
      requester: input.requester ?? null,
      via: input.via ?? null,
    });
    this.last = { source: 'opa', url: this.deps.url, healthy: answer.ok, at: new Date() };
    if (!answer.ok) {
      this.last.error = answer.error;
      this.deps.logger.warn({ err: answer.error }, 'OPA did not decide: the YAML policies decide instead');
    }
    return answer;
  }

  /**
   * For /ready: asks OPA now (for a `slack.dm` from em-agent itself) and says who decides: OPA, or the YAML policies
   * and why. OPA being down does not make em-agent unready: the YAML policies decide meanwhile.
   */
  async health(): Promise<Record<string, unknown>> {
    const answer = await this.decide({ action: 'slack.dm', requester: 'em-agent:ready' });
    return answer.ok
      ? { source: 'opa', url: this.deps.url, healthy: true }
      : {
          source: 'yaml',
          url: this.deps.url,
          healthy: false,
          error: `${answer.error}: decisions come from the YAML policies until it answers`,
        };
  }

  private async ask(input: OpaInput): Promise<OpaAnswer> {
    const url = new URL(DECISION_PATH, this.deps.url.endsWith('/') ? this.deps.url : `${this.deps.url}/`).toString();
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ input }),
        signal: AbortSignal.timeout(this.deps.timeoutMs),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      const name = (err as Error).name;
      return {
        ok: false,
        error: `OPA unreachable (${name === 'TimeoutError' ? `no answer within ${this.deps.timeoutMs} ms` : (cause ?? (err as Error).message)})`,
      };
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) {
      let message = text.slice(0, 200);
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? message;
      } catch {}
      return { ok: false, error: `OPA answered ${response.status}${message ? `: ${message}` : ''}` };
    }
    let body: { result?: unknown };
    try {
      body = JSON.parse(text) as { result?: unknown };
    } catch {
      return { ok: false, error: 'OPA answered with something that is not JSON' };
    }
    if (body === null || typeof body !== 'object' || !('result' in body) || body.result === undefined)
      return { ok: false, error: 'OPA has no em_agent.decision (the rule is undefined for this input)' };
    const parsed = opaDecisionSchema.safeParse(body.result);
    if (!parsed.success)
      return {
        ok: false,
        error: `OPA's em_agent.decision is not a decision (${parsed.error.issues
          .map((i) => `${i.path.join('.') || 'result'}: ${i.message}`)
          .join('; ')})`,
      };
    const d = parsed.data;
    const label = `opa:${d.policy ?? 'em_agent.decision'}`;
    const reason =
      d.reason ??
      (d.mode === 'auto'
        ? `OPA (${label}) lets it run at once`
        : d.mode === 'deny'
          ? `OPA (${label}) denies it`
          : `OPA (${label}) needs ${d.min_approvals} approval(s) from ${d.approvers.join(', ')}`);
    return {
      ok: true,
      decision: {
        mode: d.mode,
        policy: label,
        reason,
        approvers: d.approvers,
        minApprovals: d.min_approvals,
        allowSelfApproval: d.allow_self_approval,
        ttlMs: intervalToMs(d.ttl),
        ...(d.channel ? { channel: d.channel } : {}),
        dryRun: d.dry_run,
        source: 'opa',
      },
    };
  }
}
