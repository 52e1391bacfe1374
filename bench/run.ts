/**
 * `npm run bench`: builds platforms of N functions and measures, for each N, every path of bench/measure.ts in its
 * own process, `--reps` times (median). Prints one table with absolute figures, the ratios and the growth factors, and
 * writes bench/out/results.json and bench/out/chart.svg (time against N per path, log-log).
 *
 *   npm run bench                                   # N = 10, 100, 1000, 5000; 5 repetitions
 *   npm run bench -- --sizes 10,100,1000 --reps 5
 *   npm run bench -- --paths ours,floor,yaml        # leave out the Pulumi paths
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PATHS, PathName, Sample, chartSvg, fmtMs, renderTable, summarize, targetChecks } from './report';

if (!__filename.endsWith('.js')) throw new Error('run the benchmark compiled: npm run bench');

function parseArgs(argv: string[]): { sizes: number[]; reps: number; paths: PathName[]; out: string } {
  // Compiled to bench/out/js/bench/run.js: results go to bench/out.
  const opts = { sizes: [10, 100, 1000, 5000], reps: 5, paths: [...PATHS] as PathName[], out: path.resolve(__dirname, '..', '..') };
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
  const result = spawnSync(process.execPath, ['--expose-gc', path.join(__dirname, 'measure.js'), kind, String(n), objectsFile], {
    encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, env: { ...process.env, NODE_OPTIONS: '' },
  });
  if (result.status !== 0) throw new Error(`measure ${kind} ${n} failed (exit ${result.status}):\n${result.stderr}`);
  const line = result.stdout.trim().split('\n').pop() as string;
  return JSON.parse(line);
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

  const results = summarize(samples, sizes, paths);
  console.log('');
  console.log(renderTable(results, sizes, paths));
  const checks = targetChecks(results);
  console.log('');
  for (const c of checks) console.log(`${c.met ? 'meets ' : 'MISSES'} ${c.target}: ${c.value.toFixed(2)} (target <= ${c.limit})`);

  const report = {
    date: new Date().toISOString(), commit: gitCommit(), node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model,
    totalMemoryMb: Math.round(os.totalmem() / 1048576), reps, sizes, paths, results,
    targets: checks,
    durationSeconds: Math.round((Date.now() - started) / 1000),
  };
  fs.writeFileSync(path.join(out, 'results.json'), JSON.stringify(report, null, 2) + '\n');
  fs.writeFileSync(path.join(out, 'chart.svg'), chartSvg(results, sizes, paths));
  console.log(`\nwrote ${path.relative(process.cwd(), path.join(out, 'results.json'))} and ${path.relative(process.cwd(), path.join(out, 'chart.svg'))} ` +
    `(${report.durationSeconds} s)`);
}

main();
