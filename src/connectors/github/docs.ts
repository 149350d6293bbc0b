import { z } from 'zod';
import { currentDocVersions, markDocsDeleted, upsertDoc } from '../../ask/docs-store.js';
import type { Db } from '../../store/db.js';
import { conditionalFirstPage } from '../../sync/conditional.js';
import type { GitHubOctokit } from './client.js';

export interface RepoDocsConfig {
  /** Files or folders (ending in /) to take documents from. */
  paths: string[];
  extensions: string[];
}

const treeSchema = z.object({
  sha: z.string(),
  truncated: z.boolean().optional(),
  tree: z.array(
    z.object({ path: z.string(), type: z.string(), sha: z.string(), size: z.number().optional() }).passthrough(),
  ),
});
const blobSchema = z.object({ content: z.string(), encoding: z.enum(['base64', 'utf-8']) });

const MAX_BYTES = 1_000_000;

export function wantedPath(path: string, config: RepoDocsConfig): boolean {
  const lower = path.toLowerCase();
  if (!config.extensions.some((ext) => lower.endsWith(ext.toLowerCase()))) return false;
  return config.paths.some((p) => (p.endsWith('/') ? path.startsWith(p) : path === p));
}

/**
 * Repository docs for `ask`: the default branch's tree in one conditional request; only files whose blob changed
 * are fetched; files gone from the tree are marked deleted.
 */
export async function syncRepoDocs(options: {
  db: Db;
  octokit: GitHubOctokit;
  repo: string;
  config: RepoDocsConfig;
  etag?: string | null;
}): Promise<{ fetched: number; deleted: number; etag: string | null }> {
  const { db, octokit, repo, config } = options;
  const [owner, name] = repo.split('/') as [string, string];
  const first = await conditionalFirstPage(options.etag, (headers) =>
    octokit.request('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', {
      owner,
      repo: name,
      tree_sha: 'HEAD',
      recursive: '1',
      headers,
    }),
  );
  if (!first) return { fetched: 0, deleted: 0, etag: options.etag ?? null };
  const response = first.response;
  const tree = treeSchema.parse(response.data);
  const files = tree.tree.filter((e) => e.type === 'blob' && (e.size ?? 0) <= MAX_BYTES && wantedPath(e.path, config));
  const known = await currentDocVersions(db, 'github', repo);
  let fetched = 0;
  for (const file of files) {
    const id = `${repo}:${file.path}`;
    if (known.get(id)?.sourceVersion === file.sha) continue;
    const blob = blobSchema.parse(
      (
        await octokit.request('GET /repos/{owner}/{repo}/git/blobs/{file_sha}', {
          owner,
          repo: name,
          file_sha: file.sha,
        })
      ).data,
    );
    const text =
      blob.encoding === 'base64'
        ? Buffer.from(blob.content.replace(/\n/g, ''), 'base64').toString('utf8')
        : blob.content;
    await upsertDoc(db, {
      source: 'github',
      externalId: id,
      space: repo,
      title: `${repo}: ${file.path}`,
      url: `https://github.com/${repo}/blob/HEAD/${file.path}`,
      updatedAt: new Date(),
      body: text,
      format: /\.(md|markdown|mdx)$/i.test(file.path) ? 'markdown' : 'text',
      sourceVersion: file.sha,
    });
    fetched += 1;
  }
  const present = new Set(files.map((f) => `${repo}:${f.path}`));
  const gone = [...known.keys()].filter((id) => !present.has(id));
  await markDocsDeleted(db, 'github', gone);
  return { fetched, deleted: gone.length, etag: first.etag ?? null };
}
