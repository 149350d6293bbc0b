import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const srcDir = join(root, 'src');

/**
 * Files another piece of work is moving into stores right now (issue #19 item 6). Each entry is a folder (ending in
 * `/`) or a file; the list is emptied as that work is merged, and must never grow.
 */
const BEING_CONVERTED_ELSEWHERE: string[] = [];

/**
 * Modules that still run their own SQL and are not being converted by anyone yet; each is a store extraction to
 * do, and the list must only shrink.
 */
const NOT_MOVED_YET: string[] = [];

const srcFolders = () =>
  readdirSync(srcDir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();

/** The first fenced code block after `heading` (or in the whole text without one). */
function codeBlock(markdown: string, heading?: string): string {
  const from = heading ? markdown.indexOf(heading) : 0;
  if (from < 0) throw new Error(`no heading ${heading}`);
  const open = markdown.indexOf('```', from);
  const close = markdown.indexOf('```', open + 3);
  return markdown.slice(open + 3, close);
}

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sourceFiles(join(dir, e.name))
      : /\.(ts|mts|js|mjs)$/.test(e.name)
        ? [relative(root, join(dir, e.name))]
        : [],
  );

/** A store module: `store.ts`, anything under a `store/` folder, or `*-store.ts`. */
const isStoreModule = (path: string) => /(^|\/)store\.ts$|(^|\/)store\/|-store\.ts$/.test(path);

/** Runs SQL: calls `.query(` or `.query<Row>(` on a database, a transaction or a client. */
const RUNS_SQL = /\.query\s*[<(]/;

const allowed = (path: string) =>
  [...BEING_CONVERTED_ELSEWHERE, ...NOT_MOVED_YET].some((a) => (a.endsWith('/') ? path.startsWith(a) : path === a));

describe('the code layout', () => {
  it('docs/architecture.md names every folder of src/, and no folder that does not exist', () => {
    const tree = codeBlock(readFileSync(join(root, 'docs/architecture.md'), 'utf8'));
    const named = [...tree.matchAll(/^ {2}([a-z][a-z0-9-]*)\/ /gm)].map((m) => m[1]).sort();
    expect(named).toEqual(srcFolders());
  });

  it("README's architecture block names every folder of src/, and no folder that does not exist", () => {
    const tree = codeBlock(readFileSync(join(root, 'README.md'), 'utf8'), '## Architecture');
    const named = [...new Set([...tree.matchAll(/\bsrc\/([a-z][a-z0-9-]*)\//g)].map((m) => m[1]))].sort();
    expect(named).toEqual(srcFolders());
  });

  it('runs SQL only in store modules', () => {
    const outside = sourceFiles(srcDir).filter(
      (path) => !isStoreModule(path) && !allowed(path) && RUNS_SQL.test(readFileSync(join(root, path), 'utf8')),
    );
    expect(outside).toEqual([]);
  });

  it('keeps its allow-lists to files that still run SQL', () => {
    const stale = NOT_MOVED_YET.filter((path) => !RUNS_SQL.test(readFileSync(join(root, path), 'utf8')));
    expect(stale).toEqual([]);
  });
});
