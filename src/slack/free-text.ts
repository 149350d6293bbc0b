import { distance } from 'fastest-levenshtein';

/**
 * Whether `/em <text>` that is no subcommand is a near-miss of one ("triag", "standp 48") rather than a question in
 * plain words: one or two words whose first is close to a subcommand, or a first word one typo away from one.
 */
export function isNearMiss(text: string, suggestion: string | undefined): boolean {
  if (!suggestion) return false;
  const words = text.trim().split(/\s+/);
  const head = (words[0] ?? '').toLowerCase();
  return words.length <= 2 || (head.length >= 4 && distance(head, suggestion) <= 1);
}
