import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
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
  return parseYamlWithLines(schema, text, file).value;
}

/**
 * As parseYaml, with the line of any path of the value (the deepest node of it that exists), for problems found
 * after validation (an approver Slack does not know, a rule no file defines).
 */
export function parseYamlWithLines<Schema extends z.ZodType>(
  schema: Schema | ((value: unknown) => Schema),
  text: string,
  file: string,
): { value: z.output<Schema>; lineOf: (path: readonly (string | number)[]) => number } {
  const lineCounter = new LineCounter();
  // A byte order mark (a file saved by some Windows editors) is not YAML: without this, one mark reads as a cascade of
  // "Unexpected …" errors on line 1.
  const doc = parseDocument(text.replace(/^\uFEFF/, ''), { lineCounter, prettyErrors: false });
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
  const lineOf = (at: readonly (string | number)[]) => {
    // The deepest node of the path that exists carries the line.
    let path = [...at];
    let node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    while (!node?.range && path.length) {
      path = path.slice(0, -1);
      node = doc.getIn(path, true) as typeof node;
    }
    return node?.range ? lineCounter.linePos(node.range[0]).line : 1;
  };
  const result = (typeof schema === 'function' ? schema(value) : schema).safeParse(value);
  if (result.success) return { value: result.data, lineOf };
  throw new YamlFileError(
    file,
    result.error.issues.map(
      (issue) =>
        `${file}:${lineOf(issue.path as (string | number)[])}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`,
    ),
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

// V8's linear-time engine (the `l` flag): a pattern it accepts runs in time proportional to the text, whatever the
// pattern. Only parsing the flag is switched on; every other regular expression is unchanged.
setFlagsFromString('--enable-experimental-regexp-engine');
const LINEAR_FLAG = 'l';
const LINEAR = (() => {
  try {
    // Built from a variable: a regex literal with the flag does not parse where the engine is off.
    new RegExp('a', LINEAR_FLAG);
    return true;
  } catch {
    return false;
  }
})();

/**
 * A regular expression that cannot take exponential time: rules test theirs against text anyone can write (PR titles,
 * branch names), and a pattern such as `(a+)+$` on a title of 40 letters would hold the process for hours. Compiled
 * for V8's linear-time engine; throws SyntaxError for a pattern it cannot run in linear time (backreferences,
 * lookarounds, large counted repetitions). Without that engine, a pattern with a repeated group holding a repetition
 * is refused instead.
 */
export function linearRegExp(pattern: string, flags = ''): RegExp {
  if (LINEAR) return new RegExp(pattern, `${flags}${LINEAR_FLAG}`);
  if (/\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)[+*{]/.test(pattern))
    throw new SyntaxError(`Invalid regular expression: /${pattern}/: a repeated group holds a repetition`);
  return new RegExp(pattern, flags);
}

/**
 * A regular expression written as a string that runs in linear time (see linearRegExp): for patterns matched against
 * text from PRs, tickets and branches.
 */
export const linearRegexString = z.string().superRefine((value, ctx) => {
  try {
    new RegExp(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be a valid regular expression' });
    return;
  }
  try {
    linearRegExp(value);
  } catch {
    ctx.addIssue({
      code: 'custom',
      message:
        'must be a regular expression that runs in linear time: no backreferences (\\1), lookarounds ((?=…), (?<=…)) or counts above a few (a{2,500})',
    });
  }
});

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

/** The largest rule, policy or template file read: real ones are a few kilobytes; a bigger one is a mistake. */
export const MAX_YAML_BYTES = 1024 * 1024;

/**
 * A YAML file's text. Not a regular file (a directory, a link to nowhere, a device), unreadable, or larger than
 * MAX_YAML_BYTES: a YamlFileError naming the file, so it is that file's problem and not the whole directory's.
 */
function readText(file: string): string {
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new YamlFileError(file, [`${file}:1: not a regular file`]);
    size = stat.size;
  } catch (err) {
    if (err instanceof YamlFileError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'a link to a file that does not exist' : `cannot be read (${code})`;
    throw new YamlFileError(file, [`${file}:1: ${why}`]);
  }
  if (size > MAX_YAML_BYTES)
    throw new YamlFileError(file, [
      `${file}:1: is ${Math.ceil(size / 1024)} KiB; a file here may be at most ${MAX_YAML_BYTES / 1024} KiB`,
    ]);
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new YamlFileError(file, [`${file}:1: cannot be read (${(err as NodeJS.ErrnoException).code})`]);
  }
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
      // Hidden files are an editor's or a system's, not the operator's: Emacs's lock file `.#default.yml` (a link to
      // nowhere while the file is being edited), macOS's `._default.yml`.
      files = readdirSync(this.dir)
        .filter((f) => /\.ya?ml$/.test(f) && !f.startsWith('.'))
        .sort();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') {
        // The directory cannot be read (permissions): what was read before stays in use, and it is said.
        const kept = this.valid.size ? 'the files read before stay in use' : 'no file is read';
        return {
          values: [...this.valid.entries()].map(([file, { value }]) => ({ file, value })),
          problems: [`${this.dir}: cannot be read (${code ?? (err as Error).message}); ${kept}`],
        };
      }
    }
    const seen = new Set<string>();
    const problems = new Map<string, string[]>();
    for (const name of files) {
      const file = path.join(this.dir, name);
      seen.add(file);
      try {
        const text = readText(file);
        if (this.valid.get(file)?.text === text) continue;
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
