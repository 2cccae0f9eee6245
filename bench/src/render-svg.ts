import { formatCount, formatCpuUse } from "./format.ts";
import type { RouteResult } from "./load-rounds.ts";
import { type BenchRoute, SUBJECTS, type SubjectId } from "./subject-catalog.ts";

/** Okabe-Ito colours: distinguishable with the common colour-vision deficiencies. */
const COLOURS: Record<SubjectId, string> = {
  api: "#0072B2",
  "bare-http": "#999999",
  "fastify-tuned": "#009E73",
  "fastify-documented": "#56B4E9",
  "hono-jwk": "#D55E00",
  "express-peer": "#E69F00",
  "naive-trpc": "#CC79A7",
};
const LEGEND_PER_ROW = 4;
const LEGEND_ROW_H = 20;

const ROUTE_ORDER: readonly BenchRoute["path"][] = [
  "/trpc/protected",
  "/trpc/public",
  "/protected",
  "/public",
];

const WIDTH = 880;
const LABEL_X = 16;
const BAR_X = 250;
const BAR_MAX = 520;
const BAR_H = 18;
const BAR_GAP = 5;
const GROUP_GAP = 22;
const FONT = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";

/**
 * Requests/s per route, one bar per subject, grouped by route, protected routes first: a
 * hand-written SVG (no chart library), readable on GitHub's light and dark themes.
 */
export function renderSvg(results: readonly RouteResult[], caption: string): string {
  const max = Math.max(...results.map((r) => r.rps), 1);
  const step = niceStep(max / 5);
  const axisMax = Math.ceil(max / step) * step;
  const x = (rps: number) => BAR_X + (rps / axisMax) * BAR_MAX;
  const body: string[] = [];
  const legendShift = (Math.ceil(SUBJECTS.length / LEGEND_PER_ROW) - 1) * LEGEND_ROW_H;
  let y = 92 + legendShift;
  for (const path of ROUTE_ORDER) {
    const group = SUBJECTS.flatMap((s) =>
      results.filter((r) => r.subject === s.id && r.route.path === path),
    );
    if (group.length === 0) continue;
    body.push(
      `<text x="${LABEL_X}" y="${y + 13}" font-weight="600" font-size="14">GET ${esc(path)}</text>`,
    );
    y += 22;
    for (const r of group) {
      const width = Math.max(1, x(r.rps) - BAR_X);
      body.push(
        `<text x="${BAR_X - 8}" y="${y + 13}" text-anchor="end" font-size="12">${esc(shortLabel(r.subject))}</text>`,
        `<rect x="${BAR_X}" y="${y}" width="${width.toFixed(1)}" height="${BAR_H}" rx="2" fill="${COLOURS[r.subject]}"><title>${esc(`${r.label} ${path}: ${formatCount(r.rps)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, CPU ${formatCpuUse(r.cpuPercent, r.saturated)}`)}</title></rect>`,
        `<text x="${(BAR_X + width + 6).toFixed(1)}" y="${y + 13}" font-size="12">${formatCount(r.rps)}${r.saturated ? "" : " *"}</text>`,
      );
      y += BAR_H + BAR_GAP;
    }
    y += GROUP_GAP - BAR_GAP;
  }
  const top = 78 + legendShift;
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
  const legend = SUBJECTS.map((s, i) => {
    const lx = LABEL_X + (i % LEGEND_PER_ROW) * 215;
    const ly = 50 + Math.floor(i / LEGEND_PER_ROW) * LEGEND_ROW_H;
    return `<rect x="${lx}" y="${ly}" width="12" height="12" rx="2" fill="${COLOURS[s.id]}"/><text x="${lx + 18}" y="${ly + 10}" font-size="12">${esc(shortLabel(s.id))}</text>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="title">`,
    `<title id="title">Requests per second by route and subject (higher is better)</title>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<g font-family="${FONT}" fill="#1f2328">`,
    `<text x="${LABEL_X}" y="28" font-size="17" font-weight="700">Requests/s by route (median of rounds, higher is better)</text>`,
    ...legend,
    ...grid,
    ...body,
    `<text x="${BAR_X + BAR_MAX / 2}" y="${bottom + 34}" text-anchor="middle" font-size="11">${esc(results.some((r) => !r.saturated) ? `${caption}; * not saturated` : caption)}</text>`,
    "</g>",
    "</svg>",
    "",
  ].join("\n");
}

function shortLabel(id: SubjectId): string {
  switch (id) {
    case "api":
      return "this api";
    case "bare-http":
      return "bare node:http (no auth)";
    case "fastify-tuned":
      return "Fastify + jwt, tuned";
    case "fastify-documented":
      return "Fastify + jwt, as documented";
    case "hono-jwk":
      return "Hono + hono/jwk";
    case "express-peer":
      return "Express + oauth2-jwt-bearer";
    case "naive-trpc":
      return "naive tRPC + jwtVerify";
  }
}

function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  for (const m of [1, 2, 2.5, 5, 10]) if (raw <= m * power) return m * power;
  return 10 * power;
}

function esc(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}
