/**
 * The reference Promises end to end, without a Kratix controller: each Promise in dist/ is fulfilled by the shipped
 * pipeline (the `platform-blueprints kratix-pipeline` bin, as a process) on its own example request, and by
 * `runPipeline` on requests generated from the Promise's own API schema (property-based): every run either writes
 * strictly valid, policy-clean output or refuses in status.yaml with nothing written.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Yaml } from 'cdk8s';
import * as fc from 'fast-check';
import { parse, parseAllDocuments } from 'yaml';
import { KratixPromise, PlatformApi } from '../../constructs';
import { PlatformPolicy } from '../../constructs/policy/policy';
import { SchemaValidator } from '../../scripts/lib/schema-validator';
import { runPipeline } from '../../src/kratix/pipeline';
import { PIPELINE_SPECS } from '../../src/kratix/specs';
import { buildReferencePlatform } from '../../src/reference-platform';
import { applySchemaDefaults } from '../../constructs/kratix/defaults';
import { request } from '../support/schema-requests';

const ROOT = path.join(__dirname, '..', '..');
const TSX = require.resolve('tsx/cli');
const CLI = path.join(ROOT, 'src', 'cli.ts');

const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'pb-promises-')) });
const reference = buildReferencePlatform(app);
const promises = reference.promises;
// The Promises' APIs, and the platform APIs (a claimed store's KeyValueStore claim is checked against its XRD).
const platformApis = app.node.findAll().filter((c): c is PlatformApi => c instanceof PlatformApi).flatMap((a) => a.impliedCrds());
const validator = SchemaValidator.load()
  .withCustomResourceDefinitions([...promises.map((p) => p.resource.toJson().spec.api), ...platformApis], 'Kratix Promise and platform APIs');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-promise-runs-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** A Kratix folder holding the request. */
function kratixDir(name: string, object: any): string {
  const dir = path.join(work, name);
  for (const d of ['input', 'output', 'metadata']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  fs.writeFileSync(path.join(dir, 'input', 'object.yaml'), Yaml.stringify(object));
  return dir;
}
const outputObjects = (dir: string) => (fs.readdirSync(path.join(dir, 'output')) as string[]).sort()
  .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(dir, 'output', f), 'utf8')).map((d) => d.toJS()));
const KRATIX_ENV = { KRATIX_WORKFLOW_ACTION: 'configure', KRATIX_WORKFLOW_TYPE: 'resource' };

describe('the reference Promises', () => {
  test('one per bundle spec the pipeline serves, each scheduled to the dev destination, each example request valid against its API', () => {
    expect(promises.map((p) => p.name)).toEqual(['functions-platform', 'amqp-broker']);
    expect(promises.map((p) => p.requestApiVersion)).toEqual(PIPELINE_SPECS.map((s) => `${s.group}/${s.version}`));
    for (const p of promises) {
      const promise = p.resource.toJson();
      expect(promise.spec.destinationSelectors).toEqual([{ matchLabels: { environment: 'dev' } }]);
      expect(validator.validateAll([promise, p.exampleRequest()])).toEqual([]);
    }
  });

  test.each(['functions-platform', 'amqp-broker'])('%s: the shipped bin fulfils the example request; the output equals the bundle built directly', (name) => {
    const promise = promises.find((p) => p.name === name) as KratixPromise;
    const example = promise.exampleRequest('example', 'team-a');
    const dir = kratixDir(`bin-${name}`, example);
    const run = spawnSync(process.execPath, [TSX, CLI, 'kratix-pipeline'], { cwd: ROOT, env: { ...process.env, ...KRATIX_ENV, KRATIX_DIR: dir }, encoding: 'utf8' });
    expect({ code: run.status, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const objects = outputObjects(dir);
    expect(objects.length).toBeGreaterThan(3);
    expect(validator.validateAll(objects)).toEqual([]);
    expect(PlatformPolicy.check(objects)).toEqual([]);
    expect(parse(fs.readFileSync(path.join(dir, 'metadata', 'status.yaml'), 'utf8'))).toMatchObject({ objects: objects.length });

    const spec = PIPELINE_SPECS.find((s) => s.kind === example.kind)!;
    const direct = new App({ outdir: fs.mkdtempSync(path.join(work, 'direct-')) });
    spec.buildBundle(new Chart(direct, 'request', { disableResourceNameHashes: true }), {
      name: 'example', namespace: 'team-a', spec: applySchemaDefaults(spec.schema, example.spec) as { [field: string]: any },
    });
    expect(objects).toEqual(direct.charts.flatMap((c) => c.toJson()));
  });

  test.each(PIPELINE_SPECS.map((s) => [s.kind, s] as const))('%s: requests generated from the Promise\'s own API either build valid, policy-clean output or are refused in status.yaml', (kind, spec) => {
    let built = 0;
    let refused = 0;
    fc.assert(fc.property(request(spec.schema), (r) => {
      const dir = kratixDir(`prop-${kind}-${built + refused}`, { apiVersion: `${spec.group}/${spec.version}`, kind, metadata: { name: r.name, namespace: r.namespace }, spec: r.spec });
      const code = runPipeline({ specs: PIPELINE_SPECS, dir, env: { ...KRATIX_ENV }, log: () => undefined });
      const status = parse(fs.readFileSync(path.join(dir, 'metadata', 'status.yaml'), 'utf8'));
      if (code === 0) {
        built++;
        const objects = outputObjects(dir);
        expect(validator.validateAll(objects)).toEqual([]);
        expect(PlatformPolicy.check(objects)).toEqual([]);
      } else {
        refused++;
        expect(code).toBe(1);
        expect(fs.readdirSync(path.join(dir, 'output'))).toEqual([]);
        expect(status.refusal).toMatchObject({ field: expect.any(String), problem: expect.any(String) });
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }), { numRuns: Number(process.env.PB_PROPERTY_RUNS ?? 12), seed: 1129 });
    expect(built).toBeGreaterThan(0);
    console.log(`${kind}: ${built} built, ${refused} refused`);
  });
});
