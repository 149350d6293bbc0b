import type { z } from 'zod';
import { incidentListMessage } from '../../blocks/incidents/reports.js';
import { notice } from '../../blocks/notice.js';
import { escapeMrkdwn, truncate } from '../../blocks/text.js';
import type { ToolView } from '../capabilities/capability.js';
import type { incidentsListOutput, incidentsTimelineOutput } from './tools.js';

export const incidentsToolViews: Record<string, ToolView> = {
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
      const lines = entries.map(
        (e) => `• ${e.at.toISOString().slice(0, 16).replace('T', ' ')} ${e.kind}: ${truncate(e.text, 200)}`,
      );
      return notice(
        truncate(
          `*INC-${incident.number} ${escapeMrkdwn(incident.title)}* (${incident.status})\n${lines.join('\n')}`,
          2900,
        ),
        ':rotating_light:',
      );
    },
  },
  'incidents.fileActionItem': { label: 'an incident action item ticket' },
};
