import { describe, expect, test } from '@jest/globals';
import type { Commit } from '../../src/connectors/github/schemas.js';
import { commitIdentities } from '../../src/connectors/github/store.js';

const commit = (login: string | null, email: string, name = login ?? 'someone'): Commit =>
  ({
    sha: `${login}-${email}`,
    author: login ? { login } : null,
    commit: { author: { email, name, date: '2026-11-30T10:00:00Z' } },
  }) as Commit;

describe("a pull request's commit authors", () => {
  test('the same author over several commits is recorded once; another e-mail or login is another identity', () => {
    const identities = commitIdentities([
      commit('dev1', 'dev1@acme.dev'),
      commit('dev1', 'dev1@acme.dev'),
      commit('dev1', 'dev1@home.example'),
      commit('dev2', 'dev2@acme.dev'),
      commit(null, 'unlinked@acme.dev'),
    ]);
    expect(identities).toEqual([
      { github: 'dev1', email: 'dev1@acme.dev', displayName: 'dev1' },
      { github: 'dev1', email: 'dev1@home.example', displayName: 'dev1' },
      { github: 'dev2', email: 'dev2@acme.dev', displayName: 'dev2' },
    ]);
  });
});
