import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { StoreStartError } from './start-error.js';

/**
 * PGlite is PostgreSQL in one process, with no postmaster to keep a second one out: two processes on one data
 * directory both write its files, and its indexes are soon corrupt. A lock file next to the directory keeps the
 * second one out. The holder touches it every few seconds; a holder that died leaves it behind, and it is taken
 * over when that is certain: on the same host, when its process is gone; from another host (a container sharing a
 * volume), when it is not touched for a while.
 */
export class DataDirInUseError extends StoreStartError {
  constructor(
    readonly dataDir: string,
    holder: Holder,
  ) {
    super(
      `em-agent failed to start: the data directory ${dataDir} is in use by another em-agent process ` +
        `(pid ${holder.pid} on ${holder.host}). The embedded database allows one process: stop that one, give this ` +
        'one another DATA_DIR, or set DATABASE_URL to share a PostgreSQL server.',
      75, // EX_TEMPFAIL: it starts once the other process has stopped
    );
    this.name = 'DataDirInUseError';
  }
}

interface Holder {
  pid: number;
  host: string;
}

export interface DataDirLock {
  release(): void;
}

export interface LockTiming {
  /** How often the holder touches the file. */
  refreshMs: number;
  /** A file from another host untouched this long has no holder. */
  staleMs: number;
}

const TIMING: LockTiming = { refreshMs: 5_000, staleMs: 20_000 };

/** Lock files this process holds: its own pid in one of them is no restarted container's. */
const held = new Set<string>();

/** Takes the lock `<dataDir>.lock`, or throws DataDirInUseError naming the process that holds it. */
export async function lockDataDir(dataDir: string, timing: LockTiming = TIMING): Promise<DataDirLock> {
  const file = `${dataDir}.lock`;
  const me: Holder = { pid: process.pid, host: hostname() };
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (err) {
    throw unwritable(dirname(file), err);
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    let created: boolean;
    try {
      created = create(file, me);
    } catch (err) {
      throw unwritable(dirname(file), err);
    }
    if (created) return holding(file, timing);
    const holder = read(file);
    if (holder === undefined) continue; // removed meanwhile: try again
    if (!(await abandoned(file, holder, me, timing))) throw new DataDirInUseError(dataDir, holder);
    try {
      unlinkSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  const holder = read(file);
  throw new DataDirInUseError(dataDir, holder ?? { pid: 0, host: 'unknown' });
}

function unwritable(dir: string, err: unknown): StoreStartError {
  const code = (err as NodeJS.ErrnoException).code ?? 'error';
  const why = code === 'ENOSPC' ? 'the disk is full' : (err as Error).message;
  return new StoreStartError(
    `em-agent failed to start: cannot write to the data directory ${dir} (${why}); DATA_DIR must be a writable ` +
      'directory with free space for the user em-agent runs as',
    code === 'ENOSPC' ? 75 : 78,
  );
}

function create(file: string, me: Holder): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, `${JSON.stringify(me)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

function read(file: string): Holder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<Holder>;
    return { pid: Number(parsed.pid) || 0, host: String(parsed.host ?? 'unknown') };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return { pid: 0, host: 'unknown' }; // unreadable (a write cut short by a crash): judged by its age alone
  }
}

const touchedAt = (file: string): number | undefined => {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
};

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function abandoned(file: string, holder: Holder, me: Holder, timing: LockTiming): Promise<boolean> {
  const first = touchedAt(file);
  if (first === undefined) return true;
  if (holder.host === me.host && holder.pid > 0) {
    if (holder.pid === me.pid) return !held.has(file); // not ours: a restarted container's (pid 1 again)
    if (!processAlive(holder.pid)) return true; // died without removing it
    // Alive, yet not touched for long: the pid now belongs to another program.
    return Date.now() - first > timing.staleMs;
  }
  // Another host: watched until it is touched (held) or stays untouched for staleMs (abandoned).
  const until = Date.now() + timing.staleMs;
  while (Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(250, timing.refreshMs)));
    const now = touchedAt(file);
    if (now === undefined) return true;
    if (now !== first) return false;
  }
  return true;
}

function holding(file: string, timing: LockTiming): DataDirLock {
  held.add(file);
  const refresh = setInterval(() => {
    try {
      const now = new Date();
      utimesSync(file, now, now);
    } catch {
      // Removed by hand or the disk is gone: the database's own writes report that.
    }
  }, timing.refreshMs);
  refresh.unref();
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      held.delete(file);
      clearInterval(refresh);
      try {
        const holder = read(file);
        if (holder?.pid === process.pid && holder.host === hostname()) unlinkSync(file);
      } catch {
        // already gone
      }
    },
  };
}
