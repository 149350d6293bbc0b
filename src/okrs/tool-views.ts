import { objectiveListMessage, okrMessage } from '../../blocks/okrs/okrs.js';
import type { ToolView } from '../capabilities/capability.js';
import type { OkrReport } from './service.js';

type Objectives = Parameters<typeof objectiveListMessage>[1];

export const okrsToolViews: Record<string, ToolView> = {
  'okrs.show': {
    label: 'OKR progress',
    example: 'are the payments OKRs on track this quarter?',
    render: (output) => okrMessage(output as OkrReport),
  },
  'okrs.list': {
    label: 'the objectives',
    example: 'what are the objectives for platform in Q1?',
    render: (output) => {
      const { quarter, objectives } = output as { quarter: string; objectives: Objectives };
      return objectiveListMessage(quarter, objectives);
    },
  },
  'okrs.checkin': { label: 'an OKR check-in' },
};
