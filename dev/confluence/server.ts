// A local Confluence Cloud for the REST endpoints em-agent uses: content listing by space with versions,
// content by id with body.storage, basic auth, 429 + Retry-After on demand.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StandIn } from '../stand-in.js';

export interface StandInPage {
  id: string;
  space: string;
  title: string;
  version: number;
  when: string;
  storage: string;
}

export class ConfluenceStandIn extends StandIn {
  readonly email = 'em-bot@acme.dev';
  readonly apiToken = `ATATT${randomUUID().replaceAll('-', '')}`;
  readonly pages: StandInPage[] = [];
  readonly calls: { path: string; status: number }[] = [];
  private nextId = 65_000;

  addPage(space: string, title: string, storage: string): StandInPage {
    this.nextId += 1;
    const page = { id: String(this.nextId), space, title, version: 1, when: new Date().toISOString(), storage };
    this.pages.push(page);
    return page;
  }

  editPage(id: string, storage: string): void {
    const page = this.pages.find((p) => p.id === id);
    if (!page) throw new Error(`no page ${id}`);
    Object.assign(page, { storage, version: page.version + 1, when: new Date().toISOString() });
  }

  deletePage(id: string): void {
    this.pages.splice(
      this.pages.findIndex((p) => p.id === id),
      1,
    );
  }

  /**
   * Fields a page answers with in place of its own, e.g. `{ version: { number: 'two' } }` or `{ id: undefined }`:
   * for records that break Confluence's documented shape. `listing` only in the space listing, `body` only by id.
   */
  readonly malformed = new Map<string, { listing?: Record<string, unknown>; body?: Record<string, unknown> }>();

  private json(page: StandInPage, withBody: boolean) {
    const broken = this.malformed.get(page.id);
    return {
      ...this.shape(page, withBody),
      ...(withBody ? broken?.body : broken?.listing),
    };
  }

  private shape(page: StandInPage, withBody: boolean) {
    return {
      id: page.id,
      type: 'page',
      status: 'current',
      title: page.title,
      space: { key: page.space },
      version: { number: page.version, when: page.when, by: { accountId: 'acc-maya', displayName: 'Maya' } },
      ...(withBody ? { body: { storage: { value: page.storage, representation: 'storage' } } } : {}),
      _links: {
        webui: `/spaces/${page.space}/pages/${page.id}/${encodeURIComponent(page.title.replaceAll(' ', '+'))}`,
        self: `${this.url}/wiki/rest/api/content/${page.id}`,
      },
    };
  }

  protected route(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', this.url);
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      this.calls.push({ path: `${url.pathname}${url.search}`, status });
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const fault = this.takeFault(url.pathname);
    if (fault) {
      return reply(
        fault.status,
        { statusCode: fault.status, message: 'Rate limited' },
        fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {},
      );
    }
    if (req.headers.authorization !== `Basic ${Buffer.from(`${this.email}:${this.apiToken}`).toString('base64')}`) {
      return reply(401, { statusCode: 401, message: 'Current user not permitted to use Confluence' });
    }
    if (url.pathname === '/wiki/rest/api/content') {
      const space = url.searchParams.get('spaceKey');
      const start = Number(url.searchParams.get('start') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 25);
      const all = this.pages.filter((p) => p.space === space);
      const results = all.slice(start, start + limit).map((p) => this.json(p, false));
      return reply(200, {
        results,
        start,
        limit,
        size: results.length,
        _links:
          start + limit < all.length ? { next: `/rest/api/content?spaceKey=${space}&start=${start + limit}` } : {},
      });
    }
    const byId = /^\/wiki\/rest\/api\/content\/(\d+)$/.exec(url.pathname);
    if (byId) {
      const page = this.pages.find((p) => p.id === byId[1]);
      return page
        ? reply(200, this.json(page, /body\.storage/.test(url.search)))
        : reply(404, { statusCode: 404, message: 'No content found' });
    }
    return reply(404, { statusCode: 404, message: 'Not found' });
  }
}
