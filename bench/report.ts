/**
 * The benchmark's arithmetic and rendering: medians, the table with ratios and growth factors, the targets, the SVG
 * chart. Pure functions (tested in test/bench); bench/run.ts measures and calls them.
 */
export const PATHS = ['ours', 'floor', 'yaml', 'pulumi', 'pulumi-floor'] as const;
export type PathName = (typeof PATHS)[number];

export interface Sample { readonly path: PathName; readonly n: number; readonly ms: number; readonly peakRssMb: number; readonly objects: number }
export interface Cell { readonly ms: number; readonly peakRssMb: number; readonly objects: number; readonly samplesMs: number[] }

/** The targets of the benchmark (reported, never asserted in a unit test). */
export const TARGETS = {
  oursOverFloorAt1000: 1.3,
  oursOverYamlAt1000: 2.5,
  growth5000Over1000: 5.5,
  peakMbAt5000: 400,
  pulumiOverOursAt1000: 2,
};

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function fmtMs(ms: number | undefined): string {
  if (ms === undefined) return '-';
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a !== undefined && b !== undefined && b > 0 ? a / b : undefined;
}

function fmtRatio(r: number | undefined): string {
  return r === undefined ? '-' : `${r.toFixed(2)}×`;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r, i) => {
    const line = r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
    return i === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
  }).join('\n');
}

const COLORS: { [p in PathName]: string } = { ours: '#d62728', floor: '#1f77b4', yaml: '#2ca02c', pulumi: '#9467bd', 'pulumi-floor': '#8c564b' };

/** Time against N for each path, both axes logarithmic. */
export function chartSvg(results: Results, sizes: number[], paths: PathName[]): string {
  const W = 720; const H = 440; const L = 70; const R = 150; const T = 30; const B = 50;
  const points = paths.flatMap((p) => sizes.filter((n) => results[p]?.[n]).map((n) => results[p][n].ms));
  const [minN, maxN] = [Math.min(...sizes), Math.max(...sizes)];
  const minT = Math.pow(10, Math.floor(Math.log10(Math.min(...points))));
  const maxT = Math.max(Math.pow(10, Math.ceil(Math.log10(Math.max(...points)))), minT * 10);
  const x = (n: number): number => L + (maxN === minN ? 0 : (Math.log10(n) - Math.log10(minN)) / (Math.log10(maxN) - Math.log10(minN))) * (W - L - R);
  const y = (t: number): number => H - B - (Math.log10(t) - Math.log10(minT)) / (Math.log10(maxT) - Math.log10(minT)) * (H - T - B);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${L}" y="18" font-size="14">platform-blueprints: time against functions (median of runs, log-log)</text>`,
    `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="black"/>`,
    `<line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="black"/>`,
    `<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">functions (N)</text>`,
    `<text x="16" y="${(T + H - B) / 2}" transform="rotate(-90 16 ${(T + H - B) / 2})" text-anchor="middle">time (ms)</text>`,
  ];
  for (const n of sizes) {
    parts.push(`<line x1="${x(n)}" y1="${H - B}" x2="${x(n)}" y2="${H - B + 5}" stroke="black"/>`,
      `<text x="${x(n)}" y="${H - B + 18}" text-anchor="middle">${n}</text>`);
  }
  for (let t = minT; t <= maxT; t *= 10) {
    parts.push(`<line x1="${L}" y1="${y(t)}" x2="${W - R}" y2="${y(t)}" stroke="#ddd"/>`,
      `<text x="${L - 6}" y="${y(t) + 4}" text-anchor="end">${t >= 1000 ? `${t / 1000} s` : `${t} ms`}</text>`);
  }
  paths.forEach((p, i) => {
    const pts = sizes.filter((n) => results[p]?.[n]).map((n) => `${x(n).toFixed(1)},${y(results[p][n].ms).toFixed(1)}`);
    if (!pts.length) return;
    parts.push(`<polyline fill="none" stroke="${COLORS[p]}" stroke-width="2" points="${pts.join(' ')}"/>`);
    for (const pt of pts) parts.push(`<circle cx="${pt.split(',')[0]}" cy="${pt.split(',')[1]}" r="3" fill="${COLORS[p]}"/>`);
    parts.push(`<line x1="${W - R + 15}" y1="${T + 10 + i * 20}" x2="${W - R + 35}" y2="${T + 10 + i * 20}" stroke="${COLORS[p]}" stroke-width="2"/>`,
      `<text x="${W - R + 40}" y="${T + 14 + i * 20}">${p}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}


export type Results = { [path: string]: { [n: string]: Cell } };

/** Median time and peak memory per path and size. */
export function summarize(samples: Sample[], sizes: number[], paths: PathName[]): Results {
  const results: Results = {};
  for (const p of paths) {
    results[p] = {};
    for (const n of sizes) {
      const mine = samples.filter((s) => s.path === p && s.n === n);
      if (!mine.length) continue;
      results[p][n] = {
        ms: median(mine.map((s) => s.ms)), peakRssMb: median(mine.map((s) => s.peakRssMb)), objects: mine[0].objects,
        samplesMs: mine.map((s) => Math.round(s.ms)),
      };
    }
  }
  return results;
}

/** One row per size: absolute figures, the ratios, and the growth from the previous size. */
export function renderTable(results: Results, sizes: number[], paths: PathName[]): string {
  const cell = (p: PathName, n: number): Cell | undefined => results[p]?.[n];
  const rows: string[][] = [[
    'N', 'objects', 'ours', 'floor', 'yaml', 'pulumi', 'pulumi-floor', 'ours MB', 'floor MB', 'pulumi MB',
    'ours/floor', 'ours/yaml', 'pulumi/ours', 'pulumi/p-floor', 'growth ours', 'growth floor',
  ]];
  sizes.forEach((n, i) => {
    const prev = i > 0 ? sizes[i - 1] : undefined;
    const growth = (p: PathName): string => {
      const g = prev === undefined ? undefined : ratio(cell(p, n)?.ms, cell(p, prev)?.ms);
      return g === undefined ? '-' : `${g.toFixed(2)} (N×${n / (prev as number)})`;
    };
    const mb = (p: PathName): string => (cell(p, n) ? `${Math.round((cell(p, n) as Cell).peakRssMb)}` : '-');
    rows.push([
      String(n), String(paths.map((p) => cell(p, n)?.objects).find((o) => o !== undefined) ?? '-'),
      fmtMs(cell('ours', n)?.ms), fmtMs(cell('floor', n)?.ms), fmtMs(cell('yaml', n)?.ms), fmtMs(cell('pulumi', n)?.ms), fmtMs(cell('pulumi-floor', n)?.ms),
      mb('ours'), mb('floor'), mb('pulumi'),
      fmtRatio(ratio(cell('ours', n)?.ms, cell('floor', n)?.ms)), fmtRatio(ratio(cell('ours', n)?.ms, cell('yaml', n)?.ms)),
      fmtRatio(ratio(cell('pulumi', n)?.ms, cell('ours', n)?.ms)), fmtRatio(ratio(cell('pulumi', n)?.ms, cell('pulumi-floor', n)?.ms)),
      growth('ours'), growth('floor'),
    ]);
  });
  return table(rows);
}

export interface TargetCheck {
  readonly target: string;
  readonly value: number;
  readonly limit: number;
  readonly met: boolean;
}

/** The targets whose sizes and paths were measured. */
export function targetChecks(results: Results): TargetCheck[] {
  const ms = (p: PathName, n: number): number | undefined => results[p]?.[n]?.ms;
  const candidates: Array<{ target: string; value: number | undefined; limit: number }> = [
    { target: 'ours/floor at N=1000', value: ratio(ms('ours', 1000), ms('floor', 1000)), limit: TARGETS.oursOverFloorAt1000 },
    { target: 'ours/yaml at N=1000', value: ratio(ms('ours', 1000), ms('yaml', 1000)), limit: TARGETS.oursOverYamlAt1000 },
    { target: 'ours time(5000)/time(1000)', value: ratio(ms('ours', 5000), ms('ours', 1000)), limit: TARGETS.growth5000Over1000 },
    { target: 'ours peak MB at N=5000', value: results.ours?.[5000]?.peakRssMb, limit: TARGETS.peakMbAt5000 },
    { target: 'pulumi/ours at N=1000', value: ratio(ms('pulumi', 1000), ms('ours', 1000)), limit: TARGETS.pulumiOverOursAt1000 },
  ];
  return candidates.filter((c) => c.value !== undefined).map((c) => ({ ...c, value: c.value as number, met: (c.value as number) <= c.limit }));
}
