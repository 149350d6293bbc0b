// The model path of the agent against the OpenAI stand-in doing real function-calling round trips: for every
// servable request of the evaluation set, the stand-in "chooses" the expected tools (scripted; this measures the
// loop, not a model's judgement), em-agent runs them through LangChain's createAgent and sends the results back,
// and the stand-in answers. Prints how often the tools that ran are the ones chosen (with their arguments), the
// tokens the stand-in reported and the agent counted, model calls and duration. Embedded store, offline demo config.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ChatMessage, OpenAIStandIn } from '../../dev/openai/server.js';
import { functionName } from '../../src/agent/model.js';
import { startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { evalRequests } from '../../test/support/agent-eval.js';

const pct = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(p * values.length))] ?? 0;

/** The expected arguments as a model would send them ("*" stands for the request's own words). */
function concrete(tool: string, args: Record<string, unknown>, text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) out[k] = v === '*' ? text : v;
  if (tool === 'approvals.propose') {
    const params = out.params as { to: unknown };
    out.params = { to: params.to, text: text.slice(0, 200) };
    out.summary = text.slice(0, 200);
  }
  return out;
}

export async function modelBench(): Promise<void> {
  const model = await new OpenAIStandIn().start();
  const dir = mkdtempSync(path.join(tmpdir(), 'em-bench-agent-'));
  // The teams the requests name: a report for a team nobody defined is refused ("No team is called …").
  const teams = ['payments', 'platform', 'mobile', 'growth', 'search', 'infra'];
  writeFileSync(
    path.join(dir, 'teams.yml'),
    `teams:\n${teams.map((key) => `  - { key: ${key}, name: ${key[0]?.toUpperCase()}${key.slice(1)} }`).join('\n')}\n`,
  );
  const app = await startApp(
    loadConfig({
      DATA_DIR: path.join(dir, 'data'),
      SOURCES_FILE: path.join(dir, 'sources.yml'),
      TEAMS_FILE: path.join(dir, 'teams.yml'),
      REPORTS_FILE: path.join(dir, 'reports.yml'),
      POLICIES_DIR: path.resolve('policies'),
      RULES_DIR: path.resolve('rules'),
      HTTP_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: model.url,
      AGENT_REQUESTS_PER_HOUR: '100000',
      AGENT_TOKENS_PER_DAY: '100000000',
    }),
    createLogger('silent'),
  );
  try {
    const requests = evalRequests().filter((r) => r.expect !== 'unservable');
    let toolsRight = 0;
    let argsRight = 0;
    let countedRight = 0;
    const tokens: number[] = [];
    const calls: number[] = [];
    const ms: number[] = [];
    for (const [i, r] of requests.entries()) {
      const expect = r.expect as Record<string, Record<string, unknown>>;
      const chosen = Object.entries(expect).map(([tool, args]) => ({ tool, args: concrete(tool, args, r.text) }));
      const before = { reported: model.tokensReported, chats: model.chats.length };
      model.respond = (messages: ChatMessage[]) =>
        messages.some((m) => m.role === 'tool')
          ? { content: `Here is what I found for "${r.text}".` }
          : { tool_calls: chosen.map((c) => ({ name: functionName(c.tool), arguments: c.args })) };
      const started = performance.now();
      const result = await app.agent.handle({ person: `U0BENCH${i % 7}`, text: r.text, door: 'dm', threadKey: null });
      ms.push(performance.now() - started);
      const ran = result.tools.map((t) => t.tool).sort();
      const want = chosen.map((c) => c.tool).sort();
      const sameTools = ran.length === want.length && ran.every((t, k) => t === want[k]);
      if (sameTools && result.tools.every((t) => t.ok)) toolsRight += 1;
      if (
        sameTools &&
        result.tools.every(
          (t) => JSON.stringify(t.args) === JSON.stringify(chosen.find((c) => c.tool === t.tool)?.args),
        )
      )
        argsRight += 1;
      const reported = model.tokensReported - before.reported;
      if (reported === result.tokens) countedRight += 1;
      tokens.push(result.tokens);
      calls.push(model.chats.length - before.chats);
    }
    const n = requests.length;
    console.log(
      `model path (stand-in, scripted choices), ${n} servable requests: tools run as chosen and succeeded ${toolsRight}/${n}, ` +
        `arguments passed through unchanged ${argsRight}/${n}, agent's token count equals the stand-in's ${countedRight}/${n}`,
    );
    console.log(
      `tokens per request: mean ${Math.round(tokens.reduce((a, b) => a + b, 0) / n)}, p50 ${pct(tokens, 0.5)}, p95 ${pct(tokens, 0.95)}, ` +
        `max ${Math.max(...tokens)}, total ${tokens.reduce((a, b) => a + b, 0)}; model calls per request: ${pct(calls, 0.5)} (p50), ${Math.max(...calls)} (max); ` +
        `duration p50 ${Math.round(pct(ms, 0.5))} ms, p95 ${Math.round(pct(ms, 0.95))} ms (embedded store, demo-less empty org)`,
    );
  } finally {
    await app.stop();
    await model.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
