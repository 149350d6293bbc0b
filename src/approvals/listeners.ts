import {
  approvalsListMessage,
  auditMessage,
  outcomeLine,
  policyMessage,
  rejectModal,
} from '../../blocks/approvals/messages.js';
import type { SlackMessage } from '../../blocks/help.js';
import { approvalHomeLine, approvalsHomeMore } from '../../blocks/home.js';
import { runTool } from '../capabilities/tool.js';
import { actorContext, type CommandHandler, toolContextOf } from '../slack/commands.js';
import type { SlackDeps } from '../slack/deps.js';

import type { HomeSectionProvider } from '../slack/home.js';
import { type ButtonArgs, tellPrivately, type ViewArgs } from '../slack/private-reply.js';
import { viewInput } from '../slack/view-state.js';
import type { ApprovalsCommand, AuditCommand, PolicyCommand } from './args.js';
import { type ApprovalService, approvalView, type DecideOutcome, describeActionError } from './service.js';
import { type ApprovalRow, getApproval, listApprovals } from './store.js';
import { approvalsAuditTool, approvalsListTool, policyExplainTool } from './tools.js';

/** The Slack door's dependencies, with this capability's service. */
export type ApprovalSlackDeps = SlackDeps & { approvals?: ApprovalService };

/** `/em approvals`: what waits for a decision, with buttons on the ones the user may decide. */
export function approvalsCommand(service: ApprovalService): CommandHandler<ApprovalsCommand> {
  const tool = approvalsListTool(service);
  return async (ctx) => approvalsListMessage(await runTool(tool, toolContextOf(ctx), { limit: 50 }));
}

/** `/em policy <action>`: what would happen to it, and why (nothing is run). */
export function policyCommand(service: ApprovalService): CommandHandler<PolicyCommand> {
  const tool = policyExplainTool(service);
  return async (ctx, command) => {
    const policy = await runTool(tool, toolContextOf(ctx), { action: command.action });
    return policyMessage(policy.action, policy.mode, policy.reason, policy.dryRun, policy.problems, {
      source: policy.source,
      fallback: policy.fallback,
    });
  };
}

/** `/em audit [n]`: the latest proposals, decisions and executions; approvers only. */
export function auditCommand(service: ApprovalService): CommandHandler<AuditCommand> {
  const tool = approvalsAuditTool(service);
  return async (ctx, command) => {
    const audit = await runTool(tool, toolContextOf(ctx), { limit: command.limit });
    return audit.allowed ? auditMessage(audit.lines) : auditMessageRefused();
  };
}

function auditMessageRefused(): SlackMessage {
  const text = 'Only approvers named in policies/ can read the audit log.';
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:lock: ${text}` } }] };
}

/**
 * Home shows the newest proposals waiting for the viewer, as many as a Home section's lines (Slack limits a view's
 * size), and counts the rest.
 */
const HOME_SHOWN = 8;
const HOME_PAGE = 200;

export function approvalsHomeSection(service: ApprovalService): HomeSectionProvider {
  return {
    id: 'approvals',
    title: 'Waiting for you',
    async load({ db, userId }) {
      const shown: ApprovalRow[] = [];
      let waiting = 0;
      // Every pending proposal, a page at a time (what waits for this person may be older than the newest page), and
      // only what they may decide: not their own requests, nor proposals about their own work.
      let before: number | undefined;
      for (;;) {
        const page = await listApprovals(db, 'proposed', HOME_PAGE, { before });
        for (const row of page) {
          if (!(await service.mayDecide(userId, row))) continue;
          waiting += 1;
          if (shown.length < HOME_SHOWN) shown.push(row);
        }
        if (page.length < HOME_PAGE) break;
        before = Number(page.at(-1)?.id);
      }
      // Past what Home shows, the last line counts the rest and says where they all are.
      const lines =
        waiting > HOME_SHOWN
          ? [
              ...shown.slice(0, HOME_SHOWN - 1).map(approvalHomeLine),
              approvalsHomeMore(waiting - HOME_SHOWN + 1, waiting),
            ]
          : shown.map(approvalHomeLine);
      return {
        lines,
        empty: 'Nothing waits for your approval.',
      };
    },
  };
}

function describeOutcome(result: DecideOutcome, id: number): string {
  switch (result.outcome) {
    case 'refused':
      return `:no_entry: ${result.message}`;
    case 'not_found':
      return `:grey_question: Proposal #${id} no longer exists.`;
    case 'vote_recorded':
      return `:ballot_box_with_check: Your approval of #${id} is recorded; it needs ${result.approval.min_approvals} in all.`;
    default:
      return `#${id}: ${outcomeLine(approvalView(result.approval))}`;
  }
}

/** Approval ids are plain decimal numbers: "0x1", " 1 ", "1e0" or "01" are not ids. */
export const approvalId = (value: string | undefined) => {
  if (!value || !/^[1-9][0-9]{0,14}$/.test(value)) return undefined;
  return Number(value);
};

/**
 * A button or modal handler whose failure (Slack unreachable while the approvers are looked up, the store down) is
 * logged and told to the person who clicked, not lost in Bolt's error log.
 */
function toldOnFailure<A extends ButtonArgs | ViewArgs>(
  deps: ApprovalSlackDeps,
  what: string,
  handler: (args: A) => Promise<unknown>,
): (args: A) => Promise<void> {
  return async (args) => {
    try {
      await handler(args);
    } catch (err) {
      const id = 'action' in args ? args.action.value : args.view.private_metadata;
      deps.logger.error({ err, approval: id }, `${what} failed`);
      await tellPrivately(
        args,
        args.body.user.id,
        `:warning: Your ${what} could not be handled: ${describeActionError(err)}. Nothing was decided; the error was logged. Try again in a moment.`,
      ).catch((e: unknown) => deps.logger.warn({ err: e }, 'could not tell the clicker about a failure'));
    }
  };
}

/** Approve: ack at once, then decide (atomically; only policy approvers count). */
export function approveClicked(deps: ApprovalSlackDeps) {
  return toldOnFailure<ButtonArgs>(deps, 'approval', async (args) => {
    await args.ack();
    const service = deps.approvals;
    const id = approvalId(args.action.value);
    if (!service || !id) return;
    const result = await service.decide(id, args.body.user.id, 'approve');
    if (result.outcome !== 'approved') await tellPrivately(args, args.body.user.id, describeOutcome(result, id));
    await refreshList(deps, service, args, listUrlOf(args));
  });
}

/** The response URL of the `/em approvals` list (an ephemeral message) a button was clicked in. */
function listUrlOf(args: ButtonArgs): string | undefined {
  const body = args.body as { container?: { is_ephemeral?: boolean }; response_url?: string };
  return body.container?.is_ephemeral ? body.response_url : undefined;
}

/** Decided from the `/em approvals` list: the list is drawn again where it was, without what was decided. */
async function refreshList(
  deps: ApprovalSlackDeps,
  service: ApprovalService,
  args: ButtonArgs | ViewArgs,
  listUrl: string | undefined,
): Promise<void> {
  if (!listUrl) return;
  const list = await runTool(approvalsListTool(service), actorContext(deps, args), { limit: 50 });
  const redraw = { response_type: 'ephemeral', replace_original: true, ...approvalsListMessage(list) };
  try {
    const res = await fetch(listUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(redraw),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  } catch (err) {
    deps.logger.info({ err: String(err) }, 'could not redraw the approvals list');
  }
}

/** A reject modal's metadata: the proposal's id, and the list it was opened from (see `rejectModal`). */
export function rejectTarget(metadata: string | undefined): { id?: number; listUrl?: string } {
  const [id, listUrl] = (metadata ?? '').split(' ');
  return { id: approvalId(id), listUrl: listUrl && /^https?:\/\//.test(listUrl) ? listUrl : undefined };
}

/** Reject: opens a modal for the reason (for who may decide; others are refused and audited at once). */
export function rejectClicked(deps: ApprovalSlackDeps) {
  return toldOnFailure<ButtonArgs>(deps, 'rejection', async (args) => {
    await args.ack();
    const service = deps.approvals;
    const id = approvalId(args.action.value);
    if (!service || !id) return;
    const row = await getApproval(deps.db, id);
    if (row?.status !== 'proposed') {
      const result: DecideOutcome = row ? { outcome: 'already_decided', approval: row } : { outcome: 'not_found' };
      return tellPrivately(args, args.body.user.id, describeOutcome(result, id));
    }
    // Someone who may not decide (not an approver, or it is their own request or work) is refused before typing a
    // reason: decide refuses and audits it.
    if (!(await service.mayDecide(args.body.user.id, row))) {
      const refused = await service.decide(id, args.body.user.id, 'reject');
      return tellPrivately(args, args.body.user.id, describeOutcome(refused, id));
    }
    await args.client.views.open({
      trigger_id: args.body.trigger_id,
      view: rejectModal(id, row.summary, listUrlOf(args)),
    });
  });
}

export function rejectSubmitted(deps: ApprovalSlackDeps) {
  return toldOnFailure<ViewArgs>(deps, 'rejection', async (args) => {
    const reason = (viewInput(args, 'reason')?.value ?? '').trim();
    if (reason.length < 3)
      return args.ack({ response_action: 'errors', errors: { reason: 'Give a reason of at least 3 characters.' } });
    await args.ack();
    const { id, listUrl } = rejectTarget(args.view.private_metadata);
    if (!deps.approvals || !id) return;
    const result = await deps.approvals.decide(id, args.body.user.id, 'reject', reason);
    if (result.outcome !== 'rejected') await tellPrivately(args, args.body.user.id, describeOutcome(result, id));
    await refreshList(deps, deps.approvals, args, listUrl);
  });
}
