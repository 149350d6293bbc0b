// A lone UTF-16 surrogate (half of an emoji cut in two, or a broken vendor payload) cannot be stored: PostgreSQL
// rejects it in text and, as a JSON "\ud800" escape, in jsonb. It is replaced by U+FFFD before it reaches the database.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// The same inside JSON text, where JSON.stringify writes it as an escape (an escaped backslash before it is left alone).
const LONE_SURROGATE_ESCAPE =
  /(?<!\\)((?:\\\\)*)\\u(d[89ab][0-9a-f]{2})(?!\\ud[c-f][0-9a-f]{2})|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})(?<!\\)((?:\\\\)*)\\u(d[c-f][0-9a-f]{2})/gi;

export function wellFormedText(text: string): string {
  const fixed = text.replace(LONE_SURROGATE, '\uFFFD');
  return fixed.includes('\\u')
    ? fixed.replace(LONE_SURROGATE_ESCAPE, (_m, a = '', _h, b = '') => `${a}${b}\\ufffd`)
    : fixed;
}

/** Query parameters with every string (also inside arrays) made storable. */
export function wellFormedParams(params: unknown[] | undefined): unknown[] | undefined {
  if (!params) return params;
  const fix = (value: unknown): unknown =>
    typeof value === 'string' ? wellFormedText(value) : Array.isArray(value) ? value.map(fix) : value;
  return params.map(fix);
}

/**
 * Whether the database refused a value itself (SQLSTATE class 22, "data exception": a NUL character, an invalid
 * escape, a value out of range). Such a record can never be stored: it is rejected and the sync moves on, whereas
 * any other failure (the database being down) still fails the run.
 */
export function isDataError(err: unknown): boolean {
  return /^22/.test(String((err as { code?: unknown })?.code ?? ''));
}
