/**
 * One measurement in its own process (so peak memory is the path's own): `tsx bench/measure.ts <path> <n>`.
 * Prints one JSON line: { path, n, ms, peakRssMb, objects }.
 *
 * Paths:
 *   ours   — build the bundle with the constructs and synthesize it to YAML (`app.synth()`).
 *   floor  — the same objects (taken from our output beforehand, untimed) as bare ApiObjects in one chart, synthesized
 *            the same way: what cdk8s itself costs.
 *   yaml   — the same objects serialized with the `yaml` library and written to a file: no cdk8s at all.
 *   pulumi — the bundle built and registered through the Pulumi bridge under `pulumi.runtime.setMocks`, every object a
 *            resource, until every registration has completed.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { stringify } from 'yaml';
import { buildBenchPlatform } from './scenario';

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'pb-bench-'));
}

/** Our objects, in chart order (untimed input of the floor and yaml paths). */
function referenceObjects(n: number): any[] {
  const app = new App({ outdir: tmpdir() });
  buildBenchPlatform(app, n);
  return app.charts.flatMap((c) => c.toJson());
}

async function run(kind: string, n: number): Promise<{ ms: number; objects: number }> {
  switch (kind) {
    case 'ours': {
      const outdir = tmpdir();
      const start = performance.now();
      const app = new App({ outdir });
      buildBenchPlatform(app, n);
      app.synth();
      const ms = performance.now() - start;
      return { ms, objects: app.charts.reduce((sum, c) => sum + c.node.findAll().filter((x) => x instanceof ApiObject).length, 0) };
    }
    case 'floor': {
      const objects = referenceObjects(n);
      const outdir = tmpdir();
      const start = performance.now();
      const app = new App({ outdir });
      const chart = new Chart(app, 'floor', { disableResourceNameHashes: true });
      objects.forEach((o, i) => new ApiObject(chart, `o${i}`, o));
      app.synth();
      return { ms: performance.now() - start, objects: objects.length };
    }
    case 'yaml': {
      const objects = referenceObjects(n);
      const file = path.join(tmpdir(), 'all.k8s.yaml');
      const start = performance.now();
      fs.writeFileSync(file, objects.map((o) => stringify(o)).join('---\n'));
      return { ms: performance.now() - start, objects: objects.length };
    }
    case 'pulumi': {
      const pulumi = await import('@pulumi/pulumi');
      pulumi.runtime.setMocks({
        newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
        call: (args) => args.inputs,
      }, 'platform-blueprints', 'bench', false);
      // The bridge loads after the mocks are set.
      const { Cdk8sDeployment } = await import('../src/pulumi/bridge');
      const start = performance.now();
      const app = new App({ outdir: tmpdir() });
      buildBenchPlatform(app, n);
      const deployment = new Cdk8sDeployment('bench', { root: app });
      const resources = Object.values(deployment.resources);
      await Promise.all(resources.map((r) => new Promise<void>((resolve) => r.urn.apply((u) => resolve(void u)))));
      return { ms: performance.now() - start, objects: resources.length };
    }
    default:
      throw new Error(`unknown path ${kind}; use ours, floor, yaml or pulumi`);
  }
}

async function main(): Promise<void> {
  const [kind, nText] = process.argv.slice(2);
  const n = Number(nText);
  if (!Number.isInteger(n) || n < 1) throw new Error(`n (${nText}) must be a positive whole number`);
  const { ms, objects } = await run(kind, n);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ path: kind, n, ms, peakRssMb, objects })}\n`);
}

main().catch((e) => {
  process.stderr.write(`${e?.stack ?? e}\n`);
  process.exit(1);
});
