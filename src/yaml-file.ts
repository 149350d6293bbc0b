import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';

/** A YAML file that failed to parse or validate; each problem reads "file:line: field: message". */
export class YamlFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`Invalid ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'YamlFileError';
  }
}

/** Parses YAML text against a zod schema; every problem is reported with its file, line and field. */
export function parseYaml<Schema extends z.ZodType>(
  schema: Schema | ((value: unknown) => Schema),
  text: string,
  file: string,
): z.output<Schema> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length) {
    throw new YamlFileError(
      file,
      doc.errors.map((e) => `${file}:${lineCounter.linePos(e.pos[0]).line}: ${e.message.split('\n')[0]}`),
    );
  }
  let value: unknown;
  try {
    // Aliases are expanded here; an alias bomb ("excessive alias count") must fail like any other YAML error.
    value = doc.toJS() ?? {};
  } catch (err) {
    const line = doc.contents?.range ? lineCounter.linePos(doc.contents.range[0]).line : 1;
    throw new YamlFileError(file, [`${file}:${line}: ${(err as Error).message.split('\n')[0]}`]);
  }
  const result = (typeof schema === 'function' ? schema(value) : schema).safeParse(value);
  if (result.success) return result.data;
  throw new YamlFileError(
    file,
    result.error.issues.map((issue) => {
      // The deepest node of the path that exists carries the line.
      let path = [...issue.path] as (string | number)[];
      let node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
      while (!node?.range && path.length) {
        path = path.slice(0, -1);
        node = doc.getIn(path, true) as typeof node;
      }
      const line = node?.range ? lineCounter.linePos(node.range[0]).line : 1;
      return `${file}:${line}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`;
    }),
  );
}

/** A regular expression written as a string, checked to compile. */
export const regexString = z.string().refine(
  (value) => {
    try {
      new RegExp(value);
      return true;
    } catch {
      return false;
    }
  },
  { error: 'must be a valid regular expression' },
);

/** A duration such as "5 minutes" or "24 hours" (Agenda's human intervals). */
export const intervalString = z
  .string()
  .regex(/^\d+\s+(second|minute|hour|day)s?$/, { error: 'must look like "5 minutes"' })
  // NaN: not a duration at all, which the regex above already reports.
  .refine((value) => Number.isNaN(intervalToMs(value)) || intervalToMs(value) > 0, {
    error: 'must be longer than zero',
  });

/** The longest a proposal may wait for a decision (a policy's or OPA's ttl). */
export const MAX_TTL_DAYS = 365;

/** How long a proposal waits for a decision: a duration of at most MAX_TTL_DAYS (a date must still follow it). */
export const ttlString = intervalString.refine(
  (value) => Number.isNaN(intervalToMs(value)) || intervalToMs(value) <= MAX_TTL_DAYS * 86_400_000,
  { error: `must be at most ${MAX_TTL_DAYS} days` },
);

const UNIT_MS = { second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
export function intervalToMs(interval: string): number {
  const [, n, unit] = /^(\d+)\s+(second|minute|hour|day)s?$/.exec(interval) ?? [];
  return Number(n) * UNIT_MS[unit as keyof typeof UNIT_MS];
}

/**
 * The YAML files of a directory, re-read on demand. A file that turns invalid keeps its last valid content
 * (and its problems are reported), so a typo never switches rules or policies off.
 */
export class YamlDirectory<T> {
  private readonly valid = new Map<string, { text: string; value: T }>();

  constructor(
    readonly dir: string,
    private readonly parse: (text: string, file: string) => T,
  ) {}

  reload(): { values: { file: string; value: T }[]; problems: string[] } {
    let files: string[] = [];
    try {
      files = readdirSync(this.dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const seen = new Set<string>();
    const problems = new Map<string, string[]>();
    for (const name of files) {
      const file = path.join(this.dir, name);
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      if (this.valid.get(file)?.text === text) continue;
      try {
        this.valid.set(file, { text, value: this.parse(text, file) });
      } catch (err) {
        // Whatever the failure, it belongs to this file alone; the other files still load.
        const found = err instanceof YamlFileError ? err.problems : [`${file}:1: ${(err as Error).message}`];
        const kept = this.valid.has(file) ? ' (its last valid version stays in use)' : ' (skipped)';
        problems.set(
          file,
          found.map((p, i) => (i === 0 ? `${p}${kept}` : p)),
        );
      }
    }
    for (const file of [...this.valid.keys()]) if (!seen.has(file)) this.valid.delete(file);
    return {
      values: [...this.valid.entries()].map(([file, { value }]) => ({ file, value })),
      problems: [...problems.values()].flat(),
    };
  }
}
