import { z } from 'zod';
import { defineTool, link, timestamp } from '../capabilities/tool.js';
import { retrieve } from './retrieval.js';
import { type AskService, parseFilters } from './service.js';
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

export const askAnswerOutput = z.object({
  id: z.number().int(),
  question: z.string(),
  /** `not_found` when the docs do not hold the answer: the text says so instead of guessing. */
  mode: z.enum(['extractive', 'model', 'not_found']),
  /** Slack mrkdwn, document and model text escaped; `[n]` refers to `citations`. */
  text: z.string(),
  citations: z.array(
    z.object({ n: z.number().int(), title: z.string(), heading: z.string(), url: link, source: z.string() }),
  ),
});

/** The question answered from the docs the person may read, with citations, or "not found"; recorded for feedback. */
export function askAnswerTool(service: AskService) {
  return defineTool({
    name: 'ask.answer',
    description:
      'Answers a question from the indexed documents (Confluence pages, repository docs, postmortems), citing the ' +
      'passages it used as [n], or says the docs do not hold the answer. `forChannel`: the answer will be shown in ' +
      'that channel, so only documents its members may read are used.',
    kind: 'read',
    input: z.object({
      question: z.string().min(3).max(4000),
      context: z.string().max(4000).optional(),
      forChannel: z.string().optional(),
    }),
    output: askAnswerOutput,
    run: async (ctx, input) => {
      const mine = await visibleChannelsFor(ctx.db, ctx.slack, ctx.person.slackId);
      // Shown in a channel, an answer may use only what both the asker and that channel's members may read.
      const visibleTo = input.forChannel ? mine.filter((c) => c === input.forChannel) : mine;
      const answer = await service.ask({
        text: input.question,
        askedBy: ctx.person.slackId,
        context: input.context,
        visibleTo,
      });
      return {
        id: answer.id,
        question: answer.question,
        mode: answer.mode,
        text: answer.text,
        citations: answer.citations.map(({ n, title, heading, url, source }) => ({ n, title, heading, url, source })),
      };
    },
  });
}
