import { createHash } from 'node:crypto';
import { convert } from 'html-to-text';
import type { NewDoc } from '../../ask/docs-store.js';
import type { EventInput } from '../../sync/event.js';
import type { Page } from './schemas.js';

const escapeHtml = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
const attribute = (tag: string, name: string) =>
  new RegExp(`${name}="([^"]*)"`).exec(tag)?.[1]?.replaceAll('&quot;', '"').replaceAll('&amp;', '&');

/**
 * Storage format's own elements as the HTML they stand for. A code block's text is a CDATA section, which an HTML
 * parser drops as a comment: until 2026-12-08 every code block of a runbook was lost to `ask`. Macro parameters
 * (a code block's language, a Jira macro's server id, a table of contents' depth) are settings, not text, and were
 * read as words glued to the text around them; a task's id and status likewise.
 */
function storageAsHtml(storage: string): string {
  return (
    storage
      // A link's own text (CDATA) or, without one, the title of the page it points to.
      .replace(
        /<ac:plain-text-link-body>\s*<!\[CDATA\[([\s\S]*?)\]\]>\s*<\/ac:plain-text-link-body>/g,
        (_m, text: string) => escapeHtml(text),
      )
      .replace(
        /<ac:link\b[^>]*>\s*(<ri:(?:page|blog-post|attachment)\b[^>]*?\/>)\s*<\/ac:link>/g,
        (_m, target: string) =>
          escapeHtml(attribute(target, 'ri:content-title') ?? attribute(target, 'ri:filename') ?? ''),
      )
      // Code and other plain-text macro bodies: kept as preformatted text.
      .replace(
        /<ac:plain-text-body>\s*<!\[CDATA\[([\s\S]*?)\]\]>\s*<\/ac:plain-text-body>/g,
        (_m, code: string) => `<pre>${escapeHtml(code)}</pre>`,
      )
      .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, (_m, text: string) => escapeHtml(text))
      // A Jira issue macro says the issue's key; a panel's or code block's title is a heading of sorts.
      .replace(
        /<ac:parameter\s+ac:name="(key|title)"\s*>([\s\S]*?)<\/ac:parameter>/g,
        (_m, name: string, value: string) => (name === 'key' ? value : `<p>${value}</p>`),
      )
      .replace(/<ac:parameter\b[^>]*>[\s\S]*?<\/ac:parameter>/g, '')
      .replace(/<ac:parameter\b[^>]*\/>/g, '')
      .replace(/<ac:(task-id|task-uuid|task-status|placeholder)\b[^>]*>[\s\S]*?<\/ac:\1>/g, '')
      .replace(/<ac:task-list\b[^>]*>/g, '<ul>')
      .replace(/<\/ac:task-list>/g, '</ul>')
      .replace(/<ac:task(?=[\s>])[^>]*>/g, '<li>')
      .replace(/<\/ac:task>/g, '</li>')
  );
}

/** Confluence storage format (XHTML with ac: macros) as readable plain text: headings, lists and tables kept. */
export function storageToText(storage: string): string {
  return convert(storageAsHtml(storage), {
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
      { selector: 'h1', options: { uppercase: false } },
      { selector: 'h2', options: { uppercase: false } },
      { selector: 'h3', options: { uppercase: false } },
      { selector: 'table', format: 'dataTable' },
      { selector: 'pre', options: { leadingLineBreaks: 1, trailingLineBreaks: 1 } },
    ],
  }).trim();
}

export interface DocRow {
  externalId: string;
  space: string;
  title: string;
  url: string;
  version: number;
  updatedAt: string;
  bodyText: string;
  contentHash: string;
}

export function docRow(host: string, space: string, page: Page): DocRow {
  const bodyText = storageToText(page.body.storage.value);
  return {
    externalId: page.id,
    space,
    title: page.title,
    url: `${host.replace(/\/$/, '')}/wiki${page._links?.webui ?? `/spaces/${space}/pages/${page.id}`}`,
    version: page.version.number,
    updatedAt: page.version.when,
    bodyText,
    contentHash: createHash('sha256').update(`${page.title}\n${bodyText}`).digest('hex'),
  };
}

export function pageEvent(space: string, page: Page, row: DocRow): EventInput {
  return {
    source: 'confluence',
    kind: 'page',
    externalId: `${page.id}@v${page.version.number}`,
    occurredAt: page.version.when,
    subject: space,
    normalized: { title: page.title, url: row.url, version: page.version.number },
    raw: { id: page.id, title: page.title, version: page.version },
  };
}

/** The page as the document `ask` indexes. */
export function pageDoc(row: DocRow): NewDoc {
  return {
    source: 'confluence',
    externalId: row.externalId,
    space: row.space,
    title: row.title,
    url: row.url,
    version: row.version,
    updatedAt: new Date(row.updatedAt),
    body: row.bodyText,
    format: 'text',
  };
}
