// A local Confluence Cloud for the REST endpoints em-agent uses: content listing by space with versions,
// content by id with body.storage, basic auth, 429 + Retry-After on demand.
// Paging as Atlassian documents it (developer.atlassian.com/server/confluence/pagination-in-the-rest-api: the limit
// applied depends on what is expanded, so "don't rely on the defaults"; results are what the account may see): a
// listing holds at most `listingCap` results whatever `limit` asks, pages the account may not see are left out of the
// page they fall in (so a page can be short, even empty, with more after it), and the next page is only reachable
// through `_links.next` (an opaque cursor, relative to `_links.base`). Trashed pages leave the `current` listing and
// answer 404 by id; a restored one comes back with the version it had.
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
  /** In the trash: not in the `current` listing, 404 by id. */
  trashed?: boolean;
  /** Restricted so that the API account may not see it: left out of listings, 404 by id. */
  restricted?: boolean;
}

export class ConfluenceStandIn extends StandIn {
  readonly email = 'em-bot@acme.dev';
  readonly apiToken = `ATATT${randomUUID().replaceAll('-', '')}`;
  readonly pages: StandInPage[] = [];
  readonly calls: { path: string; status: number }[] = [];
  private nextId = 65_000;
  /** Called as a page is asked for by id, before it is answered (a test changes the page here). */
  onContentById?: (id: string) => void;
  /** The listing's next links lead back to the first page, as CONFCLOUD-56322 reports of another listing. */
  nextLinkLoops = false;
  /** At most this many results a listing page, whatever `limit` asks. */
  listingCap = 25;
  private cursors = new Map<string, { space: string; offset: number; limit: number }>();

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

  trashPage(id: string): void {
    this.page(id).trashed = true;
  }

  restorePage(id: string): void {
    this.page(id).trashed = false;
  }

  private page(id: string): StandInPage {
    const page = this.pages.find((p) => p.id === id);
    if (!page) throw new Error(`no page ${id}`);
    return page;
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
      const cursor = url.searchParams.get('cursor');
      const state = cursor
        ? this.cursors.get(cursor)
        : {
            space: url.searchParams.get('spaceKey') ?? '',
            offset: 0,
            limit: Math.min(Number(url.searchParams.get('limit') ?? 25), this.listingCap),
          };
      if (!state) return reply(400, { statusCode: 400, message: 'Invalid cursor' });
      // Positions among the space's current pages; the ones the account may not see are dropped after the cut.
      const all = this.pages.filter((p) => p.space === state.space && !p.trashed);
      const slice = all.slice(state.offset, state.offset + state.limit);
      const results = slice.filter((p) => !p.restricted).map((p) => this.json(p, false));
      const end = state.offset + slice.length;
      let next: string | undefined;
      if (end < all.length) {
        // A paging fault Atlassian has shipped (CONFCLOUD-56322: every next link points at the same first page).
        const token = this.nextLinkLoops && cursor ? cursor : randomUUID();
        this.cursors.set(token, { ...state, offset: this.nextLinkLoops ? 0 : end });
        next = `/rest/api/content?spaceKey=${state.space}&type=page&status=current&expand=version&limit=${state.limit}&cursor=${token}`;
      }
      return reply(200, {
        results,
        start: state.offset,
        limit: state.limit,
        size: results.length,
        _links: {
          base: `${this.url}/wiki`,
          context: '/wiki',
          self: `${this.url}/wiki/rest/api/content`,
          ...(next ? { next } : {}),
        },
      });
    }
    const byId = /^\/wiki\/rest\/api\/content\/(\d+)$/.exec(url.pathname);
    if (byId) {
      this.onContentById?.(byId[1] as string);
      const page = this.pages.find((p) => p.id === byId[1] && !p.trashed && !p.restricted);
      return page
        ? reply(200, this.json(page, /body\.storage/.test(url.search)))
        : reply(404, { statusCode: 404, message: 'No content found' });
    }
    return reply(404, { statusCode: 404, message: 'Not found' });
  }
}
