import { doraSyntax, sprintSyntax } from '../../src/reports/args.js';
import {
  bandHistorySpec,
  burndownSpec,
  CHART_HEIGHT,
  CHART_WIDTH,
  doraTrendSpec,
  renderPng,
  stopChartRenderer,
} from '../../src/reports/charts.js';
import { doraCommand, sprintCommand } from '../../src/reports/listeners.js';
import { deployment, hoursBefore, pr } from '../support/fixtures.js';
import { type BotHarness, startBotHarness, visibleText } from '../support/slack/harness.js';

/** Width and height from a PNG's IHDR chunk (after the 8-byte signature and the chunk's length and type). */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(png.subarray(12, 16).toString()).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('charts render to PNG with the bundled font', () => {
  afterAll(() => stopChartRenderer());
  test('DORA trend and burndown are valid PNGs at twice the chart size', async () => {
    const trend = await renderPng(
      doraTrendSpec([
        { week: '2026-11-02', deployments: 4, leadTimeHours: 20 },
        { week: '2026-11-09', deployments: 6, leadTimeHours: 31.5 },
        { week: '2026-11-16', deployments: 0, leadTimeHours: null },
      ]),
    );
    expect(pngSize(trend)).toEqual({ width: CHART_WIDTH * 2, height: CHART_HEIGHT * 2 });
    const burndown = await renderPng(
      burndownSpec('Sprint 7', [
        { day: '11-20', series: 'ideal', points: 20 },
        { day: '11-20', series: 'remaining', points: 20 },
        { day: '11-21', series: 'ideal', points: 10 },
        { day: '11-21', series: 'remaining', points: 16 },
      ]),
    );
    expect(pngSize(burndown)).toEqual({ width: CHART_WIDTH * 2, height: CHART_HEIGHT * 2 });
    const bands = await renderPng(
      bandHistorySpec([
        { week: '2026-11-18', key: 'Lead time', band: 'high' },
        { week: '2026-11-25', key: 'Lead time', band: 'elite' },
        { week: '2026-11-25', key: 'Recovery', band: 'no data' },
      ]),
    );
    expect(pngSize(bands)).toEqual({ width: CHART_WIDTH * 2, height: CHART_HEIGHT * 2 });
    // Same input, same bytes: nothing depends on the machine's fonts.
    expect(await renderPng(burndownSpec('Sprint 7', []))).toEqual(await renderPng(burndownSpec('Sprint 7', [])));
  });
});

describe('/em dora and /em sprint upload their charts (emulated Slack)', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness({
      register: (commands) =>
        commands
          .registerOwn(doraSyntax, doraCommand({ bandSet: '2023', timezone: 'UTC' }))
          .registerOwn(sprintSyntax, sprintCommand()),
    });
    // The commands look back from the real clock; the fixtures count hours back from their fixed NOW.
    const now = Date.now();
    const ago = (hours: number) => hours + (Date.parse(hoursBefore(0)) - now) / 3_600_000;
    for (const [n, h1] of [
      [1, 200],
      [2, 100],
      [3, 30],
    ] as const) {
      await pr(h.db, { number: n, ageHours: ago(h1 + 20), mergedHoursAgo: ago(h1), state: 'merged' });
      await deployment(h.db, 'acme/api', `d${n}`, ago(h1 - 2));
    }
  });
  afterAll(() => h.stop());

  test('the DORA report ends with the uploaded trend and band-history charts', async () => {
    await h.emulator.command({ user: h.users.alice, channel: h.channels.eng, text: 'dora 14d' });
    const shown = await h.emulator.waitFor(() =>
      h.emulator.ephemeralsFor(h.users.alice).find((e) => visibleText(e).includes('DORA four keys')),
    );
    const images = (shown.blocks as { type: string; slack_file?: { id: string } }[]).filter((b) => b.type === 'image');
    expect(images).toHaveLength(2);
    for (const image of images) {
      const file = h.emulator.workspace.files.get(image.slack_file?.id ?? '');
      expect(file?.completed).toBe(true);
      expect(pngSize(file?.bytes as Buffer).width).toBe(CHART_WIDTH * 2);
    }
  });

  test('without an active sprint there is no chart, just the plain answer', async () => {
    await h.emulator.command({ user: h.users.bob, channel: h.channels.eng, text: 'sprint' });
    const shown = await h.emulator.waitFor(() =>
      h.emulator.ephemeralsFor(h.users.bob).find((e) => visibleText(e).includes('No active sprint')),
    );
    expect(JSON.stringify(shown.blocks)).not.toContain('slack_file');
  });
});
