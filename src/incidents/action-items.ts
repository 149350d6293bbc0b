import { graphemePrefix, readableText, userText } from '../../blocks/text.js';
import type { IncidentFlow } from './flow.js';
import { type Incident, incidentLabel, parseActionItem } from './model.js';
import { addTimelineEntry, getIncident, incidentByNumber, setTicket, timelineEntry } from './store.js';

/** An action item on the timeline; its first mention is its owner, "due/by 2026-12-10" its due date. */
export async function addActionItem(
  flow: IncidentFlow,
  incident: Incident,
  author: string,
  text: string,
  now = new Date(),
): Promise<void> {
  await addTimelineEntry(flow.db, incident.id, {
    kind: 'action_item',
    occurredAt: now,
    author,
    text: userText(graphemePrefix(text, 500)),
    ...parseActionItem(text, author),
  });
}

/** Files an action item in the tracker the policy names, through the approvals flow; says what became of it. */
export async function fileActionItem(flow: IncidentFlow, entryId: number, actor: string): Promise<string> {
  const entry = await timelineEntry(flow.db, entryId);
  const target = flow.settings().actionItems;
  if (entry?.kind !== 'action_item') return 'That action item no longer exists.';
  if (entry.ticket) return `That action item is already filed as ${entry.ticket}.`;
  if (!target || !flow.approvals)
    return 'No tracker is configured for action items (policies: incidents.action_items).';
  const incident = await getIncident(flow.db, entry.incidentId);
  // As typed: the ticket is no Slack message, and the approval's summary is escaped where it is shown.
  const typed = readableText(entry.text);
  const title = graphemePrefix(`${incident ? `${incidentLabel(incident)}: ` : ''}${typed}`, 250);
  const description = `Action item from the postmortem of ${incident ? `${incidentLabel(incident)} ${incident.title}` : 'an incident'}.`;
  const request =
    target.action === 'jira.create'
      ? { action: 'jira.create', params: { project: target.project, summary: title, description, issueType: 'Task' } }
      : { action: 'linear.create', params: { team: target.team, title, description } };
  const label = incident ? incidentLabel(incident) : entry.incidentId;
  // Approvals are listed to people outside a private incident's room (triage, /em approvals, the approvers' card):
  // the item's text stays in the room, and in the ticket it files.
  const room = incident?.number ? await incidentByNumber(flow.db, incident.number) : null;
  const result = await flow.approvals.propose({
    ...request,
    ...(room?.visibleIn
      ? {
          summary: `File an action item of ${label} (a private incident; its room has the text)`,
          evidence: { incident: label },
        }
      : { summary: `File incident action item: ${title}`, evidence: { incident: label, action_item: typed } }),
    requestedBy: actor,
    idempotencyKey: `incident-action-item:${entryId}`,
  });
  if (result.outcome === 'executed') {
    const key = String(
      (result.approval?.result as { key?: string; issue?: string } | null)?.key ??
        (result.approval?.result as { issue?: string } | null)?.issue ??
        'filed',
    );
    await setTicket(flow.db, entryId, key);
    return `Filed as ${key}.`;
  }
  if (result.outcome === 'proposed') {
    await setTicket(flow.db, entryId, `approval #${result.approval?.id}`);
    return `Proposed for approval (${result.decision.reason}).${result.stuck ? ` ${result.stuck}` : ''}`;
  }
  if (result.outcome === 'duplicate') return 'That action item was already proposed.';
  return `Not filed: ${result.decision.reason}.`;
}
