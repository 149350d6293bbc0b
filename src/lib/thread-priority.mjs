// Plain JavaScript: imported by the worker threads' own .mjs files, which load as is under tsx, Jest and the build.
import { setPriority } from 'node:os';

/**
 * For background threads only (the embedded database, the embedding model): lowers the calling thread's priority so
 * that the main thread, which acks Slack, gets a core first when both want one. On Linux a nice value belongs to a
 * thread and 0 names the calling one; where that is not so or not permitted, nothing changes.
 */
export function yieldCpuToMainThread(nice = 10) {
  try {
    setPriority(0, nice);
  } catch {
    // Not permitted here: the thread keeps the process's priority.
  }
}
