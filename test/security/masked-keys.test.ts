import { Writable } from 'node:stream';
import { OpenAIStandIn } from '../../dev/openai/server.js';
import { chatModelFactory } from '../../src/lib/chat-model.js';
import { createLogger } from '../../src/observability/logger.js';
import { redactText, registerSecrets } from '../../src/observability/redact.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger('info', stream), text: () => lines.join('') };
}

const KEY = 'sk-SECRETabcdefghijklmnop';

test("OpenAI's 401 body, which echoes the key masked, never reaches the logs", async () => {
  const openai = await new OpenAIStandIn().start();
  try {
    registerSecrets([KEY]); // as startApp does with every secret setting
    const model = chatModelFactory({ OPENAI_API_KEY: KEY, OPENAI_BASE_URL: openai.url });
    const out = capture();
    const failure = await (await model?.())?.invoke('hello').catch((err: unknown) => err);
    expect(String((failure as Error).message)).toContain('Incorrect API key provided: sk-SECRE'); // what OpenAI sends
    out.logger.error({ err: failure }, 'narrative failed');
    out.logger.warn(`answer failed: ${(failure as Error).message}`);
    const text = out.text();
    expect(text).toContain('Incorrect API key provided: [REDACTED]');
    expect(text).not.toMatch(/SECRE|mnop|sk-S/);
  } finally {
    await openai.stop();
  }
});

test.each([
  'Incorrect API key provided: sk-SECRE…mnop.',
  'Incorrect API key provided: sk-SECRE...mnop.',
  'invalid key sk-proj-SECRE****************mnop',
  'token xoxb-1234…mnop rejected',
  'bad credentials ghp_SECRE•••••mnop',
  'key provided: SECRE****mnop',
])('the masked form in %j is redacted', (line) => {
  expect(redactText(line)).not.toMatch(/SECRE|mnop/);
});

test('ordinary text with an ellipsis or stars is left alone', () => {
  expect(redactText('Loading… done; rated ** by sam')).toBe('Loading… done; rated ** by sam');
});
