import { readdirSync, readFileSync } from 'node:fs';
import { openPglite } from '../../src/store/pglite.js';

/** Nice value of each thread of this process (Linux: field 19 of /proc/self/task/<tid>/stat, after the command). */
function threadNices(): Map<number, number> {
  const nices = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      nices.set(Number(tid), Number(fields[16]));
    } catch {
      // The thread ended while we read.
    }
  }
  return nices;
}

test('the embedded database works on a thread that gives way to the thread answering Slack', async () => {
  const before = threadNices();
  const db = await openPglite();
  try {
    await db.query('SELECT 1');
    const added = [...threadNices()].filter(([tid]) => !before.has(tid));
    // Its thread (and any it starts) runs at a lower priority; the main thread keeps the process's own.
    const main = threadNices().get(process.pid) ?? 0;
    expect(added.filter(([, nice]) => nice > main)).not.toHaveLength(0);
  } finally {
    await db.close();
  }
});
