// Issue #21's day-one problem, on the offline demo's org (six people, the real app syncing from the GitHub and Jira
// stand-ins, talking to the Slack emulator): before the pipeline one engineer got six DMs within seconds, two about
// the same PR, and one was told they were over their own WIP limit. Now: at most one DM each, no subject twice.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startOfflineDemo } from '../../dev/demo/offline.js';
import { loadConfig } from '../../src/config.js';
import { dropSchemas, SERVER_URL, serverUp, uniqueSchema } from '../support/engines.js';
import { visibleText } from '../support/slack/harness.js';

const engines: { name: string; url: string; skip: boolean }[] = [
  { name: 'pglite', url: '', skip: false },
  { name: 'postgres', url: SERVER_URL, skip: !serverUp },
];

describe.each(engines)('the offline demo’s first start [$name]', ({ url, skip }) => {
  (skip ? test.skip : test)(
    'every person gets at most one DM (the digest), no subject twice, and nobody hears of their own WIP',
    async () => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'em-notify-demo-'));
      const schema = uniqueSchema('demo');
      const log = console.log;
      console.log = () => {};
      const demo = await startOfflineDemo(
        loadConfig({
          DATA_DIR: dataDir,
          HTTP_PORT: '0',
          HTTP_HOST: '127.0.0.1',
          LOG_LEVEL: 'silent',
          JOBS_POLL_MS: '500',
          SIGNALS_TICK_MS: '1000',
          DATABASE_URL: url,
          ...(url ? { DATABASE_SCHEMA: schema } : {}),
        }),
      ).finally(() => {
        console.log = log;
      });
      try {
        const { app, emulator, users } = demo;
        await app.signals.evaluate({ all: true });
        await app.notifications.sendDigests();
        // The jobs keep running meanwhile (signals every second, digests every minute): give them a few rounds.
        await app.signals.evaluate();
        await emulator.settle();
        const ws = emulator.workspace;
        let waiting = 0;
        for (const [name, id] of Object.entries(users)) {
          const dms = emulator.messagesIn(ws.imWith(id).id).filter((m) => m.user === ws.botUserId);
          expect({ name, dms: dms.length }).toEqual({ name, dms: Math.min(dms.length, 1) });
          for (const dm of dms) {
            const text = visibleText(dm);
            expect(text.startsWith('Your digest')).toBe(true);
            const subjects = text.match(/acme\/[\w-]+#\d+|ENG-\d+/g) ?? [];
            // A subject shows once as the line's link label and once in its text: never on two lines.
            const lines = text.split('\n').filter((l) => /acme\/[\w-]+#\d+/.test(l));
            const perLine = lines.map((l) => l.match(/acme\/[\w-]+#\d+/)?.[0]);
            expect(new Set(perLine).size).toBe(perLine.length);
            expect(subjects.length).toBeGreaterThan(0);
            expect(text).not.toMatch(new RegExp(`${name}\\S* has \\d+ items in progress`));
          }
          waiting += (await app.notifications.digestFor(id)).lines.length;
        }
        // The backfill is not lost: it waits in digests and on Home.
        expect(waiting).toBeGreaterThan(0);
      } finally {
        await demo.stop();
        rmSync(dataDir, { recursive: true, force: true });
        if (url) await dropSchemas([schema]);
      }
    },
    180_000,
  );
});
