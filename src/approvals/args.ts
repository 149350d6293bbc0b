// The syntax of `/em approvals`, `/em policy` and `/em audit`: pure parsers the capability registers with its
// subcommands.
import { boundedInt, zodMessage } from '../slack/args.js';
import type { OwnSyntax } from '../slack/em-command.js';

export type ApprovalsCommand = Record<string, never>;
export type PolicyCommand = { action: string };
export type AuditCommand = { limit: number };

const auditLimit = boundedInt('n', 1, 200, '/em audit 20');

export const approvalsSyntax: OwnSyntax<ApprovalsCommand> = {
  name: 'approvals',
  order: 70,
  usage: 'approvals',
  summary: 'actions waiting for a decision',
  placeholder: 'the actions waiting for your decision',
  parse: (words) =>
    words.length ? { ok: false, message: '`approvals` takes no arguments' } : { ok: true, command: {} },
};

export const policySyntax: OwnSyntax<PolicyCommand> = {
  name: 'policy',
  order: 110,
  usage: 'policy <action>',
  summary: 'what would happen to an action, and why',
  placeholder: 'what the policies in policies/ decide for an action, and why',
  parse: (words) =>
    words.length === 1 && /^[a-z_.:-]{1,64}$/i.test(words[0] ?? '')
      ? { ok: true, command: { action: words[0] as string } }
      : { ok: false, message: 'usage: `/em policy <action>`, e.g. `/em policy github.comment`' },
};

export const auditSyntax: OwnSyntax<AuditCommand> = {
  name: 'audit',
  order: 120,
  usage: 'audit [n]',
  summary: 'the last n decisions (approvers only)',
  placeholder: 'the latest proposals, decisions and executions',
  parse(words) {
    if (words.length > 1) return { ok: false, message: 'usage: `/em audit [n]`' };
    const parsed = auditLimit.safeParse(words[0] ?? 20);
    return parsed.success ? { ok: true, command: { limit: parsed.data } } : { ok: false, message: zodMessage(parsed) };
  },
};
