// Matching the words of a request against phrases, forgiving typos (edit distance) and inflections (a light stem:
// "deploying", "deployed" and "deploys" are all "deploy").
import { distance } from 'fastest-levenshtein';

export const words = (text: string) =>
  text
    .toLowerCase()
    .replace(/[’']/g, "'")
    // "incident-wise", "delivery-wise": the word it is about.
    .replace(/\b([a-z]{3,})-wise\b/g, '$1')
    .split(/[^a-z0-9'#-]+/)
    .map((w) => w.replace(/^'+|'+$/g, ''))
    .filter(Boolean);

/** Typo tolerance: 1 edit from 5 letters, 2 from 9, or one swap of neighbours from 4 ("sprnit", "tiem"). */
export const near = (a: string, b: string) => {
  if (a === b) return true;
  if (a.length >= 4 && a.length === b.length) {
    const i = [...a].findIndex((ch, k) => ch !== b[k]);
    if (i >= 0 && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2)) return true;
  }
  if (a.length < 5 || b.length < 5) return false;
  const allowed = Math.min(a.length, b.length) >= 9 ? 2 : 1;
  return Math.abs(a.length - b.length) <= allowed && distance(a, b) <= allowed;
};

/** A light English stem: plural, -ing, -ed, -er, -ment and a final e or doubled consonant go. */
export function stem(word: string): string {
  const w = word.replace(/'s?$/, '');
  if (w.length <= 4 || w.endsWith('ss')) return w;
  let s = w.replace(/ies$/, 'y').replace(/(?:ments|ment|ings|ing|ers|er|ed|es|s)$/, '');
  if (/([b-df-hj-np-tv-z])\1$/.test(s)) s = s.slice(0, -1);
  if (s.length > 3 && s.endsWith('e')) s = s.slice(0, -1);
  return s.length >= 3 ? s : w;
}

/** How well a word stands for a phrase's word: 1 the same or a typo of it, 0.75 another form of it, else 0. */
export function wordMatch(word: string, phraseWord: string): number {
  if (near(word, phraseWord)) return 1;
  if (word === `${phraseWord}s` || phraseWord === `${word}s`) return 0.75;
  if (word.length >= 4 && phraseWord.length >= 4 && stem(word) === stem(phraseWord)) return 0.75;
  return 0;
}

/** Where a phrase occurs in `w`, skipping positions in `used`, matched at least as well as `atLeast`. */
export function findPhrase(
  w: string[],
  phrase: string[],
  used: Set<number>,
  atLeast = 0,
): { start: number; quality: number } | undefined {
  outer: for (let i = 0; i + phrase.length <= w.length; i++) {
    let quality = 1;
    for (let j = 0; j < phrase.length; j++) {
      if (used.has(i + j)) continue outer;
      const q = wordMatch(w[i + j] as string, phrase[j] as string);
      if (q === 0 || q < atLeast) continue outer;
      quality = Math.min(quality, q);
    }
    return { start: i, quality };
  }
  return undefined;
}
