/**
 * A store that cannot open for a reason the operator fixes outside em-agent (the server, its login, the data
 * directory): its message is the one line printed at start, and names no secret.
 */
export class StoreStartError extends Error {
  constructor(
    message: string,
    /** 78 (EX_CONFIG) for settings to fix, 75 (EX_TEMPFAIL) for what may pass by itself, 1 otherwise. */
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'StoreStartError';
  }
}
