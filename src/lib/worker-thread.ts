import { Piscina } from 'piscina';

/**
 * One worker thread for synchronous work that would hold up Slack acks (chart rendering, a local model): started
 * by the first task, ended after `idleMs` without one, so an idle bot carries none of its memory. `stop` ends it
 * now (the app's shutdown); the next task starts a new one.
 */
export function idleWorkerThread(filename: URL, idleMs: number) {
  let pool: Piscina | undefined;
  return {
    run<T>(task: unknown): Promise<T> {
      pool ??= new Piscina({ filename: filename.href, minThreads: 0, maxThreads: 1, idleTimeout: idleMs });
      return pool.run(task);
    },
    async stop(): Promise<void> {
      const ending = pool;
      pool = undefined;
      await ending?.destroy();
    },
  };
}
