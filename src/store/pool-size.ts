/**
 * Connections to the server, one of them the job scheduler's LISTEN. Few on purpose: every result is read on the
 * thread that acks Slack, and on a 2-core machine 10 connections answering at once kept it 100% busy (ack p99 62-138
 * ms, Home up to 855 ms) where 3 paced the same work (42-65 ms, 261-416 ms) and the reports finished sooner.
 */
export const DEFAULT_POOL_MAX = 3;
