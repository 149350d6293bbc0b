import { DateTime } from 'luxon';
import type { z } from 'zod';
import { incidentListMessage } from '../../blocks/incidents/reports.js';
import { notice } from '../../blocks/notice.js';
import { escapeMrkdwn, truncate } from '../../blocks/text.js';
import type { ToolView } from '../capabilities/capability.js';
import type { incidentsListOutput, incidentsTimelineOutput } from './tools.js';

/** The incident tools' answers; times in `timezone()`, the co-pilot's (as `/em incident timeline` shows them). */
export const incidentsToolViews = (timezone: () => string): Record<string, ToolView> => ({
  'incidents.list': {
    label: 'incidents',
    example: 'any incidents this week?',
    render: (output, args, _notes, now) =>
      incidentListMessage(
        output as z.output<typeof incidentsListOutput>,
        now,
        typeof args.recentDays === 'number' ? args.recentDays : 7,
      ),
  },
  'incidents.timeline': {
    label: 'the incident timeline',
    example: 'what happened in INC-12?',
    render: (output) => {
      const timeline = output as z.output<typeof incidentsTimelineOutput>;
      if (!timeline.found) return notice(timeline.message);
      const { incident, entries } = timeline;
      // Timeline text is stored escaped for Slack already.
      const zone = timezone();
      const at = (date: Date) => DateTime.fromJSDate(date, { zone }).toFormat('yyyy-LL-dd HH:mm');
      const lines = entries.map((e) => `• ${at(e.at)} ${e.kind}: ${truncate(e.text, 200)}`);
      return notice(
        truncate(
          `*INC-${incident.number} ${escapeMrkdwn(incident.title)}* (${incident.status}, times in ${zone})\n${lines.join('\n')}`,
          2900,
        ),
        ':rotating_light:',
      );
    },
  },
  'incidents.fileActionItem': { label: 'an incident action item ticket' },
});
