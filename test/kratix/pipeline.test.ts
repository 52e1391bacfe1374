/**
 * The Kratix pipeline run as Kratix runs it: a process, on a Kratix folder (KRATIX_DIR, here a temporary one) holding
 * `input/object.yaml`, with the KRATIX_* environment. Every run is started at once in beforeAll (each is a Node
 * process loading the constructs); the tests read what each left behind. Cases that need no process of their own
 * (environment checks, the promise workflow without prerequisites, the bin's usage) are in pipeline-sdk.test.ts.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Yaml } from 'cdk8s';
import { parse, parseAllDocuments } from 'yaml';
import { PlatformPolicy } from '../../constructs/policy/policy';
import { SchemaValidator } from '../../scripts/lib/schema-validator';
import { fixtureSpec } from '../support/kratix-fixture-spec';

const ROOT = path.join(__dirname, '..', '..');
const TSX = require.resolve('tsx/cli');
const MAIN = path.join(ROOT, 'test', 'support', 'kratix-pipeline-main.ts');
const CLI = path.join(ROOT, 'src', 'cli.ts');

interface Run { code: number | null; stdout: string; stderr: string; dir: string }

const request = (spec: any, name = 'shop') => ({
  apiVersion: 'fixture.platform-blueprints.io/v1alpha1', kind: 'FunctionsPlatform',
  metadata: { name, namespace: 'default' }, spec,
});
const promise = (kind: string, plural: string) => ({
  apiVersion: 'platform.kratix.io/v1alpha1', kind: 'Promise', metadata: { name: plural },
  spec: { api: { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `${plural}.fixture.platform-blueprints.io` },
    spec: { group: 'fixture.platform-blueprints.io', names: { kind, plural }, scope: 'Namespaced', versions: [] } } },
});

const CASES: { [name: string]: { input?: any; env?: { [k: string]: string }; script?: string; args?: string[]; before?: (dir: string) => void } } = {
  configure: { input: request(fixtureSpec.example) },
  schema: { input: request({ namespace: 'Shop_1', functions: [{ name: 'cart', image: 'ghcr.io/acme/cart:1.4.2' }] }),
    before: (dir) => fs.writeFileSync(path.join(dir, 'output', 'earlier.yaml'), 'kind: ConfigMap\n') },
  construct: { input: request({ namespace: 'shop', functions: [{ name: 'cart', image: 'ghcr.io/acme/cart:1.4.2', minScale: 5, maxScale: 2 }] }) },
  policy: { input: request({ namespace: 'shop', functions: [{ name: 'cart', image: 'ghcr.io/acme/cart:latest' }] }) },
  delete: { input: request({ namespace: 'Not Valid' }), env: { KRATIX_WORKFLOW_ACTION: 'delete', KRATIX_WORKFLOW_TYPE: 'resource' } },
  promiseWithPrerequisites: { input: promise('SharedPlatform', 'sharedplatforms'), env: { KRATIX_WORKFLOW_ACTION: 'configure', KRATIX_WORKFLOW_TYPE: 'promise' } },
  noInput: {},
  cliUnserved: { input: request(fixtureSpec.example), script: CLI, args: ['kratix-pipeline'] },
};

const runs: { [name: string]: Run } = {};
let workRoot: string;

function start(name: string): Promise<void> {
  const c = CASES[name];
  const dir = path.join(workRoot, name);
  fs.mkdirSync(path.join(dir, 'output'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'metadata'), { recursive: true });
  if (c.input) {
    fs.mkdirSync(path.join(dir, 'input'));
    fs.writeFileSync(path.join(dir, 'input', 'object.yaml'), Yaml.stringify(c.input));
  }
  c.before?.(dir);
  const env: { [k: string]: string | undefined } = { ...process.env, KRATIX_DIR: dir, ...c.env };
  if (!c.env) { delete env.KRATIX_WORKFLOW_ACTION; delete env.KRATIX_WORKFLOW_TYPE; }
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [TSX, c.script ?? MAIN, ...(c.args ?? [])], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      runs[name] = { code, stdout, stderr, dir };
      resolve();
    });
  });
}

const files = (dir: string) => (fs.readdirSync(dir, { recursive: true }) as string[]).sort();
const status = (run: Run) => parse(fs.readFileSync(path.join(run.dir, 'metadata', 'status.yaml'), 'utf8'));
const docsOf = (file: string) => parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS());

/** One line, no stack trace. */
function expectOneLine(text: string): void {
  expect(text.trim().split('\n')).toHaveLength(1);
  expect(text).not.toMatch(/\n\s+at /);
}

/** A refused run: exit 1, one line on stderr, output/ holding only `kept`; returns status.yaml. */
function refused(run: Run, kept: string[] = []): any {
  expect(run.code).toBe(1);
  expectOneLine(run.stderr);
  expect(files(path.join(run.dir, 'output'))).toEqual(kept);
  return status(run);
}

beforeAll(async () => {
  workRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-kratix-pipeline-'));
  await Promise.all(Object.keys(CASES).map(start));
}, 120_000);

afterAll(() => fs.rmSync(workRoot, { recursive: true, force: true }));

describe('kratix pipeline, resource configure', () => {
  test('GIVEN a valid request WHEN the pipeline runs THEN output/ holds the bundle, strictly valid and policy-clean, and status.yaml says what was made', () => {
    const run = runs.configure;
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expectOneLine(run.stdout);
    expect(files(path.join(run.dir, 'output'))).toEqual(['shop.k8s.yaml']);
    const objects = docsOf(path.join(run.dir, 'output', 'shop.k8s.yaml'));
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(expect.arrayContaining(['Namespace/shop', 'Service/cart', 'Service/gateway']));
    expect(SchemaValidator.load().validateAll(objects)).toEqual([]);
    expect(PlatformPolicy.check(objects)).toEqual([]);
    expect(status(run)).toEqual({
      message: 'functions platform shop: 1 function(s) behind gateway',
      outputs: { namespace: 'shop', gateway: 'gateway' },
      objects: objects.length,
      files: ['shop.k8s.yaml'],
    });
  });

  test('the output is byte for byte what cdk8s synth writes for the bundle built directly from the same props (defaults applied as the API server would)', () => {
    const outdir = fs.mkdtempSync(path.join(workRoot, 'direct-'));
    const app = new App({ outdir });
    // The example with the schema's defaults written out by hand: minScale 0, maxScale 3; gateway has no default.
    const spec = { namespace: 'shop', functions: [{ name: 'cart', image: 'ghcr.io/acme/cart:1.4.2', minScale: 0, maxScale: 3 }] };
    fixtureSpec.buildBundle(new Chart(app, 'shop', { disableResourceNameHashes: true }), { name: 'shop', namespace: 'default', spec });
    app.synth();
    expect(files(outdir)).toEqual(['shop.k8s.yaml']);
    expect(fs.readFileSync(path.join(runs.configure.dir, 'output', 'shop.k8s.yaml'), 'utf8')).toEqual(fs.readFileSync(path.join(outdir, 'shop.k8s.yaml'), 'utf8'));
  });

  test('GIVEN a request the schema refuses THEN exit 1, the refusal in status.yaml, output/ untouched (an earlier container\'s file stays, nothing added)', () => {
    const s = refused(runs.schema, ['earlier.yaml']);
    expect(runs.schema.stderr).toContain('refused: spec.namespace ("Shop_1") must match');
    expect(s.message).toMatch(/^refused: spec\.namespace \("Shop_1"\) must match .*; change the request so that it fits the FunctionsPlatform API \(kubectl explain functionsplatforms\.spec\)$/);
    expect(s.refusal).toEqual({
      reason: 'SchemaInvalid', constructPath: 'FunctionsPlatform default/shop', field: 'spec.namespace', value: '"Shop_1"',
      problem: 'must match ^[a-z]([-a-z0-9]*[a-z0-9])?$', fix: expect.stringContaining('kubectl explain'),
      problems: ['spec.namespace ("Shop_1") must match ^[a-z]([-a-z0-9]*[a-z0-9])?$'],
    });
  });

  test('GIVEN a request the constructs refuse (ValidationError) THEN the refusal names the construct path, field, value and fix', () => {
    expect(refused(runs.construct).refusal).toEqual({
      reason: 'ValidationError', constructPath: 'shop/platform/Functions/cart', field: 'scale.min', value: '5',
      problem: 'must be <= scale.max (2)', fix: 'raise scale.max or lower scale.min',
      problems: ['shop/platform/Functions/cart: scale.min (5) must be <= scale.max (2); raise scale.max or lower scale.min'],
    });
  });

  test('GIVEN a request whose bundle breaks the platform policy THEN it is refused with the rule, the object\'s construct path and the fix', () => {
    const refusal = refused(runs.policy).refusal;
    expect(refusal).toMatchObject({
      reason: 'PolicyViolation', constructPath: 'shop/platform/Functions/cart/Resource', field: '/spec/template/spec/containers/0/image',
      value: '"ghcr.io/acme/cart:latest"', fix: expect.stringContaining('pin the image'),
    });
    expect(refusal.problem).toMatch(/^\[PB004 pinned-images\] Service shop\/cart: /);
  });
});

describe('kratix pipeline, other workflows', () => {
  test('GIVEN a delete workflow THEN nothing is written to output/ (Kratix deletes the Works) and the request is not validated', () => {
    const run = runs.delete;
    expect(run.code).toBe(0);
    expect(files(path.join(run.dir, 'output'))).toEqual([]);
    expect(status(run)).toEqual({ message: 'FunctionsPlatform default/shop deleted: Kratix removes the Works its workflows scheduled' });
  });

  test('GIVEN a promise workflow for a spec with prerequisites THEN they are built into output/ and the status holds only a message', () => {
    const run = runs.promiseWithPrerequisites;
    expect(run.code).toBe(0);
    expect(files(path.join(run.dir, 'output'))).toEqual(['prerequisites.k8s.yaml']);
    const objects = docsOf(path.join(run.dir, 'output', 'prerequisites.k8s.yaml'));
    expect(objects.find((o) => o.kind === 'Namespace').metadata.name).toBe('shared-fns');
    expect(SchemaValidator.load().validateAll(objects)).toEqual([]);
    expect(status(run)).toEqual({ message: 'shared functions namespace shared-fns' });
  });

});

describe('kratix pipeline, failures to run', () => {
  test('GIVEN no input/object.yaml THEN exit 2 with one line naming the file and the fix', () => {
    const run = runs.noInput;
    expect(run.code).toBe(2);
    expectOneLine(run.stderr);
    expect(run.stderr).toContain(`kratix/readInput: input/object.yaml ("${path.join(run.dir, 'input', 'object.yaml')}") does not exist; run inside a Kratix workflow`);
    expect(files(path.join(run.dir, 'output'))).toEqual([]);
  });


  test('the platform-blueprints bin runs the pipeline with the package\'s specs: a request for an API it does not serve exits 2 with one line', () => {
    const run = runs.cliUnserved;
    expect(run.code).toBe(2);
    expectOneLine(run.stderr);
    expect(run.stderr).toMatch(/^platform-blueprints kratix-pipeline: no bundle spec serves FunctionsPlatform\.fixture\.platform-blueprints\.io \(request FunctionsPlatform default\/shop\); this pipeline serves: /);
    expect(status(run).message).toMatch(/^pipeline failed: no bundle spec serves/);
  });

});
