const SECRET_KEY = /token|secret|password|passwd|authorization|api[-_]?key|private[-_]?key|cookie|credential/i;

// Shapes of credentials that may appear inside free text (error messages, URLs, payloads).
const SECRET_PATTERNS: RegExp[] = [
  // Masked keys that providers echo in error bodies ("sk-SECRE…mnop", "sk-proj-ab****wxyz", "xoxb-12...cdef"):
  // the visible ends still narrow the key down, so the whole masked form goes (before the unmasked shapes).
  /\b(?:sk|xox[abposr]|xapp|gh[pousr]|github_pat|lin_api)[-_][A-Za-z0-9_-]*(?:\*+|…|\.{3}|•+)[A-Za-z0-9_-]*/g,
  /[A-Za-z0-9_-]*\*{4,}[A-Za-z0-9_-]*/g, // any other run of mask stars with the key's ends around it
  /(?<=\b(?:key|token|secret|password)\s+provided:\s*)[^\s.,;]+/gi, // "Incorrect API key provided: …"
  /\bxox[abposr]-[A-Za-z0-9-]+/g, // Slack bot, user and legacy tokens
  /\bxapp-[A-Za-z0-9-]+/g, // Slack app-level tokens
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g, // GitHub tokens
  /\bsk-[A-Za-z0-9_-]{16,}/g, // OpenAI keys
  /\blin_api_[A-Za-z0-9]{16,}/g, // Linear keys
  /\bema_[a-z0-9]{10}_[A-Za-z0-9_-]{20,}/g, // em-agent personal API tokens
  /(?<=\b(?:Bearer|Basic|token)\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  /(?<=postgres(?:ql)?:\/\/[^:/@\s]+:)[^@\s]+(?=@)/g, // password inside a connection string
];

export const REDACTED = '[REDACTED]';

const knownSecrets = new Set<string>();

/** Registers exact secret values (from config) so they are scrubbed wherever they appear. */
export function registerSecrets(values: Iterable<string | undefined>): void {
  for (const value of values) if (value && value.length >= 6) knownSecrets.add(value);
}

export function redactText(text: string): string {
  let out = text;
  for (const secret of knownSecrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, REDACTED);
  return out;
}

/** Deep copy of a log record with secret-named fields and secret-shaped strings replaced. */
export function redactSecrets(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1, seen));
  if (value instanceof Error) {
    return {
      type: value.name,
      message: redactText(value.message),
      stack: value.stack ? redactText(value.stack) : undefined,
      ...(redactSecrets({ ...value }, depth + 1, seen) as object),
    };
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) && item != null && item !== '' ? REDACTED : redactSecrets(item, depth + 1, seen);
  }
  return out;
}
