// A local stand-in for Open Policy Agent's Data API (https://www.openpolicyagent.org/docs/rest-api#data-api), for
// tests and the dev world: no OPA binary can be installed here. It answers the request and response shapes OPA
// documents, with the policy written as a small JS function instead of Rego:
//   POST /v1/data/<path>  {"input": ...}  → 200 {"result": <document>}, or 200 {} when the document is undefined
//                                           (OPA answers 200 without `result`, not 404), 400 {"code":
//                                           "invalid_parameter", "message": ...} when the body is not JSON or its
//                                           `input` is missing when required, 500 {"code": "internal_error"} when the
//                                           policy fails to evaluate;
//   GET  /health          → 200 {}.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type LocalServer, listenLocal } from '../local-server.js';

/** The policy: the document at `path` (e.g. `em_agent/decision`) for `input`; undefined when the rule is undefined. */
export type OpaPolicy = (path: string, input: unknown) => unknown;

export interface OpaStandIn extends LocalServer {
  /** Every request to the Data API, in order, with the input it carried. */
  readonly requests: { path: string; input: unknown }[];
  /** Replaces the policy (as loading a new bundle would). */
  setPolicy(policy: OpaPolicy): void;
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

const send = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

export async function startOpaStandIn(initial: OpaPolicy): Promise<OpaStandIn> {
  let policy = initial;
  const requests: { path: string; input: unknown }[] = [];
  const server = await listenLocal(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://opa');
    if (req.method === 'GET' && url.pathname === '/health') return send(res, 200, {});
    const match = /^\/v1\/data\/(.*)$/.exec(url.pathname);
    if (!match || req.method !== 'POST') return send(res, 404, { code: 'resource_not_found', message: 'not found' });
    const path = (match[1] ?? '').replace(/\/+$/, '');
    const text = await readBody(req);
    let body: unknown = {};
    if (text.trim()) {
      try {
        body = JSON.parse(text);
      } catch (err) {
        return send(res, 400, {
          code: 'invalid_parameter',
          message: `body contains malformed input document: ${(err as Error).message}`,
        });
      }
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      return send(res, 400, { code: 'invalid_parameter', message: 'body must be an object with an "input" field' });
    const input = (body as { input?: unknown }).input;
    requests.push({ path, input });
    let result: unknown;
    try {
      result = policy(path, input);
    } catch (err) {
      return send(res, 500, { code: 'internal_error', message: (err as Error).message });
    }
    return send(res, 200, result === undefined ? {} : { result });
  });
  return {
    ...server,
    requests,
    setPolicy(next) {
      policy = next;
    },
  };
}
