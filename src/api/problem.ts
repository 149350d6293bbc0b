// RFC 9457 problem details: every error of the REST API, as `application/problem+json`.
import type { FastifyReply } from 'fastify';
import { z } from 'zod';

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

export type Problem = z.infer<typeof problemSchema>;

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  413: 'Payload too large',
  415: 'Unsupported media type',
  429: 'Too many requests',
  500: 'Internal error',
  503: 'Unavailable',
};

export function problem(status: number, detail?: string, type?: string): Problem {
  return {
    type: type ?? (status === 500 ? 'about:blank' : `https://em-agent.dev/problems/${status}`),
    title: TITLES[status] ?? 'Error',
    status,
    ...(detail ? { detail } : {}),
  };
}

/** Sends a problem; bypasses the route's serializer (its schema is for the success body). */
export function sendProblem(reply: FastifyReply, status: number, detail?: string): FastifyReply {
  return reply
    .code(status)
    .type('application/problem+json')
    .serializer((body: unknown) => JSON.stringify(body))
    .send(problem(status, detail));
}

/** The problem responses every authenticated route documents. */
export const problemResponses = Object.fromEntries(
  [400, 401, 403, 404, 413, 415, 429, 500, 503].map((status) => [
    status,
    {
      description: TITLES[status] as string,
      content: { 'application/problem+json': { schema: problemSchema } },
    },
  ]),
);
