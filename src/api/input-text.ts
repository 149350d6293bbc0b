// Text a program sends that no store can keep: PostgreSQL refuses a NUL character (U+0000) in text and in jsonb, so a
// `"\u0000"` anywhere in a request failed deep inside a tool as a server error (and MCP answered with the database's
// own message). Both doors refuse it up front, naming where it is.

/** Where a NUL character is (`params.text`, `[2]`, or `root` itself), or undefined. Iterative: nesting is unbounded. */
export function nulCharacterAt(value: unknown, root = 'body'): string | undefined {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length) {
    const [node, path] = stack.pop() as [unknown, string];
    if (typeof node === 'string') {
      if (node.includes('\u0000')) return path || root;
    } else if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i -= 1) stack.push([node[i], `${path}[${i}]`]);
    } else if (node && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        const at = path ? `${path}.${key}` : key;
        if (key.includes('\u0000')) return at.replaceAll('\u0000', '\\u0000');
        stack.push([child, at]);
      }
    }
  }
  return undefined;
}

export const NUL_REFUSED = 'must not contain a NUL character (\\u0000)';
