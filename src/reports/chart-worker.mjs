// Chart rendering's own thread: Vega-Lite → SVG (vega, no DOM) → PNG (resvg) is about half a second of
// synchronous work per chart, which on the main thread would hold up Slack acks.
// Plain JavaScript on purpose: worker threads load it as is under tsx, Jest and the compiled build.
import { createRequire } from 'node:module';
import path from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile } from 'vega-lite';

// The font ships with the package (dejavu-fonts-ttf): charts render the same on every machine.
const require = createRequire(import.meta.url);
const FONT_DIR = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => path.join(FONT_DIR, f));

/** One chart: `{ spec, width }` in, PNG bytes out (twice the width, for sharp Slack previews). */
export default async function render({ spec, width }) {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    const png = new Resvg(svg, {
      fitTo: { mode: 'width', value: width * 2 },
      font: { fontFiles: FONT_FILES, loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans' },
    }).render();
    return png.asPng();
  } finally {
    view.finalize();
  }
}
