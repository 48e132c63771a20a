import fs from 'node:fs';
import path from 'node:path';
import type { TrendPoint } from './digest';

const WIDTH = 640;
const HEIGHT = 320;
const MARGIN = { top: 64, right: 20, bottom: 44, left: 48 };
/** Rendered at twice the drawing size so it stays sharp on high-density screens. */
const ZOOM = 2;

const SERIES = [
  { key: 'picked', label: 'Picked', color: '#4A6FE3' },
  { key: 'reached', label: 'Reached', color: '#2EB67D' },
  { key: 'advocates', label: 'Advocates', color: '#ECB22E' },
] as const;

// The one family Pickup ships (assets/fonts): the chart must not depend on what the machine has installed.
const FONT_FAMILY = 'DejaVu Sans';
const FONT = `font-family="${FONT_FAMILY}"`;
const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'];

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Nov 16" for a YYYY-MM-DD label; anything else as given. */
function shortDate(label: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(label);
  if (!m) return label;
  return `${MONTHS[Number(m[2]) - 1] ?? m[2]} ${Number(m[3])}`;
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A round axis maximum at or above `max`, so gridlines fall on whole numbers. */
function axisMax(max: number): number {
  if (max <= 4) return 4;
  const step = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * step >= max) return Math.ceil((m * step) / 4) * 4;
  return Math.ceil(max / 4) * 4;
}

/** The trend as an SVG grouped bar chart: one group per week, bars for picked, reached and advocates. Pure. */
export function buildTrendSvg(trend: readonly TrendPoint[], title = 'Pickup, week by week'): string {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const top = axisMax(Math.max(0, ...trend.flatMap((t) => [t.picked, t.reached, t.advocates])));
  const y = (v: number) => MARGIN.top + plotH - (v / top) * plotH;
  const groupW = plotW / Math.max(1, trend.length);
  const barW = Math.min(36, (groupW * 0.7) / SERIES.length);

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${MARGIN.left}" y="26" ${FONT} font-size="16" font-weight="bold" fill="#1d1c1d">${xml(title)}</text>`,
  ];
  SERIES.forEach((s, i) => {
    const x = MARGIN.left + i * 110;
    parts.push(
      `<rect x="${x}" y="38" width="12" height="12" fill="${s.color}"/>`,
      `<text x="${x + 18}" y="49" ${FONT} font-size="12" fill="#1d1c1d">${s.label}</text>`,
    );
  });
  for (let g = 0; g <= 4; g++) {
    const v = (top / 4) * g;
    const gy = y(v);
    parts.push(
      `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${gy}" y2="${gy}" stroke="${g === 0 ? '#616061' : '#dddddd'}" stroke-width="1"/>`,
      `<text x="${MARGIN.left - 8}" y="${gy + 4}" ${FONT} font-size="11" fill="#616061" text-anchor="end">${v}</text>`,
    );
  }
  trend.forEach((t, gi) => {
    const groupX = MARGIN.left + gi * groupW;
    const barsX = groupX + (groupW - barW * SERIES.length) / 2;
    SERIES.forEach((s, si) => {
      const v = t[s.key];
      const bx = barsX + si * barW;
      const by = y(v);
      // A zero still gets a hairline, so an empty week reads as "none" rather than "missing".
      parts.push(
        `<rect x="${bx + 1}" y="${Math.min(by, y(0) - 1)}" width="${barW - 2}" height="${Math.max(1, y(0) - by)}" fill="${s.color}"/>`,
        `<text x="${bx + barW / 2}" y="${Math.min(by, y(0) - 1) - 4}" ${FONT} font-size="11" fill="#1d1c1d" text-anchor="middle">${v}</text>`,
      );
    });
    parts.push(
      `<text x="${groupX + groupW / 2}" y="${HEIGHT - MARGIN.bottom + 20}" ${FONT} font-size="12" fill="#1d1c1d" text-anchor="middle">${xml(`Week of ${shortDate(t.label)}`)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** The PNG's pixel size, for callers that describe it. */
export const CHART_SIZE = { width: WIDTH * ZOOM, height: HEIGHT * ZOOM } as const;

/**
 * The shipped font files, found by walking up from `from` to the directory that holds assets/fonts: the same code
 * runs from src/digest (Jest) and from dist/src/digest (the build, the Docker image). Throws when they are missing,
 * since a chart without its font has no text at all.
 */
export function chartFontFiles(from = __dirname): string[] {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const files = FONT_FILES.map((name) => path.join(dir, 'assets', 'fonts', name));
    if (files.every((f) => fs.existsSync(f))) return files;
    if (path.dirname(dir) === dir) {
      throw new Error(`The chart fonts (assets/fonts/${FONT_FILES.join(', ')}) are missing above ${from}`);
    }
  }
}

/** resvg's options for the chart: the shipped fonts only, never the machine's, so it looks the same everywhere. */
export function chartRenderOptions(fontFiles: readonly string[] = chartFontFiles()) {
  return {
    fitTo: { mode: 'zoom', value: ZOOM } as const,
    font: {
      fontFiles: [...fontFiles],
      loadSystemFonts: false,
      defaultFontFamily: FONT_FAMILY,
      sansSerifFamily: FONT_FAMILY,
    },
    logLevel: 'off' as const,
  };
}

/**
 * The trend chart as a PNG, rendered in process by resvg with the fonts Pickup ships. The native binding is loaded
 * on first use, so a machine without it fails here (and the digest goes out without its picture) rather than
 * failing to start.
 */
export async function renderTrendChart(trend: readonly TrendPoint[], title?: string): Promise<Buffer> {
  const { Resvg } = await import('@resvg/resvg-js');
  return new Resvg(buildTrendSvg(trend, title), chartRenderOptions()).render().asPng();
}
