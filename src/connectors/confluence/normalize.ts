import { createHash } from 'node:crypto';
import { convert } from 'html-to-text';
import type { NewDoc } from '../../ask/docs-store.js';
import type { EventInput } from '../../sync/event.js';
import type { Page } from './schemas.js';

/** Confluence storage format (XHTML with ac: macros) as readable plain text: headings, lists and tables kept. */
export function storageToText(storage: string): string {
  return convert(storage, {
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
      { selector: 'h1', options: { uppercase: false } },
      { selector: 'h2', options: { uppercase: false } },
      { selector: 'h3', options: { uppercase: false } },
      { selector: 'table', format: 'dataTable' },
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
