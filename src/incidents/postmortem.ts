import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { DateTime } from 'luxon';
import { escapeMrkdwn, link, readableText, userText, withMentions } from '../../blocks/text.js';
import type { ModelMeter } from '../lib/chat-model.js';
import { narrate } from '../lib/narrative.js';
import type { Logger } from '../observability/logger.js';
import { humanDuration, type Incident, incidentLabel, type SuspectedDeploy, type TimelineEntry } from './model.js';

export interface PostmortemSection {
  heading: string;
  /** Slack mrkdwn. */
  body: string;
}

export interface Postmortem {
  title: string;
  sections: PostmortemSection[];
  /** Action items, each with the timeline entry it came from (so it can become a ticket). */
  actionItems: { id: number; text: string; ticket: string | null }[];
}

const PROMPT = (text: string) => `_${text}_`;

const at = (date: Date, timezone: string) => DateTime.fromJSDate(date, { zone: timezone }).toFormat('yyyy-LL-dd HH:mm');

/** One timeline line: local date and time, author, text, and its files (images included as links). */
export function timelineLine(entry: TimelineEntry, timezone: string): string {
  const who = entry.author ? ` <@${entry.author}>` : '';
  const files = entry.files.map(
    (f) => ` ${link(f.url, `${f.image ? ':frame_with_picture:' : ':paperclip:'} ${escapeMrkdwn(f.name)}`)}`,
  );
  return `• *${at(entry.occurredAt, timezone)}*${who}: ${entry.text}${entry.editedAt ? ' _(edited)_' : ''}${files.join('')}`;
}

/**
 * The postmortem draft, built only from what was recorded: facts are filled in, judgement is left as prompts.
 * Pure apart from the optional narrative, which the caller passes in.
 */
export function postmortemDraft(input: {
  incident: Incident;
  timeline: TimelineEntry[];
  cause: SuspectedDeploy | null;
  timezone: string;
  narrative?: string | null;
}): Postmortem {
  const { incident, timeline, cause, timezone } = input;
  const resolvedAt = incident.resolvedAt ?? new Date();
  const ttr = humanDuration(resolvedAt.getTime() - incident.openedAt.getTime());
  const visible = timeline.filter((e) => e.kind !== 'action_item');
  const detection = timeline.find((e) => e.kind === 'declared');
  const actionItems = timeline
    .filter((e) => e.kind === 'action_item')
    .map((e) => ({ id: e.id, text: withMentions(e.text), ticket: e.ticket }));
  const facts = [
    `*${incidentLabel(incident)}: ${userText(incident.title)}*`,
    `Severity: ${incident.severity ?? 'not set'}${incident.service ? ` · Service: ${userText(incident.service)}` : ''}`,
    incident.commander ? `Commander: <@${incident.commander}>` : 'Commander: none',
    incident.summary ? `Resolution: ${userText(incident.summary)}` : '',
  ].filter(Boolean);
  return {
    title: `Postmortem draft: ${incidentLabel(incident)} ${incident.title}`,
    sections: [
      {
        heading: 'Summary',
        // The model's words are outside text: escaped, so they cannot ping or link anyone; one line, marked as the
        // model's, so they cannot pass for a section of the draft.
        body: [
          ...facts,
          ...(input.narrative
            ? [
                '',
                `:robot_face: _Written by a model from the timeline:_ ${escapeMrkdwn(input.narrative.replace(/\s+/g, ' '))}`,
              ]
            : []),
        ].join('\n'),
      },
      {
        heading: 'Impact',
        body: `${incident.description ? `${userText(incident.description)}\n` : ''}${PROMPT('Who was affected, how many, and how badly?')}`,
      },
      {
        heading: 'Duration',
        body: `Declared ${at(incident.openedAt, timezone)}, resolved ${at(resolvedAt, timezone)} (${timezone}). *Time to restore: ${ttr}*.`,
      },
      {
        heading: 'Detection',
        body: `${detection ? `Declared by <@${incident.declaredBy}>${incident.originChannel ? ` from a message in <#${incident.originChannel}>` : ''}. ` : ''}${PROMPT('How did we find out? Could we have found out sooner?')}`,
      },
      {
        heading: 'Timeline',
        body: visible.length
          ? visible.map((e) => timelineLine(e, timezone)).join('\n')
          : PROMPT('No timeline entries.'),
      },
      {
        heading: 'Contributing factors',
        body: `${
          cause
            ? `Deployment of ${cause.repo}${cause.sha ? ` @ ${cause.sha.slice(0, 7)}` : ''} (finished ${at(cause.finishedAt, timezone)}), confirmed by <@${incident.cause?.confirmedBy}>.\n`
            : incident.cause?.source === 'none'
              ? `No deployment was involved (confirmed by <@${incident.cause.confirmedBy}>).\n`
              : ''
        }${PROMPT('What made this possible? What made it worse?')}`,
      },
      {
        heading: 'Action items',
        body: actionItems.length
          ? actionItems.map((a) => `• ${a.text}${a.ticket ? ` (${a.ticket})` : ''}`).join('\n')
          : PROMPT('Add them with `/em incident action <what should change>` in the incident channel.'),
      },
    ],
    actionItems,
  };
}

/**
 * Markdown for the store (and for `ask`): the same draft as plain text. Slack's markup is read, not kept: escapes
 * undone and people named (`names`: Slack id → name), so an answer quoting it shows "@Maya", not "&lt;@U…&gt;".
 */
export function postmortemText(postmortem: Postmortem, names: Record<string, string> = {}): string {
  return unescapedText(postmortem)
    .replace(/<@([UW][A-Z0-9]+)(?:\|([^>]*))?>/g, (_m, id: string, label?: string) => `@${names[id] ?? label ?? id}`)
    .replace(/<#([CG][A-Z0-9]+)(?:\|([^>]*))?>/g, (_m, id: string, label?: string) => `#${label || id}`);
}

/** The Slack users a postmortem names, to look up their names. */
export function mentionedUsers(postmortem: Postmortem): string[] {
  return [...new Set([...unescapedText(postmortem).matchAll(/<@([UW][A-Z0-9]+)/g)].map((m) => m[1] as string))];
}

/** The draft as markdown, with mrkdwn's escapes undone (its mentions and channel links still Slack's). */
const unescapedText = (postmortem: Postmortem) =>
  [`# ${postmortem.title}`, ...postmortem.sections.map((s) => `## ${s.heading}\n${s.body}`)]
    .join('\n\n')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');

/** With a chat model, a short narrative of the timeline; the timeline is data, never instructions. */
export function postmortemNarrative(
  model: (() => Promise<BaseChatModel>) | undefined,
  incident: Incident,
  timeline: TimelineEntry[],
  logger: Logger,
  meter?: ModelMeter,
): Promise<string | null> {
  const facts = [
    `Incident ${incidentLabel(incident)}: ${incident.title}`,
    `Severity ${incident.severity ?? 'unset'}; time to restore ${humanDuration((incident.resolvedAt ?? new Date()).getTime() - incident.openedAt.getTime())}.`,
    'Timeline:',
    ...timeline.map((e) => `- ${e.occurredAt.toISOString()} ${e.kind}: ${readableText(e.text)}`),
  ].join('\n');
  return narrate(model, facts, logger, meter);
}
