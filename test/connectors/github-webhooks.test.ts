import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Webhooks } from '@octokit/webhooks';
import { type App, startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { countEvents } from '../../src/sync/store.js';

const SECRET = 'whsec-test-0123456789';

const pullRequest = (updatedAt: string, state: 'open' | 'closed' = 'open') => ({
  number: 7,
  title: 'ENG-77: add retries',
  body: null,
  state,
  draft: false,
  user: { login: 'sam' },
  created_at: '2026-11-20T10:00:00Z',
  updated_at: updatedAt,
  closed_at: null,
  merged_at: null,
  html_url: 'https://github.com/acme/api/pull/7',
  head: { ref: 'eng-77-retries', sha: 'a'.repeat(40) },
  base: { ref: 'main' },
  requested_reviewers: [{ login: 'lena' }],
  labels: [],
  additions: 40,
  deletions: 2,
  changed_files: 3,
});

describe('GitHub webhooks (optional push path)', () => {
  let app: App;
  let url: string;
  const dir = mkdtempSync(path.join(tmpdir(), 'em-hooks-'));

  beforeAll(async () => {
    const sources = path.join(dir, 'sources.yml');
    writeFileSync(sources, 'github:\n  installations:\n    - id: 1\n      repos: [acme/api]\n');
    app = await startApp(
      loadConfig({
        DATA_DIR: path.join(dir, 'data'),
        SOURCES_FILE: sources,
        GITHUB_WEBHOOK_SECRET: SECRET,
        HTTP_PORT: '0',
        HTTP_HOST: '127.0.0.1',
        JOBS_LOCK_LIFETIME_MS: '1000',
      }),
      createLogger('silent'),
    );
    url = `http://127.0.0.1:${app.http.port}/webhooks/github`;
  }, 120_000);
  afterAll(async () => {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const deliver = async (event: string, payload: unknown, secret = SECRET) => {
    const body = JSON.stringify(payload);
    const signature = await new Webhooks({ secret }).sign(body);
    return fetch(url, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-github-event': event,
        'x-github-delivery': crypto.randomUUID(),
        'x-hub-signature-256': signature,
      },
    });
  };

  test('a signed pull_request event is stored; the same change delivered again is stored once', async () => {
    const payload = {
      action: 'opened',
      number: 7,
      pull_request: pullRequest('2026-11-20T10:00:00Z'),
      repository: { full_name: 'acme/api' },
      sender: { login: 'sam' },
    };
    expect((await deliver('pull_request', payload)).status).toBe(200);
    expect((await deliver('pull_request', payload)).status).toBe(200);
    expect(await countEvents(app.db, { kind: 'pull_request' })).toBe(1);
    const row = (
      await app.db.query<{ title: string; ticket_keys: string[]; additions: number }>(
        "SELECT title, ticket_keys, additions FROM pull_requests WHERE repo = 'acme/api'",
      )
    ).rows[0];
    expect(row).toEqual({ title: 'ENG-77: add retries', ticket_keys: ['ENG-77'], additions: 40 });
  });

  test('an older delivery arriving late does not overwrite a newer state', async () => {
    await deliver('pull_request', {
      action: 'closed',
      number: 7,
      pull_request: pullRequest('2026-11-21T10:00:00Z', 'closed'),
      repository: { full_name: 'acme/api' },
      sender: { login: 'sam' },
    });
    await deliver('pull_request', {
      action: 'edited',
      number: 7,
      pull_request: pullRequest('2026-11-20T12:00:00Z'),
      repository: { full_name: 'acme/api' },
      sender: { login: 'sam' },
    });
    expect(
      (await app.db.query<{ state: string }>('SELECT state FROM pull_requests WHERE number = 7')).rows[0]?.state,
    ).toBe('closed');
  });

  test('two changes in the same second delivered out of order: the close stands; a dismissed review stays dismissed', async () => {
    // GitHub's times are to the second: a label added and the PR closed in one second carry the same updated_at.
    const second = '2026-11-22T09:00:00Z';
    const pr = (action: string, state: 'open' | 'closed') => ({
      action,
      number: 8,
      pull_request: { ...pullRequest(second, state), number: 8, closed_at: state === 'closed' ? second : null },
      repository: { full_name: 'acme/api' },
      sender: { login: 'sam' },
    });
    expect((await deliver('pull_request', pr('closed', 'closed'))).status).toBe(200);
    expect((await deliver('pull_request', pr('labeled', 'open'))).status).toBe(200);
    const stored = await app.db.query<{ state: string; closed_at: Date | null }>(
      'SELECT state, closed_at FROM pull_requests WHERE number = 8',
    );
    expect(stored.rows[0]).toEqual({ state: 'closed', closed_at: new Date(second) });
    // A review: GitHub never undoes a dismissal, so a late delivery of its submission must not either.
    const review = (state: string) => ({
      action: state === 'dismissed' ? 'dismissed' : 'submitted',
      review: { id: 555, user: { login: 'lena' }, state, submitted_at: second, body: null, commit_id: 'a'.repeat(40) },
      pull_request: pullRequest(second),
      repository: { full_name: 'acme/api' },
      sender: { login: 'lena' },
    });
    expect((await deliver('pull_request_review', review('dismissed'))).status).toBe(200);
    expect((await deliver('pull_request_review', review('approved'))).status).toBe(200);
    const reviews = await app.db.query<{ state: string }>('SELECT state FROM pr_reviews WHERE review_id = 555');
    expect(reviews.rows.map((r) => r.state.toLowerCase())).toEqual(['dismissed']);
  });

  test('a bad signature is refused and nothing is stored', async () => {
    const before = await countEvents(app.db);
    const res = await deliver(
      'pull_request',
      { action: 'opened', pull_request: pullRequest('2026-11-22T10:00:00Z'), repository: { full_name: 'acme/api' } },
      'not-the-secret',
    );
    expect(res.status).toBe(401);
    expect(await countEvents(app.db)).toBe(before);
  });
});
