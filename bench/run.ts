/**
 * `npm run bench`: builds platforms of N functions and measures, for each N, every path of bench/measure.ts in its
 * own process, `--reps` times (median). Prints one table with absolute figures, the ratios and the growth factors, and
 * writes bench/out/results.json and bench/out/chart.svg (time against N per path, log-log).
 *
 *   npm run bench                                   # N = 10, 100, 1000, 5000; 3 repetitions
 *   npm run bench -- --sizes 10,100,1000 --reps 5
 *   npm run bench -- --paths ours,floor,yaml        # leave out the Pulumi paths
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

if (!__filename.endsWith('.js')) throw new Error('run the benchmark compiled: npm run bench');

const PATHS = ['ours', 'floor', 'yaml', 'pulumi', 'pulumi-floor'] as const;
type PathName = (typeof PATHS)[number];

interface Sample { readonly path: PathName; readonly n: number; readonly ms: number; readonly peakRssMb: number; readonly objects: number }
interface Cell { readonly ms: number; readonly peakRssMb: number; readonly objects: number; readonly samplesMs: number[] }

/** The targets of the benchmark (reported, never asserted in a unit test). */
const TARGETS = {
  oursOverFloorAt1000: 1.3,
  oursOverYamlAt1000: 2.5,
  growth5000Over1000: 5.5,
  peakMbAt5000: 400,
  pulumiOverOursAt1000: 2,
};

function parseArgs(argv: string[]): { sizes: number[]; reps: number; paths: PathName[]; out: string } {
  // Compiled to bench/out/js/bench/run.js: results go to bench/out.
  const opts = { sizes: [10, 100, 1000, 5000], reps: 3, paths: [...PATHS] as PathName[], out: path.resolve(__dirname, '..', '..') };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--sizes') opts.sizes = value.split(',').map(Number);
    else if (flag === '--reps') opts.reps = Number(value);
    else if (flag === '--paths') opts.paths = value.split(',') as PathName[];
    else if (flag === '--out') opts.out = path.resolve(value);
    else throw new Error(`unknown option ${flag}; use --sizes 10,100 --reps 3 --paths ours,floor,yaml,pulumi,pulumi-floor --out dir`);
    i++;
  }
  if (opts.sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--sizes (${argv.join(' ')}) must be positive whole numbers`);
  if (!Number.isInteger(opts.reps) || opts.reps < 1) throw new Error(`--reps (${opts.reps}) must be a positive whole number`);
  const unknown = opts.paths.find((p) => !PATHS.includes(p));
  if (unknown) throw new Error(`--paths names "${unknown}"; use ${PATHS.join(', ')}`);
  return opts;
}

/**
 * One measurement in a fresh Node process. The benchmark runs the library compiled by tsc (`npm run bench` compiles
 * constructs/, src/ and bench/ into bench/out/js first), as users of the published package run it: no on-the-fly
 * transpiler, no source-map rewriting of stack traces (which the Pulumi SDK takes for every resource).
 */
function measure(kind: string, n: number, objectsFile: string): Sample {
  const result = spawnSync(process.execPath, [path.join(__dirname, 'measure.js'), kind, String(n), objectsFile], {
    encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, env: { ...process.env, NODE_OPTIONS: '' },
  });
  if (result.status !== 0) throw new Error(`measure ${kind} ${n} failed (exit ${result.status}):\n${result.stderr}`);
  const line = result.stdout.trim().split('\n').pop() as string;
  return JSON.parse(line);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function fmtMs(ms: number | undefined): string {
  if (ms === undefined) return '-';
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

function ratio(a: number | undefined, b: number | undefined): number | undefined {
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
function chartSvg(results: { [p: string]: { [n: string]: Cell } }, sizes: number[], paths: PathName[]): string {
  const W = 720; const H = 440; const L = 70; const R = 150; const T = 30; const B = 50;
  const points = paths.flatMap((p) => sizes.filter((n) => results[p]?.[n]).map((n) => results[p][n].ms));
  const [minN, maxN] = [Math.min(...sizes), Math.max(...sizes)];
  const minT = Math.pow(10, Math.floor(Math.log10(Math.min(...points))));
  const maxT = Math.pow(10, Math.ceil(Math.log10(Math.max(...points))));
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

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: __dirname, encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

function main(): void {
  const { sizes, reps, paths, out } = parseArgs(process.argv.slice(2));
  fs.mkdirSync(out, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-bench-run-'));
  const started = Date.now();
  const samples: Sample[] = [];
  console.log(`platform-blueprints benchmark: N = ${sizes.join(', ')}; ${reps} runs per path, each in its own process; ` +
    `${os.cpus().length} CPUs, Node ${process.version}`);
  try {
    for (const n of sizes) {
      const objectsFile = path.join(work, `objects-${n}.json`);
      measure('dump', n, objectsFile);
      // Paths interleaved per repetition, so a slow moment of the machine does not hit one path only.
      for (let r = 0; r < reps; r++) {
        for (const p of paths) {
          const s = measure(p, n, objectsFile);
          samples.push(s);
          process.stdout.write(`  N=${n} ${p} run ${r + 1}: ${fmtMs(s.ms)}, ${Math.round(s.peakRssMb)} MB\n`);
        }
      }
      fs.rmSync(objectsFile, { force: true });
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }

  const results: { [p: string]: { [n: string]: Cell } } = {};
  for (const p of paths) {
    results[p] = {};
    for (const n of sizes) {
      const mine = samples.filter((s) => s.path === p && s.n === n);
      results[p][n] = { ms: median(mine.map((s) => s.ms)), peakRssMb: median(mine.map((s) => s.peakRssMb)), objects: mine[0].objects, samplesMs: mine.map((s) => Math.round(s.ms)) };
    }
  }
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
      String(n), String(cell('ours', n)?.objects ?? cell(paths[0], n)?.objects ?? '-'),
      fmtMs(cell('ours', n)?.ms), fmtMs(cell('floor', n)?.ms), fmtMs(cell('yaml', n)?.ms), fmtMs(cell('pulumi', n)?.ms), fmtMs(cell('pulumi-floor', n)?.ms),
      mb('ours'), mb('floor'), mb('pulumi'),
      fmtRatio(ratio(cell('ours', n)?.ms, cell('floor', n)?.ms)), fmtRatio(ratio(cell('ours', n)?.ms, cell('yaml', n)?.ms)),
      fmtRatio(ratio(cell('pulumi', n)?.ms, cell('ours', n)?.ms)), fmtRatio(ratio(cell('pulumi', n)?.ms, cell('pulumi-floor', n)?.ms)),
      growth('ours'), growth('floor'),
    ]);
  });
  console.log('');
  console.log(table(rows));

  // The targets, where the sizes they are about were measured.
  const checks: Array<{ target: string; value: number | undefined; limit: number }> = [
    { target: 'ours/floor at N=1000', value: ratio(cell('ours', 1000)?.ms, cell('floor', 1000)?.ms), limit: TARGETS.oursOverFloorAt1000 },
    { target: 'ours/yaml at N=1000', value: ratio(cell('ours', 1000)?.ms, cell('yaml', 1000)?.ms), limit: TARGETS.oursOverYamlAt1000 },
    { target: 'ours time(5000)/time(1000)', value: ratio(cell('ours', 5000)?.ms, cell('ours', 1000)?.ms), limit: TARGETS.growth5000Over1000 },
    { target: 'ours peak MB at N=5000', value: cell('ours', 5000)?.peakRssMb, limit: TARGETS.peakMbAt5000 },
    { target: 'pulumi/ours at N=1000', value: ratio(cell('pulumi', 1000)?.ms, cell('ours', 1000)?.ms), limit: TARGETS.pulumiOverOursAt1000 },
  ];
  console.log('');
  for (const c of checks) {
    if (c.value === undefined) continue;
    console.log(`${c.value <= c.limit ? 'meets ' : 'MISSES'} ${c.target}: ${c.value.toFixed(2)} (target <= ${c.limit})`);
  }

  const report = {
    date: new Date().toISOString(), commit: gitCommit(), node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model,
    totalMemoryMb: Math.round(os.totalmem() / 1048576), reps, sizes, paths, results,
    targets: checks.filter((c) => c.value !== undefined).map((c) => ({ ...c, met: (c.value as number) <= c.limit })),
    durationSeconds: Math.round((Date.now() - started) / 1000),
  };
  fs.writeFileSync(path.join(out, 'results.json'), JSON.stringify(report, null, 2) + '\n');
  fs.writeFileSync(path.join(out, 'chart.svg'), chartSvg(results, sizes, paths));
  console.log(`\nwrote ${path.relative(process.cwd(), path.join(out, 'results.json'))} and ${path.relative(process.cwd(), path.join(out, 'chart.svg'))} ` +
    `(${report.durationSeconds} s)`);
}

main();
