import { GitHubStandIn } from '../../dev/github/server.js';
import { execute, PermanentActionError } from '../../src/approvals/executors.js';
import { describeProposal } from '../../src/approvals/service.js';
import { createGitHubApp } from '../../src/connectors/github/client.js';
import { createLogger } from '../../src/observability/logger.js';
import { describeEachEngine } from '../support/engines.js';

const REPO = 'acme/api';

describeEachEngine('requesting a reviewer GitHub refuses', ({ freshDb }) => {
  test('the author or a non-collaborator gets GitHub’s 422 reason, as a permanent failure the user can read', async () => {
    const gh = await new GitHubStandIn().start();
    try {
      gh.addInstallation(5, [REPO]);
      gh.addCollaborator(REPO, 'lena');
      const pull = gh.addPull(REPO, { title: 'ENG-7 retries', author: 'maya' });
      const app = createGitHubApp({
        appId: gh.appId,
        privateKey: gh.privateKey,
        baseUrl: gh.url,
        logger: createLogger('silent'),
        retryBaseMs: 5,
      });
      const db = await freshDb();
      const ctx = (key: string) => ({
        db,
        clients: { github: () => app.getInstallationOctokit(5) },
        idempotencyKey: key,
        attempt: 1,
      });
      const ask = (reviewers: string[], key: string) =>
        execute('github.request_reviewers', { repo: REPO, number: pull.number, reviewers }, ctx(key));

      await expect(ask(['maya'], 'r-author')).rejects.toThrow(
        new PermanentActionError('GitHub refused: Review cannot be requested from pull request author.'),
      );
      const outsider = await ask(['stranger'], 'r-outsider').catch((err: Error) => err);
      expect(outsider).toBeInstanceOf(PermanentActionError);
      expect((outsider as Error).message).toContain('Reviews may only be requested from collaborators');
      // What the "Request review" flow tells the person who asked, from the stored failure.
      expect(
        describeProposal({ outcome: 'failed', approval: { last_error: (outsider as Error).message } } as never, {
          done: '',
          pending: '',
          duplicate: '',
          failed: 'The request failed',
        }),
      ).toContain('The request failed: GitHub refused: Reviews may only be requested from collaborators');
      expect(pull.requested_reviewers ?? []).toEqual([]);

      await ask(['lena'], 'r-ok');
      expect(pull.requested_reviewers).toEqual(['lena']);
    } finally {
      await gh.stop();
    }
  });
});
