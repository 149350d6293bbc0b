import { Blocks, Elements, Message } from 'slack-block-builder';
import { humanDuration, type Incident, incidentLabel, type TimelineEntry } from '../../src/incidents/model.js';
import { type Postmortem, timelineLine } from '../../src/incidents/postmortem.js';
import type { IncidentListItem } from '../../src/incidents/store.js';
import type { SlackMessage } from '../help.js';
import { escapeMrkdwn, link, truncate, userText } from '../text.js';

export const ACTION_ITEM_TICKET = 'incident_action_ticket';
const SECTION_MAX = 2900;
/** Action items shown with their own "File a ticket" button; the rest are listed after them as text. */
const ACTION_ITEM_BUTTONS = 10;

/** Lines packed into as few sections as fit Slack's 3,000-character limit (at most `maxBlocks`). */
function packed(lines: string[], maxBlocks = 40) {
  const chunks: string[] = [];
  for (const line of lines) {
    const last = chunks.at(-1);
    if (last !== undefined && last.length + line.length + 1 <= SECTION_MAX)
      chunks[chunks.length - 1] = `${last}\n${line}`;
    else chunks.push(truncate(line, SECTION_MAX));
  }
  const shown = chunks.slice(0, maxBlocks);
  return shown.map((text, i) =>
    Blocks.Section({ text: i === shown.length - 1 && chunks.length > shown.length ? `${text}\n_…and more_` : text }),
  );
}

export function timelineMessage(incident: Incident, entries: TimelineEntry[], timezone: string): SlackMessage {
  return Message({ text: `${incidentLabel(incident)} timeline (${entries.length} entries)` })
    .blocks(
      Blocks.Header({ text: truncate(`Timeline: ${incidentLabel(incident)} ${incident.title}`, 150) }),
      ...(entries.length
        ? packed(entries.map((e) => timelineLine(e, timezone)))
        : [Blocks.Section({ text: '_Nothing yet. Pin messages with :pushpin: or use `/em incident note <text>`._' })]),
      Blocks.Context().elements(`Times in ${timezone}, in the order things happened.`),
    )
    .buildToObject() as SlackMessage;
}

export function postmortemMessage(postmortem: Postmortem, canFileTickets: boolean): SlackMessage {
  // With a tracker configured, each action item gets its own row with a "File a ticket" button.
  const withButtons = canFileTickets && postmortem.actionItems.length > 0;
  const blocks = [
    Blocks.Header({ text: truncate(postmortem.title, 150) }),
    ...postmortem.sections
      .filter((s) => !(withButtons && s.heading === 'Action items'))
      .flatMap((s) => packed([`*${s.heading}*`, ...s.body.split('\n')], 8)),
  ];
  if (withButtons) {
    blocks.push(
      Blocks.Section({ text: '*Action items*' }),
      ...postmortem.actionItems.slice(0, ACTION_ITEM_BUTTONS).map((a) => {
        const row = Blocks.Section({ text: truncate(`• ${a.text}${a.ticket ? ` (${a.ticket})` : ''}`, 2000) });
        return a.ticket
          ? row
          : row.accessory(
              Elements.Button({ text: 'File a ticket', actionId: ACTION_ITEM_TICKET, value: String(a.id) }),
            );
      }),
      // Past the buttons, the other items are still part of the draft (as text).
      ...packed(
        postmortem.actionItems.slice(ACTION_ITEM_BUTTONS).map((a) => `• ${a.text}${a.ticket ? ` (${a.ticket})` : ''}`),
        2,
      ),
    );
  }
  return Message({ text: userText(postmortem.title) })
    .blocks(...blocks.slice(0, 49))
    .buildToObject() as SlackMessage;
}

/** One incident in a list (`/em incident list`, the Home tab): state, severity, title, how long, who, where. */
export function incidentListLine(i: IncidentListItem, now: Date): string {
  const name = i.number ? `INC-${i.number}` : `${i.source} ${escapeMrkdwn(i.id)}`;
  const title = escapeMrkdwn(truncate(i.title, 100));
  const where = i.channelId ? `<#${i.channelId}>` : i.url ? link(i.url, 'open') : '';
  const duration =
    i.status === 'open'
      ? `open ${humanDuration(now.getTime() - i.openedAt.getTime())}`
      : `resolved in ${humanDuration((i.resolvedAt ?? now).getTime() - i.openedAt.getTime())}`;
  return `${i.status === 'open' ? ':rotating_light:' : ':white_check_mark:'} *${name}* ${i.severity ? `[${escapeMrkdwn(i.severity)}] ` : ''}${title} · ${i.phase ?? i.status} · ${duration}${i.commander ? ` · <@${i.commander}>` : ''} ${where}`.trim();
}

/** Open incidents, and those resolved in the last `recentDays` days (the window the list was asked for). */
export function incidentListMessage(items: IncidentListItem[], now: Date, recentDays = 7): SlackMessage {
  const line = (i: IncidentListItem) => incidentListLine(i, now);
  const open = items.filter((i) => i.status === 'open');
  const recent = items.filter((i) => i.status !== 'open');
  const window = recentDays === 1 ? 'the last day' : `the last ${recentDays} days`;
  return Message({ text: `${open.length} open incident(s), ${recent.length} resolved in ${window}` })
    .blocks(
      Blocks.Section({ text: `*Open incidents (${open.length})*` }),
      ...(open.length ? packed(open.map(line), 10) : [Blocks.Section({ text: '_None. :tada:_' })]),
      Blocks.Section({ text: `*Resolved in ${window} (${recent.length})*` }),
      ...(recent.length ? packed(recent.map(line), 10) : [Blocks.Section({ text: '_None._' })]),
    )
    .buildToObject() as SlackMessage;
}
