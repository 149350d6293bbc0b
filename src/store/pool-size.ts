/**
 * Connections to the server, one of them the job scheduler's LISTEN. Few on purpose: every result is read on the
 * thread that acks Slack, and ten connections answering at once kept it busy where three paced the same work and the
 * reports still finished sooner (figures in the README, "Running in production").
 */
export const DEFAULT_POOL_MAX = 3;
