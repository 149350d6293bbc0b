import type { z } from 'zod';
import { sourcesMessage } from '../../blocks/sources.js';
import type { ToolView } from '../capabilities/capability.js';
import type { sourcesStatusOutput } from './tools.js';

export const syncToolViews: Record<string, ToolView> = {
  'sources.status': {
    label: 'the sync status',
    example: 'when did Jira last sync?',
    render: (output, _args, _notes, now) => {
      const s = output as z.output<typeof sourcesStatusOutput>;
      return sourcesMessage(s.scopes, s.configured, now);
    },
  },
};
