// The real documentation sets bench:ask evaluates on, installed on demand from Debian's documentation packages:
// downloaded with `apt-get download` and unpacked with `dpkg-deb -x` into a cache folder (nothing is installed on
// the system, so no package can replace the machine's own Node.js).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { type CorpusDoc, docsIn } from '../../test/support/ask-eval.js';

const CACHE = process.env.ASK_CORPORA_DIR ?? path.join(homedir(), '.cache', 'em-agent', 'ask-corpora');

function unpacked(pkg: string): string {
  const root = path.join(CACHE, pkg);
  if (existsSync(path.join(root, '.done'))) return root;
  mkdirSync(root, { recursive: true });
  console.log(`  installing ${pkg} into ${root} (apt-get download + dpkg-deb -x)`);
  execFileSync('apt-get', ['download', pkg], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  const deb = readdirSync(root).find((f) => f.endsWith('.deb'));
  if (!deb) throw new Error(`apt-get download ${pkg} left no .deb in ${root}`);
  execFileSync('dpkg-deb', ['-x', deb, '.'], { cwd: root });
  writeFileSync(path.join(root, '.done'), deb);
  return root;
}

export interface RealCorpus {
  name: string;
  licence: string;
  docs: () => CorpusDoc[];
}

export const REAL_CORPORA: RealCorpus[] = [
  {
    // git's manual pages and guides (AsciiDoc sources), GPL-2.0.
    name: 'git',
    licence: 'GPL-2.0 (git-doc)',
    docs: () => docsIn(path.join(unpacked('git-doc'), 'usr/share/doc/git-doc'), /\.txt$/),
  },
  {
    // The Node.js 18 API reference (markdown), MIT.
    name: 'node',
    licence: 'MIT (nodejs-doc)',
    docs: () => {
      const dir = path.join(unpacked('nodejs-doc'), 'usr/share/doc/nodejs/api');
      return readdirSync(dir)
        .filter((f) => f.endsWith('.md.gz'))
        .sort()
        .map((f) => ({
          id: f.replace(/\.gz$/, ''),
          title: f.replace(/\.md\.gz$/, ''),
          body: gunzipSync(readFileSync(path.join(dir, f))).toString('utf8'),
        }));
    },
  },
];
