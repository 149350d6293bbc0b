import type { z } from 'zod';
import { incidentListMessage } from '../../blocks/incidents/reports.js';
import type { ToolView } from '../capabilities/capability.js';
import type { incidentsListOutput } from './tools.js';

export const incidentsToolViews: Record<string, ToolView> = {
  'incidents.list': {
    label: 'incidents',
    example: 'any incidents this week?',
    render: (output, _args, _notes, now) => incidentListMessage(output as z.output<typeof incidentsListOutput>, now),
  },
};
