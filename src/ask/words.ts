/** English words that carry no meaning for matching a question to a passage. */
export const STOP_WORDS = new Set(
  'a an and are as at be by can could do does for from has have how i if in is it its me my of on or our should so than that the their then there these they this to use was we what when where which who why will with you your'.split(
    ' ',
  ),
);

/** The words of a text that can match: letters and digits, not stop words, at least `minLength` long. */
export function contentWords(text: string, minLength = 2): string[] {
  return (text.match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => w.length >= minLength && !STOP_WORDS.has(w.toLowerCase()));
}
