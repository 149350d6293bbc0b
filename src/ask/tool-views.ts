import type { z } from 'zod';
import { docHitsMessage } from '../../blocks/ask/hits.js';
import type { ToolView } from '../capabilities/capability.js';
import type { askSearchOutput } from './tools.js';

export const askToolViews: Record<string, ToolView> = {
  'ask.search': {
    label: 'the docs',
    example: 'how do we roll back a deploy? check the runbook',
    render: (output) => docHitsMessage((output as z.output<typeof askSearchOutput>).hits),
  },
};
