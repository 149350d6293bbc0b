import type { z } from 'zod';
import { signalsMessage } from '../../blocks/signals.js';
import type { ToolView } from '../capabilities/capability.js';
import type { signalsListOutput } from './tools.js';

export const signalsToolViews: Record<string, ToolView> = {
  'signals.list': {
    label: 'open signals',
    example: 'any red flags on acme/api?',
    render: (output, args) => {
      const { signals, problems } = output as z.output<typeof signalsListOutput>;
      const repo = typeof args.repo === 'string' ? args.repo : undefined;
      const shown = repo ? signals.filter((s) => (s.url ?? '').toLowerCase().includes(`/${repo}/`)) : signals;
      return signalsMessage(shown, problems);
    },
  },
};
