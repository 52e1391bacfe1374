/**
 * The benchmark keeps working as features land: every path runs on a tiny platform here (the figures come from
 * `npm run bench`, never from this test), and the report arithmetic is checked on fixed samples.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { run } from '../../bench/measure';
import { PathName, Sample, chartSvg, renderTable, summarize, targetChecks } from '../../bench/report';

describe('benchmark paths (tiny platform)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-bench-test-'));
  const file = path.join(dir, 'objects.json');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('every path handles the same objects as our synth', async () => {
    const ours = await run('ours', 3, undefined);
    const dump = await run('dump', 3, file);
    expect(dump.objects).toBe(ours.objects);
    // 3 functions: Service + NetworkPolicy + Trigger each, plus the platform's fixed objects.
    expect(ours.objects).toBeGreaterThan(9);
    for (const kind of ['floor', 'yaml']) expect((await run(kind, 3, file)).objects).toBe(ours.objects);
  });

  test('the Pulumi paths register every object as a resource', async () => {
    const bare = await run('pulumi-floor', 3, file);
    const bridge = await run('pulumi', 3, undefined);
    const dumped = JSON.parse(fs.readFileSync(file, 'utf8')).length;
    expect(bare.objects).toBe(dumped);
    // The bridge also registers the Redis password as a generated Secret.
    expect(bridge.objects).toBeGreaterThanOrEqual(dumped);
  });

  test('an unknown path is refused', async () => {
    await expect(run('fast', 3, undefined)).rejects.toThrow(/unknown path fast/);
  });
});

describe('benchmark report', () => {
  const samples: Sample[] = [];
  const add = (p: PathName, n: number, ms: number[], mb: number): void => {
    for (const m of ms) samples.push({ path: p, n, ms: m, peakRssMb: mb, objects: n * 3 });
  };
  add('ours', 1000, [1300, 1000, 1100], 200);
  add('floor', 1000, [900, 800, 1000], 190);
  add('yaml', 1000, [500, 500, 500], 150);
  add('ours', 5000, [6000, 5000, 5500], 450);
  add('floor', 5000, [4000, 4000, 4000], 400);
  add('yaml', 5000, [2500, 2500, 2500], 300);
  const paths: PathName[] = ['ours', 'floor', 'yaml'];
  const results = summarize(samples, [1000, 5000], paths);

  test('medians, ratios and growth', () => {
    expect(results.ours[1000]).toMatchObject({ ms: 1100, peakRssMb: 200, samplesMs: [1300, 1000, 1100] });
    const table = renderTable(results, [1000, 5000], paths);
    expect(table).toMatch(/1000 +3000 +1100 ms +900 ms +500 ms/);
    expect(table).toContain('1.22×'); // 1100 / 900
    expect(table).toContain('5.00 (N×5)'); // 5500 / 1100
  });

  test('targets: met and missed, only where measured', () => {
    const checks = targetChecks(results);
    expect(checks.map((c) => [c.target, c.met])).toEqual([
      ['ours/floor at N=1000', true],
      ['ours/yaml at N=1000', true],
      ['ours time(5000)/time(1000)', true],
      ['ours peak MB at N=5000', false],
    ]);
  });

  test('the chart has one line per path, every point inside the plot', () => {
    const svg = chartSvg(results, [1000, 5000], paths);
    expect(svg.match(/<polyline /g)).toHaveLength(3);
    expect(svg).not.toMatch(/NaN|Infinity/);
    for (const [, x, y] of svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"/g)) {
      expect(Number(x)).toBeGreaterThanOrEqual(70);
      expect(Number(y)).toBeLessThanOrEqual(440 - 50);
    }
  });
});
