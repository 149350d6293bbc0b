import type { GitHubOctokit } from './client.js';

const FULL_SHA = /^[0-9a-f]{40}$/;

/**
 * The commit a tag points at, or undefined when the repository has no such tag. A release's target_commitish is
 * usually the branch it was cut from (which has moved on since), so its tag is what says which commit it shipped.
 * The sha media type makes GitHub answer with the sha alone rather than the commit and its files.
 */
export async function tagCommit(octokit: GitHubOctokit, repo: string, tag: string): Promise<string | undefined> {
  const [owner, name] = repo.split('/') as [string, string];
  try {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/commits/{ref}', {
      owner,
      repo: name,
      ref: `tags/${tag}`,
      headers: { accept: 'application/vnd.github.sha' },
    });
    const body: unknown = data;
    const sha = (typeof body === 'string' ? body : new TextDecoder().decode(body as ArrayBuffer)).trim();
    return FULL_SHA.test(sha) ? sha : undefined;
  } catch (err) {
    // 422 "No commit found for SHA" (the tag is gone), 404: there is nothing to resolve.
    const status = (err as { status?: number }).status;
    if (status === 404 || status === 422) return undefined;
    throw err;
  }
}
