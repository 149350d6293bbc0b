// npm run build: compiles the product (src, blocks, the offline demo in dev/demo) to dist/ and copies what tsc does not
// (SQL migrations). With --if-stale (npm start's prestart), does nothing when dist/ is newer than every source.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entries = ['dist/src/main.js', 'dist/dev/demo/main.js'].map((file) => path.join(root, file));
const sources = ['src', 'blocks', 'dev', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

function newest(file) {
  const stat = statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(file).map((name) => newest(path.join(file, name))));
}

const stale = () =>
  !entries.every(existsSync) ||
  Math.max(
    ...sources
      .map((s) => path.join(root, s))
      .filter(existsSync)
      .map(newest),
  ) > Math.min(...entries.map((file) => statSync(file).mtimeMs));

if (process.argv.includes('--if-stale') && !stale()) process.exit(0);
process.stdout.write('em-agent: compiling to dist/ …\n');
execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});
cpSync(path.join(root, 'src/store/migrations'), path.join(root, 'dist/src/store/migrations'), { recursive: true });
