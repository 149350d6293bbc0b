import { distance } from 'fastest-levenshtein';
import { type OwnSyntax, parseEmCommand } from './em-command.js';

/**
 * Whether `/em <text>` that is no subcommand is a near-miss of one ("triag", "standp 48") rather than a question in
 * plain words: the words after the first fit the closest subcommand, and it is one or two words whose first is close
 * to it, or a first word one typo away. "approve everything" is no near-miss of `approvals`, which takes no words.
 */
export function isNearMiss(text: string, suggestion: string | undefined, own: readonly OwnSyntax[] = []): boolean {
  if (!suggestion) return false;
  const words = text.trim().split(/\s+/);
  const head = (words[0] ?? '').toLowerCase();
  if (!parseEmCommand([suggestion, ...words.slice(1)].join(' '), own).ok) return false;
  return words.length <= 2 || (head.length >= 4 && distance(head, suggestion) <= 1);
}
