import { Blocks, Elements, Message, Modal } from 'slack-block-builder';
import type { SlackMessage } from '../help.js';
import { builtBlocks, builtModal, type SlackModal } from '../kit.js';
import { escapeMrkdwn, link, slackDate, truncate, userText } from '../text.js';

export const APPROVE_ACTION = 'approval_approve';
export const REJECT_ACTION = 'approval_reject';
export const REJECT_MODAL = 'approval_reject_modal';

/** What a proposal message shows; built from an approvals row. */
export interface ApprovalView {
  id: number;
  action: string;
  summary: string;
  /** A proposed DM's recipient (a Slack user id), shown as a mention when it is one. */
  recipient?: string;
  evidence: Record<string, unknown>;
  rule: string | null;
  severity: string | null;
  status: string;
  policyReason?: string;
  requestedBy: string;
  approvers: string[];
  minApprovals: number;
  expiresAt: Date | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  reason: string | null;
  lastError: string | null;
  attempts: number;
}

const who = (id: string) =>
  /^[UW][A-Z0-9]+$/.test(id) ? `<@${id}>` : /^S[A-Z0-9]+$/.test(id) ? `<!subteam^${id}>` : escapeMrkdwn(id);
const when = (d: Date) => slackDate(d);

/** Evidence as short "key: value" lines; values are data from PRs and tickets, so they are escaped. */
function evidenceLines(evidence: Record<string, unknown>): string {
  return Object.entries(evidence)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .slice(0, 10)
    .map(([k, v]) => {
      if (Array.isArray(v))
        return `• ${k.replaceAll('_', ' ')}:\n${(v as { label?: string; url?: string | null; value?: number }[])
          .slice(0, 5)
          .map(
            (row) =>
              `    ◦ ${row.url ? link(row.url, escapeMrkdwn(truncate(row.label ?? '', 80))) : escapeMrkdwn(truncate(row.label ?? '', 80))}`,
          )
          .join('\n')}`;
      return `• ${k.replaceAll('_', ' ')}: ${escapeMrkdwn(truncate(String(v), 200))}`;
    })
    .join('\n');
}

export function outcomeLine(v: ApprovalView): string {
  switch (v.status) {
    case 'proposed':
      return `:hourglass_flowing_sand: Waiting for ${v.minApprovals > 1 ? `${v.minApprovals} approvals` : 'approval'} from ${v.approvers.map(who).join(', ')}${v.expiresAt ? ` · expires ${when(v.expiresAt)}` : ''}`;
    case 'approved':
      return `:white_check_mark: Approved by ${who(v.decidedBy ?? '?')}${v.decidedAt ? ` ${when(v.decidedAt)}` : ''} · running${v.lastError ? ` (attempt ${v.attempts} failed: ${escapeMrkdwn(truncate(v.lastError, 200))}; retrying)` : ''}`;
    case 'executed':
      return `:white_check_mark: ${v.decidedBy === 'policy:auto' ? 'Ran automatically (policy)' : `Approved by ${who(v.decidedBy ?? '?')}${v.decidedAt ? ` ${when(v.decidedAt)}` : ''}`} · done`;
    case 'failed':
      return `:warning: Approved by ${who(v.decidedBy ?? '?')}, but it failed after ${v.attempts} attempt(s): ${escapeMrkdwn(truncate(v.lastError ?? 'unknown error', 300))}`;
    case 'rejected':
      return `:no_entry_sign: Rejected by ${who(v.decidedBy ?? '?')}${v.decidedAt ? ` ${when(v.decidedAt)}` : ''}${v.reason ? `: _${escapeMrkdwn(truncate(v.reason, 300))}_` : ''}`;
    case 'expired':
      // Withdrawn by em-agent (what it was about no longer holds) carries why; the time-to-live's expiry does not.
      return v.reason && v.decidedBy !== 'ttl'
        ? `:clock3: Withdrawn before a decision: ${escapeMrkdwn(truncate(v.reason, 300))}; nothing was done.`
        : ':clock3: Expired without a decision; nothing was done.';
    default:
      return v.status;
  }
}

/** A proposal with its evidence; Approve/Reject buttons while it waits, the outcome once decided. */
export function approvalMessage(v: ApprovalView): SlackMessage {
  const to = v.recipient ? ` to ${who(v.recipient)}` : '';
  const header = `${v.severity === 'critical' ? ':rotating_light:' : ':raised_hand:'} *Proposed:* \`${v.action}\`${to} — ${escapeMrkdwn(truncate(v.summary, 500))}`;
  const evidence = evidenceLines(v.evidence);
  const context = [
    v.rule ? `rule \`${escapeMrkdwn(v.rule)}\`` : '',
    `requested by ${who(v.requestedBy)}`,
    v.policyReason ? escapeMrkdwn(truncate(v.policyReason, 300)) : '',
    `#${v.id}`,
  ].filter(Boolean);
  const message = Message({ text: `Proposed ${v.action}: ${userText(truncate(v.summary, 200))}` }).blocks(
    Blocks.Section({ text: header }),
    evidence ? Blocks.Section({ text: truncate(evidence, 2900) }) : undefined,
    Blocks.Context().elements(truncate(context.join(' · '), 2000)),
    Blocks.Section({ text: truncate(outcomeLine(v), 2900) }),
    v.status === 'proposed'
      ? Blocks.Actions().elements(
          Elements.Button({ text: 'Approve', actionId: APPROVE_ACTION, value: String(v.id) }).primary(),
          Elements.Button({ text: 'Reject', actionId: REJECT_ACTION, value: String(v.id) }).danger(),
        )
      : undefined,
  );
  const built = message.buildToObject();
  return { text: built.text ?? '', blocks: builtBlocks(built.blocks) };
}

/**
 * The reason for a rejection. `listUrl` is the response URL of the `/em approvals` list it was opened from, so the
 * submission can draw that list again (a modal's submission has no response URL of its own).
 */
export function rejectModal(approvalId: number, summary: string, listUrl?: string): SlackModal {
  return builtModal(
    Modal({
      title: 'Reject',
      submit: 'Reject',
      close: 'Cancel',
      callbackId: REJECT_MODAL,
      privateMetaData: listUrl ? `${approvalId} ${listUrl}` : String(approvalId),
    }).blocks(
      Blocks.Section({ text: `Reject: ${escapeMrkdwn(truncate(summary, 2800))}` }),
      Blocks.Input({ label: 'Reason', blockId: 'reason' }).element(
        Elements.TextInput({ actionId: 'reason', placeholder: 'Why not? The requester sees this.' })
          .multiline()
          .minLength(3)
          .maxLength(1000),
      ),
    ),
  );
}

/** `/em approvals`: what waits, with buttons for those the user may decide. */
export function approvalsListMessage(pending: { view: ApprovalView; canDecide: boolean }[]): SlackMessage {
  if (!pending.length) {
    const empty = Message({ text: 'Nothing is waiting for approval.' })
      .blocks(Blocks.Section({ text: ':white_check_mark: Nothing is waiting for approval.' }))
      .buildToObject();
    return { text: empty.text ?? '', blocks: builtBlocks(empty.blocks) };
  }
  const blocks = pending.slice(0, 10).flatMap(({ view, canDecide }) => {
    const line = `*#${view.id}* \`${view.action}\` — ${escapeMrkdwn(truncate(view.summary, 300))}\n${outcomeLine(view)}`;
    return [
      Blocks.Section({ text: truncate(line, 2900) }),
      ...(canDecide
        ? [
            Blocks.Actions().elements(
              Elements.Button({ text: 'Approve', actionId: APPROVE_ACTION, value: String(view.id) }).primary(),
              Elements.Button({ text: 'Reject', actionId: REJECT_ACTION, value: String(view.id) }).danger(),
            ),
          ]
        : []),
      Blocks.Divider(),
    ];
  });
  const more = pending.length > 10 ? [Blocks.Context().elements(`…and ${pending.length - 10} more`)] : [];
  const built = Message({ text: `${pending.length} action(s) waiting for approval` })
    .blocks(Blocks.Section({ text: `*Waiting for approval* (${pending.length})` }), ...blocks, ...more)
    .buildToObject();
  return { text: built.text ?? '', blocks: builtBlocks(built.blocks) };
}

export interface AuditLine {
  at: Date;
  actor: string;
  event: string;
  approvalId: number | null;
  action: string | null;
  detail: string;
}

export function auditMessage(lines: AuditLine[]): SlackMessage {
  const body = lines.length
    ? lines
        .map(
          (l) =>
            `${when(l.at)} ${who(l.actor)} *${l.event}*${l.action ? ` \`${l.action}\`` : ''}${l.approvalId ? ` #${l.approvalId}` : ''}${l.detail ? ` — ${escapeMrkdwn(truncate(l.detail, 150))}` : ''}`,
        )
        .join('\n')
    : '_The audit log is empty._';
  const built = Message({ text: `Audit log (${lines.length})` })
    .blocks(Blocks.Section({ text: '*Audit log* (newest first)' }), Blocks.Section({ text: truncate(body, 2900) }))
    .buildToObject();
  return { text: built.text ?? '', blocks: builtBlocks(built.blocks) };
}

export function policyMessage(
  action: string,
  mode: string,
  reason: string,
  dryRun: boolean,
  problems: string[],
  /** Who decided: OPA or the YAML policies; `fallback` when OPA is configured but could not decide, and why. */
  from: { source?: 'opa' | 'yaml'; fallback?: string } = {},
): SlackMessage {
  const icon = mode === 'auto' ? ':large_green_circle:' : mode === 'approve' ? ':large_yellow_circle:' : ':red_circle:';
  const what = mode === 'auto' ? 'would run at once' : mode === 'approve' ? 'would need approval' : 'would be denied';
  const lines = [
    `${icon} \`${escapeMrkdwn(action)}\` ${what}: ${escapeMrkdwn(reason)}.`,
    from.source === 'opa' ? ':scales: Decided by Open Policy Agent (OPA_URL).' : '',
    from.fallback ? `:warning: ${escapeMrkdwn(from.fallback)}.` : '',
    dryRun ? ':test_tube: Dry run is on: it would only be logged.' : '',
    problems.length
      ? `:warning: Policy files have problems:\n${problems
          .slice(0, 5)
          .map((p) => `• ${escapeMrkdwn(p)}`)
          .join('\n')}`
      : '',
  ].filter(Boolean);
  const built = Message({ text: `${action} ${what}` })
    .blocks(Blocks.Section({ text: truncate(lines.join('\n'), 2900) }))
    .buildToObject();
  return { text: built.text ?? '', blocks: builtBlocks(built.blocks) };
}
