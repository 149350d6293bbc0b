import type { ViewArgs } from './private-reply.js';

/** What one input of a submitted modal holds (Slack's view.state.values), whatever its element type. */
export interface ViewInputState {
  value?: string | null;
  selected_option?: { value: string } | null;
  selected_user?: string | null;
}

/** The input of a submitted modal by block id (and action id, where it differs from the block id). */
export function viewInput(args: ViewArgs, block: string, action = block): ViewInputState | undefined {
  return (args.view.state.values as Record<string, Record<string, ViewInputState>>)[block]?.[action];
}
