// Renders Block Kit as readable terminal text, so the offline demo shows what a person would see in Slack.
type Json = Record<string, unknown>;

const text = (t: unknown): string => {
  const value = (t as Json | undefined)?.text;
  if (typeof value !== 'string') return '';
  return value
    .replace(/<!date\^\d+\^[^|]*\|([^>]*)>/g, '$1') // Slack shows dates in the reader's time zone; print the fallback
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
};

function element(el: Json): string {
  switch (el.type) {
    case 'button':
      return `[ ${text(el.text)} ]${el.style === 'primary' ? '*' : el.style === 'danger' ? '!' : ''}`;
    case 'static_select':
      return `[ ‹${text(el.placeholder) || 'choose'}› ▾ ] (${((el.options as Json[]) ?? []).map((o) => (o.value as string) ?? '').join(' | ')})`;
    case 'users_select':
      return `[ ‹${text(el.placeholder) || 'pick a person'}› ▾ ]`;
    case 'plain_text_input':
      return el.initial_value
        ? `[ ${String(el.initial_value).split('\n')[0]} ]`
        : `[ ‹${text(el.placeholder) || 'type here'}› ]`;
    case 'image':
      return `(image: ${String(el.alt_text ?? '')})`;
    case 'mrkdwn':
    case 'plain_text':
      return text(el);
    default:
      return `(${String(el.type)})`;
  }
}

export function renderBlocks(blocks: unknown[] | undefined, indent = '  '): string {
  const lines: string[] = [];
  for (const b of (blocks ?? []) as Json[]) {
    switch (b.type) {
      case 'header':
        lines.push(text(b.text).toUpperCase(), '═'.repeat(Math.min(60, text(b.text).length)));
        break;
      case 'divider':
        lines.push('─'.repeat(60));
        break;
      case 'section': {
        if (b.text) lines.push(text(b.text));
        const fields = (b.fields as Json[] | undefined) ?? [];
        for (let i = 0; i < fields.length; i += 2) {
          lines.push(`${text(fields[i]).padEnd(38)} ${fields[i + 1] ? text(fields[i + 1]) : ''}`.trimEnd());
        }
        if (b.accessory) lines.push(`  ${element(b.accessory as Json)}`);
        break;
      }
      case 'context':
        lines.push(`  · ${((b.elements as Json[]) ?? []).map(element).join('  ')}`);
        break;
      case 'actions':
        lines.push(((b.elements as Json[]) ?? []).map(element).join('  '));
        break;
      case 'input':
        lines.push(`${text(b.label)}${b.optional ? ' (optional)' : ''}: ${element(b.element as Json)}`);
        break;
      case 'image':
        lines.push(`(image: ${String(b.alt_text ?? b.title ?? '')})`);
        break;
      default:
        lines.push(`(${String(b.type)} block)`);
    }
  }
  return lines
    .join('\n')
    .split('\n')
    .map((line) => indent + line)
    .join('\n');
}

export function renderView(view: { type?: string; title?: unknown; submit?: unknown; blocks: unknown[] }): string {
  if (view.type === 'home') return renderBlocks(view.blocks);
  const title = text(view.title);
  const head = `  ┌ ${title} ${'─'.repeat(Math.max(0, 50 - title.length))}┐`;
  const foot = view.submit ? `  └ [ Cancel ]  [ ${text(view.submit)} ]*` : '  └';
  return [head, renderBlocks(view.blocks, '  │ '), foot].join('\n');
}
