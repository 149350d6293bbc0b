import { z } from 'zod';
import { defineTool, link, timestamp } from '../capabilities/tool.js';
import { retrieve } from './retrieval.js';
import { parseFilters } from './service.js';
import { visibleChannelsFor } from './visibility.js';

export const askSearchOutput = z.object({
  hits: z.array(
    z.object({
      source: z.string(),
      externalId: z.string(),
      title: z.string(),
      url: link,
      heading: z.string(),
      content: z.string(),
      updatedAt: timestamp,
      score: z.number(),
    }),
  ),
});

export function askSearchTool() {
  return defineTool({
    name: 'ask.search',
    description:
      'Full-text search of the indexed documents (Confluence pages, repository docs): the best passages with their ' +
      'title and link. `source:confluence` or `space:KEY` in the query narrow it. Documents from a private channel ' +
      'are searched only for its members.',
    kind: 'read',
    input: z.object({ query: z.string().min(3), limit: z.number().int().min(1).max(20).default(5) }),
    output: askSearchOutput,
    run: async (ctx, input) => {
      const { question, filters } = parseFilters(input.query);
      const visibleTo = await visibleChannelsFor(ctx.db, ctx.slack, ctx.person.slackId);
      const found = await retrieve(ctx.db, question, { mode: 'text', filters, limit: input.limit, visibleTo });
      return {
        hits: found.hits.map(({ source, externalId, title, url, heading, content, updatedAt, score }) => ({
          source,
          externalId,
          title,
          url,
          heading,
          content,
          updatedAt,
          score,
        })),
      };
    },
  });
}
