/**
 * One measurement in its own process (so peak memory is the path's own), run by bench/run.ts from the compiled
 * output: `node bench/out/js/bench/measure.js <path> <n> [objects.json]`.
 * Prints one JSON line: { path, n, ms, peakRssMb, objects }.
 *
 * Paths:
 *   dump         — (untimed preparation) build our bundle and write its objects, in chart order, to objects.json.
 *   ours         — build the bundle with the constructs and synthesize it to YAML (`app.synth()`).
 *   floor        — the objects of objects.json as bare cdk8s ApiObjects in one chart, synthesized the same way: what
 *                  cdk8s itself costs for the same output.
 *   yaml         — the objects of objects.json serialized with the `yaml` library and written to a file: no cdk8s.
 *   pulumi       — the bundle built and registered through the Pulumi bridge (Cdk8sDeployment) under
 *                  `pulumi.runtime.setMocks`, every object a resource, until every registration has completed.
 *   pulumi-floor — the objects of objects.json registered as bare resources (the same classes, no options, no
 *                  ordering) under the same mocks: what the Pulumi SDK itself costs for the same objects.
 * Reading objects.json happens before the clock starts.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { stringify } from 'yaml';
import { buildBenchPlatform } from './scenario';

const created: string[] = [];

/** A scratch directory, removed when the measurement ends. */
function tmpdir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-bench-'));
  created.push(dir);
  return dir;
}

/**
 * Starts the clock after collecting garbage (when the process runs with --expose-gc, as bench/run.ts starts it), so
 * the untimed preparation of a path (reading the objects file) leaves no garbage for the timed part to collect.
 */
function startClock(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return performance.now();
}

function readObjects(file: string | undefined): any[] {
  if (!file) throw new Error('this path needs the objects file written by the dump path');
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

async function pulumiWithMocks(): Promise<typeof import('@pulumi/pulumi')> {
  const pulumi = await import('@pulumi/pulumi');
  await pulumi.runtime.setMocks({
    newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
    call: (args) => args.inputs,
  }, 'platform-blueprints', 'bench', false);
  return pulumi;
}

function allRegistered(resources: Array<{ urn: { apply: (f: (u: string) => void) => unknown } }>): Promise<void> {
  return Promise.all(resources.map((r) => new Promise<void>((resolve) => r.urn.apply(() => resolve())))).then(() => undefined);
}

/** Runs one path and returns its time (ms) and the number of objects it handled. */
export async function run(kind: string, n: number, objectsFile: string | undefined): Promise<{ ms: number; objects: number }> {
  try {
    return await runPath(kind, n, objectsFile);
  } finally {
    for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function runPath(kind: string, n: number, objectsFile: string | undefined): Promise<{ ms: number; objects: number }> {
  switch (kind) {
    case 'dump': {
      const app = new App({ outdir: tmpdir() });
      buildBenchPlatform(app, n);
      const objects = app.charts.flatMap((c) => c.toJson());
      fs.writeFileSync(objectsFile ?? path.join(tmpdir(), 'objects.json'), JSON.stringify(objects));
      return { ms: 0, objects: objects.length };
    }
    case 'ours': {
      const outdir = tmpdir();
      const start = startClock();
      const app = new App({ outdir });
      buildBenchPlatform(app, n);
      app.synth();
      const ms = performance.now() - start;
      return { ms, objects: app.node.findAll().filter((x) => x instanceof ApiObject).length };
    }
    case 'floor': {
      const objects = readObjects(objectsFile);
      const outdir = tmpdir();
      const start = startClock();
      const app = new App({ outdir });
      const chart = new Chart(app, 'floor', { disableResourceNameHashes: true });
      objects.forEach((o, i) => new ApiObject(chart, `o${i}`, o));
      app.synth();
      return { ms: performance.now() - start, objects: objects.length };
    }
    case 'yaml': {
      const objects = readObjects(objectsFile);
      const file = path.join(tmpdir(), 'all.k8s.yaml');
      const start = startClock();
      fs.writeFileSync(file, objects.map((o) => stringify(o)).join('---\n'));
      return { ms: performance.now() - start, objects: objects.length };
    }
    case 'pulumi': {
      await pulumiWithMocks();
      // The bridge loads after the mocks are set.
      const { Cdk8sDeployment } = await import('../src/pulumi/bridge');
      const start = startClock();
      const app = new App({ outdir: tmpdir() });
      buildBenchPlatform(app, n);
      const deployment = new Cdk8sDeployment('bench', { root: app });
      const resources = Object.values(deployment.resources);
      await allRegistered(resources);
      return { ms: performance.now() - start, objects: resources.length };
    }
    case 'pulumi-floor': {
      const objects = readObjects(objectsFile);
      await pulumiWithMocks();
      const k8s = await import('@pulumi/kubernetes');
      const { builtinClass } = await import('../src/pulumi/bridge');
      const start = startClock();
      const resources = objects.map((o) => {
        const name = `bench/${o.metadata.namespace ?? ''}/${o.metadata.name}/${o.kind}`;
        const cls = builtinClass(o.apiVersion, o.kind);
        return cls ? new cls(name, o) : new k8s.apiextensions.CustomResource(name, o);
      });
      await allRegistered(resources);
      return { ms: performance.now() - start, objects: resources.length };
    }
    default:
      throw new Error(`unknown path ${kind}; use dump, ours, floor, yaml, pulumi or pulumi-floor`);
  }
}

async function main(): Promise<void> {
  const [kind, nText, objectsFile] = process.argv.slice(2);
  const n = Number(nText);
  if (!Number.isInteger(n) || n < 1) throw new Error(`n (${nText}) must be a positive whole number`);
  const { ms, objects } = await run(kind, n, objectsFile);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ path: kind, n, ms, peakRssMb, objects })}\n`);
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`${e?.stack ?? e}\n`);
    process.exit(1);
  });
}
