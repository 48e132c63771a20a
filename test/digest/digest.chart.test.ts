import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import {
  buildTrendSvg,
  CHART_SIZE,
  chartFontFiles,
  chartRenderOptions,
  renderTrendChart,
} from '../../src/digest/digest.chart';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const TREND = [
  { label: '2026-10-26', picked: 5, reached: 3, advocates: 1 },
  { label: '2026-11-02', picked: 4, reached: 2, advocates: 0 },
  { label: '2026-11-09', picked: 0, reached: 0, advocates: 0 },
  { label: '2026-11-16', picked: 12, reached: 7, advocates: 2 },
];

/** Width and height from a PNG's IHDR chunk, which must come first. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('the trend chart', () => {
  it('renders a PNG of plausible size', async () => {
    const png = await renderTrendChart(TREND);
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(pngSize(png)).toEqual(CHART_SIZE);
    expect(CHART_SIZE).toEqual({ width: 1280, height: 640 });
    // Text drawn with the shipped font, bars in three colours: far more than a blank image.
    expect(png.length).toBeGreaterThan(5_000);
  });

  it('draws 4 groups of 3 bars with week labels and values, escaping its title', () => {
    const svg = buildTrendSvg(TREND, 'Weeks <&> "to" Nov 22');
    expect(svg.match(/<rect [^>]*fill="#4A6FE3"\/>/g)).toHaveLength(5); // 4 bars + the legend swatch
    expect(svg.match(/<rect [^>]*fill="#2EB67D"\/>/g)).toHaveLength(5);
    expect(svg.match(/<rect [^>]*fill="#ECB22E"\/>/g)).toHaveLength(5);
    for (const label of ['Week of Oct 26', 'Week of Nov 2', 'Week of Nov 9', 'Week of Nov 16']) {
      expect(svg).toContain(`>${label}</text>`);
    }
    expect(svg).toContain('>12</text>');
    expect(svg).toContain('Weeks &lt;&amp;&gt; &quot;to&quot; Nov 22');
  });

  it('renders an all-zero trend too', async () => {
    const png = await renderTrendChart(TREND.map((t) => ({ ...t, picked: 0, reached: 0, advocates: 0 })));
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  });
});

const REPO_ROOT = path.resolve(__dirname, '../..');
const TEXT_COLOUR = [0x1d, 0x1c, 0x1d];

/** Raw RGBA pixels of the trend chart rendered with the given font options. */
function pixels(
  font: ReturnType<typeof chartRenderOptions>['font'] | { fontFiles: string[]; loadSystemFonts: boolean },
) {
  return new Resvg(buildTrendSvg(TREND), { ...chartRenderOptions(), font }).render().pixels;
}

/** Pixels painted in the chart's text colour (legend, labels, values): the axis and bars use other colours. */
function textPixels(rgba: Buffer): number {
  let n = 0;
  for (let i = 0; i < rgba.length; i += 4) {
    if (rgba[i] === TEXT_COLOUR[0] && rgba[i + 1] === TEXT_COLOUR[1] && rgba[i + 2] === TEXT_COLOUR[2]) n++;
  }
  return n;
}

describe('the chart font', () => {
  it('ships with Pickup and is found from the sources (Jest) and from the build (dist/)', () => {
    const expected = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => path.join(REPO_ROOT, 'assets/fonts', f));
    expect(chartFontFiles()).toEqual(expected);
    expect(chartFontFiles(path.join(REPO_ROOT, 'dist/src/digest'))).toEqual(expected);
    expect(() => chartFontFiles('/')).toThrow(/chart fonts .* are missing/);
  });

  it("is the only font the chart uses: the machine's fonts are never loaded", () => {
    const { font } = chartRenderOptions();
    expect(font.loadSystemFonts).toBe(false);
    expect(font.fontFiles).toEqual(chartFontFiles());
  });

  it('puts text on the chart, which has none without a font', () => {
    const withFont = pixels(chartRenderOptions().font);
    const withoutFont = pixels({ fontFiles: [], loadSystemFonts: false });
    expect(withFont.length).toBe(withoutFont.length);
    let differing = 0;
    for (let i = 0; i < withFont.length; i += 4)
      if (withFont.readUInt32BE(i) !== withoutFont.readUInt32BE(i)) differing++;
    // The title, legend, axis values, bar values and week labels: over ten thousand pixels at this size.
    expect(differing).toBeGreaterThan(10_000);
    expect(textPixels(withoutFont)).toBe(0);
    expect(textPixels(withFont)).toBeGreaterThan(1_000);
  });
});

// A machine with no fonts at all (a slim container image): a private mount namespace with empty directories over
// the places resvg looks for system fonts, and a HOME without any. Needs `unshare` and user namespaces (Linux; CI
// has both, and the probe below says so when a machine does not).
const FONT_DIRS = ['/usr/share/fonts', '/usr/local/share/fonts'];
const RENDER_IN_CHILD = `
const { Resvg } = require(${JSON.stringify(require.resolve('@resvg/resvg-js'))});
const { svg, options } = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
process.stdout.write(new Resvg(svg, options).render().asPng().toString('base64'));`;

/** Renders in a child process that sees no system fonts; `error` when the namespace could not be made. */
function renderWithoutSystemFonts(svg: string, options: object): { png?: Buffer; error?: string } {
  const mounts = FONT_DIRS.map((d) => `if [ -d ${d} ]; then mount -t tmpfs none ${d}; fi`).join('; ');
  const r = spawnSync(
    'unshare',
    [
      ...['--user', '--map-root-user', '--mount', '--propagation', 'private'],
      ...['sh', '-c', `${mounts} && exec "$0" -e "$1"`, process.execPath, RENDER_IN_CHILD],
    ],
    {
      input: JSON.stringify({ svg, options }),
      env: { PATH: process.env.PATH, HOME: '/nonexistent' },
      encoding: 'utf8',
      timeout: 20_000,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  if (r.status !== 0) return { error: `${r.error?.message ?? ''} ${r.stderr ?? ''}`.trim() };
  return { png: Buffer.from(r.stdout, 'base64') };
}

const probe = renderWithoutSystemFonts('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>', {});
const bareIt = probe.png ? it : it.skip;
if (probe.error) console.log(`Skipping the font-less machine test: this machine cannot make one (${probe.error})`);

describe('the chart on a machine without fonts', () => {
  bareIt('looks exactly as it does here, while system fonts alone would leave it without text', async () => {
    const svg = buildTrendSvg(TREND);
    const here = await renderTrendChart(TREND);
    const bare = renderWithoutSystemFonts(svg, chartRenderOptions());
    expect(bare.error).toBeUndefined();
    expect(bare.png?.equals(here)).toBe(true);
    // The control: the same bare machine with only its own fonts draws no text, so it truly has none.
    const systemOnly = renderWithoutSystemFonts(svg, { ...chartRenderOptions(), font: { loadSystemFonts: true } });
    const noText = new Resvg(svg, { ...chartRenderOptions(), font: { fontFiles: [], loadSystemFonts: false } });
    expect(systemOnly.png?.equals(noText.render().asPng())).toBe(true);
    expect(systemOnly.png?.equals(here)).toBe(false);
  });
});
