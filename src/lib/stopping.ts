/**
 * What long work is told when the process begins to stop (the reason of the app's stopping `AbortSignal`): a sync or
 * a rule evaluation ends at its next safe point, where what it stored stays and its next run goes on from there.
 */
export class StoppingError extends Error {
  constructor() {
    super('em-agent is stopping');
    this.name = 'StoppingError';
  }
}

export const isStopping = (err: unknown): boolean => err instanceof StoppingError;

/** What the REST API and the MCP server answer for a request whose work the stop ended. */
export const RESTARTING = 'em-agent is restarting; try again in a moment.';
