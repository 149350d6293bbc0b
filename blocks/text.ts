/** Escapes text for mrkdwn so user-typed `<!channel>`, `<@U1>` or `&` show as typed and ping nobody. */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** Shortens text to `max` characters, marking the cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** Quotes user text inline, escaped, without letting backticks break out of the code span. */
export function quoteInline(text: string, max = 60): string {
  return `\`${escapeMrkdwn(truncate(text, max)).replaceAll('`', "'")}\``;
}
