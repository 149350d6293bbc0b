import { Writable } from 'node:stream';
import { createLogger } from '../../src/observability/logger.js';
import { registerSecrets } from '../../src/observability/redact.js';

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

describe('log redaction', () => {
  const botToken = 'xoxb-1111-2222-abcdefghijklmnop';
  const plainSecret = 'hunter2-correct-horse-battery';

  test.each([
    ['a token in the message', (log: ReturnType<typeof capture>['logger']) => log.info(`calling with ${botToken}`)],
    ['a token field', (log: ReturnType<typeof capture>['logger']) => log.info({ token: botToken }, 'x')],
    [
      'an authorization header deep in a request',
      (log: ReturnType<typeof capture>['logger']) =>
        log.info({ req: { headers: { Authorization: `Bearer ${plainSecret}` } } }, 'x'),
    ],
    [
      'a token inside an error message',
      (log: ReturnType<typeof capture>['logger']) => log.error({ err: new Error(`bad ${botToken}`) }, 'x'),
    ],
    [
      'a password in a connection string',
      (log: ReturnType<typeof capture>['logger']) => log.info({ url: `postgres://em:${plainSecret}@db/em` }, 'x'),
    ],
    [
      'an app token nested in an array',
      (log: ReturnType<typeof capture>['logger']) =>
        log.info({ calls: [{ args: ['xapp-1-A0-12345-deadbeefcafe'] }] }, 'x'),
    ],
  ])('%s never reaches the output', (_name, write) => {
    const out = capture();
    write(out.logger);
    const text = out.text();
    expect(text).toContain('[REDACTED]');
    expect(text).not.toContain('abcdefghijklmnop');
    expect(text).not.toContain(plainSecret);
    expect(text).not.toContain('deadbeefcafe');
  });

  test('a configured secret without a recognisable shape is scrubbed wherever it appears', () => {
    registerSecrets(['Zq8-custom-jira-token-77']);
    const out = capture();
    out.logger.warn(
      { detail: { note: 'jira said no to Zq8-custom-jira-token-77' } },
      'retrying Zq8-custom-jira-token-77',
    );
    expect(out.text()).not.toContain('Zq8-custom-jira-token-77');
  });

  test('ordinary fields are logged as they are', () => {
    const out = capture();
    out.logger.info({ repo: 'acme/api', count: 3 }, 'synced');
    expect(JSON.parse(out.text())).toMatchObject({ repo: 'acme/api', count: 3, msg: 'synced', level: 'info' });
  });
});
