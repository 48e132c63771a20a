import { buildTrendSvg, CHART_SIZE, renderTrendChart } from '../../src/digest/digest.chart';

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
    // Text is drawn with the machine's fonts, bars in three colours: far more than a blank image.
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
