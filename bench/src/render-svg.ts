import { type BenchReport, formatCount, formatCpuUse } from "./report.ts";
import { SUBJECTS } from "./subject-catalog.ts";

/** Okabe-Ito colours (distinguishable with colour-vision deficiencies), in the catalog's order. */
const COLOURS = "#0072B2 #999999 #009E73 #56B4E9 #D55E00 #E69F00 #CC79A7 #F0E442".split(" ");
const colour = (id: string) => COLOURS[SUBJECTS.findIndex((s) => s.id === id) % COLOURS.length];
const WIDTH = 880;
const LABEL_X = 16;
const BAR_X = 250;
const BAR_MAX = 520;
const BAR_H = 18;
const BAR_GAP = 5;
const GROUP_GAP = 22;
const FONT = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";

/** Requests/s, one bar per subject, grouped by route: hand-written SVG, no chart library. */
export function renderSvg({ results, config, machine }: BenchReport): string {
  const caption = `${config.quick ? "SMOKE RUN, not a measurement; " : ""}${config.connections} connections, median of ${config.rounds} round(s) of ${config.durationS} s; ${machine.cpuCount} × ${machine.cpuModel}, Node.js ${machine.node}, ${machine.date.slice(0, 10)}`;
  const max = Math.max(...results.map((r) => r.rps), 1);
  const step = niceStep(max / 5);
  const axisMax = Math.ceil(max / step) * step;
  const x = (rps: number) => BAR_X + (rps / axisMax) * BAR_MAX;
  const body: string[] = [];
  let y = 52;
  for (const path of new Set(results.map((r) => r.route.path))) {
    const group = results.filter((r) => r.route.path === path);
    body.push(
      `<text x="${LABEL_X}" y="${y + 13}" font-weight="600" font-size="14">GET ${esc(path)}</text>`,
    );
    y += 22;
    for (const r of group) {
      const width = Math.max(1, x(r.rps) - BAR_X);
      body.push(
        `<text x="${BAR_X - 8}" y="${y + 13}" text-anchor="end" font-size="12">${esc(r.subject.short)}</text>`,
        `<rect x="${BAR_X}" y="${y}" width="${width.toFixed(1)}" height="${BAR_H}" rx="2" fill="${colour(r.subject.id)}"><title>${esc(`${r.subject.label} ${path}: ${formatCount(r.rps)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, CPU ${formatCpuUse(r.cpuPercent, r.saturated)}`)}</title></rect>`,
        `<text x="${(BAR_X + width + 6).toFixed(1)}" y="${y + 13}" font-size="12">${formatCount(r.rps)}${r.saturated ? "" : " *"}</text>`,
      );
      y += BAR_H + BAR_GAP;
    }
    y += GROUP_GAP - BAR_GAP;
  }
  const top = 40;
  const bottom = y - GROUP_GAP + 8;
  const grid: string[] = [];
  for (let v = 0; v <= axisMax + step / 2; v += step) {
    const gx = x(v).toFixed(1);
    grid.push(
      `<line x1="${gx}" y1="${top}" x2="${gx}" y2="${bottom}" stroke="#8884" stroke-width="1"/>`,
      `<text x="${gx}" y="${bottom + 16}" text-anchor="middle" font-size="11">${formatCount(v)}</text>`,
    );
  }
  const height = bottom + 44;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="title">`,
    `<title id="title">Requests per second by route and subject (higher is better)</title>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<g font-family="${FONT}" fill="#1f2328">`,
    `<text x="${LABEL_X}" y="28" font-size="17" font-weight="700">Requests/s by route (median of rounds, higher is better)</text>`,
    ...grid,
    ...body,
    `<text x="${BAR_X + BAR_MAX / 2}" y="${bottom + 34}" text-anchor="middle" font-size="11">${esc(results.some((r) => !r.saturated) ? `${caption}; * not saturated` : caption)}</text>`,
    "</g>",
    "</svg>",
    "",
  ].join("\n");
}

function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  for (const m of [1, 2, 2.5, 5, 10]) if (raw <= m * power) return m * power;
  return 10 * power;
}

function esc(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}
