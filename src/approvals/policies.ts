import { z } from 'zod';
import { ALL_ACTION_KINDS as ACTION_KINDS, SEVERITIES, type Severity } from '../signals/rules.js';
import { intervalToMs, parseYamlWithLines, ttlString, YamlDirectory } from '../yaml-file.js';

const approver = z.string().regex(/^([UW][A-Z0-9]+|@[\w.-]+|S[A-Z0-9]+)$/, {
  error: 'must be a Slack user id (U0123ABCD), a user-group handle (@eng-leads) or a user-group id (S0123ABCD)',
});
/** The systems em-agent acts on: within them, only the actions it has executors for exist. */
const ACTION_FAMILIES = [...new Set(ACTION_KINDS.map((a) => a.split('.')[0] as string))];
const actionPattern = z
  .string()
  .refine((a) => a === '*' || /^[a-z]+\.(\*|[a-z_]+)$/.test(a), {
    error: `must be an action such as ${ACTION_KINDS.slice(0, 3).join(', ')}, a family such as github.*, or *`,
  })
  // A misspelt action (github.coment) would match nothing, so a deny or approve policy meant for it would never apply
  // and a broader one (github.*: auto) would decide instead. Other families (teams.edit, okrs.edit, …) name who may
  // administer a capability; those capabilities read their own.
  .refine(
    (a) => {
      const [family, name] = a.split('.');
      if (!family || !ACTION_FAMILIES.includes(family) || name === '*') return true;
      return (ACTION_KINDS as readonly string[]).includes(a);
    },
    {
      error: (issue) => {
        const family = String(issue.input).split('.')[0];
        const known = ACTION_KINDS.filter((a) => a.startsWith(`${family}.`));
        return `${String(issue.input)} is not an action em-agent can take; ${family} actions are ${known.join(', ')} (or ${family}.*)`;
      },
    },
  );

export const policySchema = z
  .object({
    name: z.string().optional(),
    action: actionPattern,
    rule: z.string().optional(),
    severity: z.array(z.enum(SEVERITIES)).optional(),
    /** A repository, or a glob such as acme/* */
    repo: z.string().optional(),
    /** The doors this policy is for (a person in Slack, the agent, the REST API, MCP); unset: every door. */
    via: z.array(z.enum(['slack', 'agent', 'api', 'mcp'])).optional(),
    mode: z.enum(['auto', 'approve', 'deny']),
    approvers: z.array(approver).default([]),
    min_approvals: z.number().int().min(1).max(10).default(1),
    allow_self_approval: z.boolean().default(false),
    ttl: ttlString.default('24 hours'),
    /** Where proposals are posted; without it each approver gets a DM. */
    channel: z.string().optional(),
    reason: z.string().optional(),
  })
  .strict()
  .refine((p) => p.mode !== 'approve' || p.approvers.length > 0, {
    error: 'mode approve needs at least one approver',
    path: ['approvers'],
  })
  // Only people named one by one: fewer of them than the approvals needed means nothing under it can ever be approved.
  .refine(
    (p) =>
      p.mode !== 'approve' ||
      p.approvers.length === 0 ||
      p.approvers.some((a) => !/^[UW]/.test(a)) ||
      new Set(p.approvers).size >= p.min_approvals,
    {
      error: (issue) => {
        const p = issue.input as { approvers: string[]; min_approvals: number };
        return `min_approvals is ${p.min_approvals} but only ${new Set(p.approvers).size} approver(s) are named: nothing under this policy could ever be approved`;
      },
      path: ['min_approvals'],
    },
  );
export type Policy = z.infer<typeof policySchema>;

export const policiesFileSchema = z
  .object({
    /** Log what would happen instead of doing it. */
    dry_run: z.boolean().default(false),
    policies: z.array(policySchema).default([]),
  })
  .strict();

/**
 * Other capabilities' settings that live in policy files: each capability names its top-level key and the schema of
 * what goes under it (its own module parses it; approvals knows none of them). Validated with the file, with
 * file:line errors, and set by one file at most.
 */
export type PolicySections = Record<string, z.ZodType>;

export interface PolicyInput {
  action: string;
  rule?: string | null;
  severity?: Severity | null;
  repo?: string | null;
  /** The door the action was proposed through; rules' own proposals have none. */
  via?: string | null;
  /** Who asks (a Slack user id, or rule:<name>); the YAML policies do not use it, OPA receives it. */
  requester?: string | null;
}

export interface PolicyDecision {
  mode: 'auto' | 'approve' | 'deny';
  /** Which policy decided, as file:name (or "default"). */
  policy: string;
  reason: string;
  approvers: string[];
  minApprovals: number;
  allowSelfApproval: boolean;
  ttlMs: number;
  channel?: string;
  dryRun: boolean;
  /** Who decided: OPA (OPA_URL) or the YAML policies (also when OPA could not decide, with `fallback` saying why). */
  source?: 'opa' | 'yaml';
  /** Set when OPA is configured but did not decide: why, in a sentence shown by `/em policy` and `/ready`. */
  fallback?: string;
}

/** A policy engine asked before the YAML policies (Open Policy Agent); an answer that is not `ok` falls back. */
export interface RemotePolicySource {
  decide(input: PolicyInput): Promise<{ ok: true; decision: PolicyDecision } | { ok: false; error: string }>;
  readonly status: { source: string; url: string; healthy: boolean; error?: string; at?: Date };
}

const compiledGlobs = new Map<string, RegExp>();

/** A policy's action or repo pattern as a regular expression, compiled once: a rule run asks thousands of times. */
function glob(pattern: string): RegExp {
  let compiled = compiledGlobs.get(pattern);
  if (!compiled) {
    compiled = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`, 'i');
    compiledGlobs.set(pattern, compiled);
  }
  return compiled;
}

function matches(p: Policy, input: PolicyInput): boolean {
  if (!glob(p.action).test(input.action)) return false;
  if (p.rule && p.rule !== input.rule) return false;
  if (p.severity && (!input.severity || !p.severity.includes(input.severity))) return false;
  if (p.repo && (!input.repo || !glob(p.repo).test(input.repo))) return false;
  if (p.via && (!input.via || !(p.via as string[]).includes(input.via))) return false;
  return true;
}

/**
 * More specific policies win: one naming the door (`via`) first, then an exact action over a family, then each of
 * rule, severity and repo narrowing it.
 */
const specificity = (p: Policy) =>
  (p.via ? 32 : 0) +
  (p.action === '*' ? 0 : p.action.endsWith('.*') ? 1 : 2) * 8 +
  (p.rule ? 4 : 0) +
  (p.repo ? 2 : 0) +
  (p.severity ? 1 : 0);

export interface LoadedPolicy {
  policy: Policy;
  file: string;
  index: number;
  dryRun: boolean;
  /** The line of the policy, and of each of its approvers, for problems found later (an approver Slack does not know). */
  line?: number;
  approverLines?: number[];
}

/** `file:line: policies.N.field` of a loaded policy, the way file problems are written. */
export function policyAt(p: LoadedPolicy, field: string, line = p.line ?? 1): string {
  return `${p.file}:${line}: policies.${p.index}.${field}`;
}

/** What the policies decide for an action; an action no policy names is denied. Pure. */
export function decide(policies: LoadedPolicy[], input: PolicyInput): PolicyDecision {
  const known = (ACTION_KINDS as readonly string[]).includes(input.action);
  const candidates = policies
    .filter((p) => matches(p.policy, input))
    .sort((a, b) => specificity(b.policy) - specificity(a.policy));
  const chosen = known ? candidates[0] : undefined;
  if (!chosen)
    return {
      mode: 'deny',
      policy: 'default',
      reason: known
        ? `no policy names \`${input.action}\`, and unknown actions are denied`
        : `\`${input.action}\` is not an action em-agent knows (${ACTION_KINDS.join(', ')}), so it is denied`,
      approvers: [],
      minApprovals: 1,
      allowSelfApproval: false,
      ttlMs: 0,
      dryRun: false,
    };
  const p = chosen.policy;
  const label = `${chosen.file.split('/').at(-1)}:${p.name ?? `#${chosen.index + 1}`}`;
  const narrowing = [
    p.rule ? `rule ${p.rule}` : '',
    p.severity ? `severity ${p.severity.join('/')}` : '',
    p.repo ? `repo ${p.repo}` : '',
    p.via ? `via ${p.via.join('/')}` : '',
  ].filter(Boolean);
  const because = `policy ${label} (action ${p.action}${narrowing.length ? `, ${narrowing.join(', ')}` : ''})`;
  const reason =
    p.reason ??
    (p.mode === 'auto'
      ? `${because} lets it run at once`
      : p.mode === 'deny'
        ? `${because} denies it`
        : `${because} needs ${p.min_approvals} approval(s) from ${p.approvers.join(', ')}`);
  return {
    mode: p.mode,
    policy: label,
    reason,
    approvers: p.approvers,
    minApprovals: p.min_approvals,
    allowSelfApproval: p.allow_self_approval,
    ttlMs: intervalToMs(p.ttl),
    ...(p.channel ? { channel: p.channel } : {}),
    dryRun: chosen.dryRun,
  };
}

/** The policies in `policies/*.yml`, re-read on demand; invalid files keep their last valid policies. */
export class PolicyBook {
  private readonly files: YamlDirectory<{ policies: LoadedPolicy[]; sections: Record<string, unknown> }>;
  policies: LoadedPolicy[] = [];
  problems: string[] = [];
  private sectionValues = new Map<string, unknown>();
  private reloadedAt = 0;

  constructor(
    dir: string,
    private readonly sections: PolicySections = {},
  ) {
    const schema = policiesFileSchema.extend(
      Object.fromEntries(Object.entries(sections).map(([key, section]) => [key, section.optional()])),
    );
    this.files = new YamlDirectory(dir, (text, file) => {
      const parsed = parseYamlWithLines(schema, text, file);
      const { dry_run, policies, ...rest } = parsed.value as z.output<typeof policiesFileSchema> &
        Record<string, unknown>;
      return {
        policies: policies.map((policy, index) => ({
          policy,
          file,
          index,
          dryRun: dry_run,
          line: parsed.lineOf(['policies', index]),
          approverLines: policy.approvers.map((_, i) => parsed.lineOf(['policies', index, 'approvers', i])),
        })),
        sections: Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined)),
      };
    });
  }

  /**
   * The names of the rules in rules/ (set by the kernel): a policy narrowed to a rule no file defines never applies,
   * so a broader policy decides instead; that is a problem to report.
   */
  knownRules?: () => string[];

  /** Told each problem once, when it first appears (at start, or when a file changes): the log. */
  onNewProblems?: (problems: string[]) => void;
  private reported = new Set<string>();

  reload(): this {
    const { values, problems } = this.files.reload();
    this.policies = values.flatMap((v) => v.value.policies);
    this.sectionValues = new Map();
    const duplicates: string[] = [];
    for (const key of Object.keys(this.sections)) {
      const setting = values.filter((v) => key in v.value.sections);
      if (setting[0]) this.sectionValues.set(key, setting[0].value.sections[key]);
      for (const v of setting.slice(1))
        duplicates.push(`${v.file}: ${key}: only one policies file may set ${key} (${setting[0]?.file} does)`);
    }
    const rules = this.knownRules?.();
    const unknownRules = rules
      ? this.policies
          .filter((p) => p.policy.rule && !rules.includes(p.policy.rule))
          .map(
            (p) =>
              `${policyAt(p, 'rule')}: no rule in rules/ is called ${p.policy.rule}, so this policy never applies (a broader one decides instead)`,
          )
      : [];
    this.problems = [...problems, ...duplicates, ...unknownRules];
    this.reloadedAt = Date.now();
    const fresh = this.problems.filter((p) => !this.reported.has(p));
    this.reported = new Set(this.problems);
    if (fresh.length) this.onNewProblems?.(fresh);
    return this;
  }

  /** A section's validated value from the file that sets it, or undefined when none does. */
  section(key: string): unknown {
    return this.sectionValues.get(key);
  }

  /** The policies as of at most `maxAgeMs` ago: a burst of proposals reads the files once, edits still apply within a second. */
  fresh(maxAgeMs = 1000): this {
    return Date.now() - this.reloadedAt < maxAgeMs ? this : this.reload();
  }

  decide(input: PolicyInput): PolicyDecision {
    return decide(this.policies, input);
  }

  /** Where decisions come from: OPA when OPA_URL is set (the YAML policies only when it cannot decide). */
  remote?: RemotePolicySource;

  /**
   * The decision for an action: OPA's when OPA is configured and answers with a decision, else the YAML policies'
   * (with `fallback` saying why OPA did not decide). Actions em-agent does not know are denied without asking.
   */
  async resolve(input: PolicyInput): Promise<PolicyDecision> {
    const local = decide(this.policies, input);
    const known = (ACTION_KINDS as readonly string[]).includes(input.action);
    if (!this.remote || !known) return { ...local, source: 'yaml' };
    const answer = await this.remote.decide(input);
    if (answer.ok) return answer.decision;
    return { ...local, source: 'yaml', fallback: `${answer.error}: decided by the YAML policies instead` };
  }

  /** Everyone named as an approver anywhere (user ids and group handles), e.g. to allow /em audit. */
  allApprovers(): string[] {
    return [...new Set(this.policies.flatMap((p) => p.policy.approvers))];
  }
}
