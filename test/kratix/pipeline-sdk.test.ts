/**
 * The Kratix SDK (the container contract), the API server's defaulting of a request, and the pipeline cases that need
 * no process of their own. Kratix facts are from syntasso/kratix at the pinned commit (ae170e22): the file names and
 * the destination-selector rules of work-creator/lib/work_creator.go, the status keys of
 * internal/controller/promise_controller.go and work-creator/cmd/update_status.go.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { parse } from 'yaml';
import { SchemaField } from '../../constructs/crossplane/schema';
import { applySchemaDefaults } from '../../constructs/kratix/defaults';
import { KratixSdk, KratixWorkflowAction, KratixWorkflowType } from '../../constructs/kratix/sdk';
import { main } from '../../src/cli';
import { PipelineExitCode, runPipeline } from '../../src/kratix/pipeline';
import { fixtureSpec } from '../support/kratix-fixture-spec';
import { validationError } from '../support/k8s';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-kratix-sdk-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const sdkIn = (env: { [k: string]: string } = {}) => new KratixSdk({ dir: root, env });
function writeInput(text: string): void {
  fs.mkdirSync(path.join(root, 'input'), { recursive: true });
  fs.writeFileSync(path.join(root, 'input', 'object.yaml'), text);
}

describe('KratixSdk: the environment', () => {
  const env = {
    KRATIX_WORKFLOW_ACTION: 'configure', KRATIX_WORKFLOW_TYPE: 'resource', KRATIX_PROMISE_NAME: 'functions', KRATIX_PIPELINE_NAME: 'build',
    KRATIX_OBJECT_KIND: 'FunctionsPlatform', KRATIX_OBJECT_GROUP: 'fixture.platform-blueprints.io', KRATIX_OBJECT_VERSION: 'v1alpha1',
    KRATIX_OBJECT_NAME: 'shop', KRATIX_OBJECT_NAMESPACE: 'default',
  };

  test('reads the variables Kratix sets in a workflow container', () => {
    const sdk = sdkIn(env);
    expect([sdk.workflowAction(), sdk.workflowType(), sdk.promiseName(), sdk.pipelineName()]).toEqual([KratixWorkflowAction.CONFIGURE, KratixWorkflowType.RESOURCE, 'functions', 'build']);
    expect([sdk.isConfigureAction(), sdk.isDeleteAction(), sdk.isResourceWorkflow(), sdk.isPromiseWorkflow(), sdk.isDryRun()]).toEqual([true, false, true, false, false]);
    expect(sdk.object()).toEqual({ kind: 'FunctionsPlatform', group: 'fixture.platform-blueprints.io', version: 'v1alpha1', name: 'shop', namespace: 'default' });
    const promise = sdkIn({ ...env, KRATIX_WORKFLOW_ACTION: 'delete', KRATIX_WORKFLOW_TYPE: 'promise', KRATIX_DRY_RUN: 'true' });
    expect([promise.isDeleteAction(), promise.isPromiseWorkflow(), promise.isDryRun()]).toEqual([true, true, true]);
  });

  test('the folder is /kratix unless KRATIX_DIR or the dir option names another', () => {
    expect(new KratixSdk({ env: {} }).dir).toBe('/kratix');
    expect(new KratixSdk({ env: { KRATIX_DIR: root } }).outputDir).toBe(path.join(root, 'output'));
    expect(new KratixSdk({ dir: root, env: { KRATIX_DIR: '/elsewhere' } }).metadataDir).toBe(path.join(root, 'metadata'));
  });

  test('a missing or unknown variable is a clear error', () => {
    expect(validationError(() => sdkIn({}).workflowAction()).message)
      .toBe('kratix/env: KRATIX_WORKFLOW_ACTION (undefined) is not set; Kratix sets it in a workflow container; set it yourself to run outside one');
    expect(validationError(() => sdkIn({ KRATIX_WORKFLOW_TYPE: 'request' }).workflowType()).message)
      .toBe('kratix/env: KRATIX_WORKFLOW_TYPE ("request") must be one of resource, promise');
  });
});

describe('KratixSdk: input', () => {
  test('readInput returns the object of input/object.yaml', () => {
    writeInput(Yaml.stringify({ apiVersion: 'a.b/v1', kind: 'K', metadata: { name: 'n' }, spec: { x: 1 } }));
    expect(sdkIn().readInput()).toEqual({ apiVersion: 'a.b/v1', kind: 'K', metadata: { name: 'n' }, spec: { x: 1 } });
  });

  test('readInput refuses a missing file, bad YAML, several documents and what is not a Kubernetes object', () => {
    expect(validationError(() => sdkIn().readInput()).message).toMatch(/^kratix\/readInput: input\/object\.yaml \(".*object\.yaml"\) does not exist; run inside a Kratix workflow, or point KRATIX_DIR at a folder/);
    writeInput('kind: [unclosed\n');
    expect(validationError(() => sdkIn().readInput()).message).toMatch(/^kratix\/readInput: input\/object\.yaml \(".*"\) is not valid YAML: .*; write one Kubernetes object$/);
    writeInput('kind: A\n---\nkind: B\n');
    expect(validationError(() => sdkIn().readInput()).message).toBe('kratix/readInput: input/object.yaml (2) must hold exactly one YAML document; write one Kubernetes object');
    writeInput('kind: A\nmetadata: {}\n');
    expect(validationError(() => sdkIn().readInput()).message)
      .toBe('kratix/readInput: input/object.yaml ({"kind":"A","metadata":{}}) is not a Kubernetes object; give it apiVersion, kind and metadata.name');
  });
});

describe('KratixSdk: output', () => {
  test('writeOutput and writeOutputObjects write under output/, creating directories', () => {
    const sdk = sdkIn();
    expect(sdk.writeOutput('db/claim.yaml', 'kind: X\n')).toBe(path.join(root, 'output', 'db', 'claim.yaml'));
    sdk.writeOutputObjects('app.yaml', [{ kind: 'A' }, { kind: 'B' }]);
    expect(fs.readFileSync(path.join(root, 'output', 'app.yaml'), 'utf8')).toBe('kind: A\n---\nkind: B\n');
  });

  test.each([
    ['../escape.yaml', 'leaves output/; give a path inside output/, without ".."'],
    ['db/../../escape.yaml', 'leaves output/; give a path inside output/, without ".."'],
    ['.', 'leaves output/; give a path inside output/, without ".."'],
    ['/etc/passwd', 'must be a relative file path; e.g. "app.yaml" or "db/claim.yaml"'],
    ['', 'must be a relative file path; e.g. "app.yaml" or "db/claim.yaml"'],
  ])('a path escaping output/ is refused: %j', (file, rule) => {
    expect(validationError(() => sdkIn().writeOutput(file, 'x')).message).toBe(`kratix/writeOutput: path (${JSON.stringify(file)}) ${rule}`);
    expect(fs.existsSync(path.join(root, 'escape.yaml'))).toBe(false);
  });

  test('writeOutput takes text and writeOutputObjects objects', () => {
    expect(validationError(() => sdkIn().writeOutput('a.yaml', { kind: 'A' } as any)).message)
      .toBe('kratix/writeOutput: text ({"kind":"A"}) must be a string; use writeOutputObjects for objects');
    expect(validationError(() => sdkIn().writeOutputObjects('a.yaml', ['kind: A'])).message)
      .toBe('kratix/writeOutputObjects: objects (["kind: A"]) must be a list of objects; pass the objects a chart synthesizes');
  });
});

describe('KratixSdk: what is not data, or not a path', () => {
  test('writeStatus and writeOutputObjects refuse what YAML cannot carry to Kratix, naming the field', () => {
    const cycle: any = { kind: 'A' };
    cycle.self = cycle;
    expect(validationError(() => sdkIn().writeStatus({ outputs: cycle })).message)
      .toBe('kratix/writeStatus: status.outputs.self ("<cycle>") refers back to itself; write a tree of values, not a graph');
    expect(validationError(() => sdkIn().writeStatus({ ready: () => true } as any)).message)
      .toBe('kratix/writeStatus: status.ready ("function") is not data (Kratix reads these files as YAML); write strings, numbers, booleans, lists and maps');
    expect(validationError(() => sdkIn().writeStatus({ count: BigInt(2) } as any)).field).toBe('status.count');
    expect(validationError(() => sdkIn().writeStatus({ ratio: NaN })).message).toBe('kratix/writeStatus: status.ratio ("NaN") is not a finite number; write numbers JSON can hold');
    expect(validationError(() => sdkIn().writeOutputObjects('a.yaml', [cycle])).field).toBe('objects[0].self');
    expect(fs.existsSync(path.join(root, 'metadata', 'status.yaml'))).toBe(false);
    expect(fs.existsSync(path.join(root, 'output', 'a.yaml'))).toBe(false);
    sdkIn().writeStatus({ message: 'ok', skipped: undefined });
    expect(parse(fs.readFileSync(path.join(root, 'metadata', 'status.yaml'), 'utf8'))).toEqual({ message: 'ok' });
  });

  test('a path with a NUL byte and options that are not options are refused, not crashed on', () => {
    expect(validationError(() => sdkIn().writeOutput('a\0.yaml', 'x')).message).toBe('kratix/writeOutput: path ("a\\u0000.yaml") must be a relative file path; e.g. "app.yaml" or "db/claim.yaml"');
    expect(validationError(() => new KratixSdk(null as any)).message).toBe('kratix/new: options (null) must be an object; e.g. { dir: "/tmp/k" }, or leave it out');
    expect(validationError(() => new KratixSdk({ dir: 5 as any })).message).toBe('kratix/new: options.dir (5) must be a folder path; e.g. "/kratix"');
    expect(validationError(() => new KratixSdk({ env: null as any })).field).toBe('options.env');
  });
});

describe('KratixSdk: metadata', () => {
  test('writeStatus writes metadata/status.yaml; readStatus reads it back', () => {
    const sdk = sdkIn();
    expect(sdk.readStatus()).toEqual({});
    sdk.writeStatus({ message: 'ready', outputs: { url: 'http://gateway.shop.svc.cluster.local' } });
    expect(parse(fs.readFileSync(path.join(root, 'metadata', 'status.yaml'), 'utf8'))).toEqual({ message: 'ready', outputs: { url: 'http://gateway.shop.svc.cluster.local' } });
    expect(sdk.readStatus().message).toBe('ready');
  });

  test('writeStatus refuses what Kratix manages and a message that is not a string', () => {
    expect(validationError(() => sdkIn().writeStatus({ kratix: {} })).message)
      .toBe('kratix/writeStatus: status.kratix ("kratix") is managed by Kratix; use other keys than kratix, conditions, observedGeneration, workflows, workflowsSucceeded, workflowsFailed');
    expect(validationError(() => sdkIn().writeStatus({ conditions: [] })).field).toBe('status.conditions');
    expect(validationError(() => sdkIn().writeStatus({ message: 3 })).message)
      .toBe('kratix/writeStatus: status.message (3) must be a string; Kratix\'s status schema types message as a string');
    expect(validationError(() => sdkIn().writeStatus(['x'] as any)).message).toBe('kratix/writeStatus: status (["x"]) must be an object; e.g. { message: "ready" }');
  });

  test('writeDestinationSelectors writes metadata/destination-selectors.yaml (hyphenated, as Kratix reads it) as a list of {directory, matchLabels}', () => {
    const sdk = sdkIn();
    sdk.writeDestinationSelectors([{ directory: 'db/', matchLabels: { environment: 'data' } }, { directory: '.', matchLabels: { environment: 'dev' } }]);
    expect(parse(fs.readFileSync(path.join(root, 'metadata', 'destination-selectors.yaml'), 'utf8'))).toEqual([
      { directory: 'db', matchLabels: { environment: 'data' } }, { directory: '.', matchLabels: { environment: 'dev' } },
    ]);
    expect(sdk.readDestinationSelectors()).toHaveLength(2);
  });

  test('writeDestinationSelectors refuses what Kratix refuses: no labels, a sub-directory, a directory twice', () => {
    const write = (s: any) => validationError(() => sdkIn().writeDestinationSelectors(s)).message;
    expect(write({ directory: 'db' })).toBe('kratix/writeDestinationSelectors: selectors ({"directory":"db"}) must be a list; e.g. [{ directory: "db", matchLabels: { environment: "data" } }]');
    expect(write([{ directory: 'db', matchLabels: {} }])).toBe('kratix/writeDestinationSelectors: selectors[0].matchLabels ({}) must have at least one label; Kratix refuses an entry with no selectors');
    expect(write([{ directory: 'db', matchLabels: { tier: 1 } }])).toBe('kratix/writeDestinationSelectors: selectors[0].matchLabels.tier (1) must be a string (Kubernetes label values are strings); quote it, e.g. "1"');
    // Kratix turns the entry into a label selector, which refuses what a label refuses.
    expect(write([{ directory: 'db', matchLabels: { 'data tier': 'x' } }])).toMatch(/^kratix\/writeDestinationSelectors: selectors\[0\]\.matchLabels key \("data tier"\) /);
    expect(write([{ directory: 'db', matchLabels: { tier: 'hot data' } }])).toMatch(/selectors\[0\]\.matchLabels\.tier \("hot data"\) must be at most 63 characters/);
    expect(write([{ directory: 'db/main', matchLabels: { a: 'b' } }]))
      .toBe('kratix/writeDestinationSelectors: selectors[0].directory ("db/main") must be a top-level directory of output/ or "."; Kratix refuses sub-directories; move the files up');
    expect(write([{ directory: 'db', matchLabels: { a: 'b' } }, { directory: './db', matchLabels: { c: 'd' } }]))
      .toBe('kratix/writeDestinationSelectors: selectors[1].directory ("db") is listed twice; merge the entries');
  });

  test('writeSuspend and writeRetryAfter write metadata/workflow-control.yaml as Kratix reads it', () => {
    const sdk = sdkIn();
    sdk.writeSuspend('waiting for approval');
    expect(parse(fs.readFileSync(path.join(root, 'metadata', 'workflow-control.yaml'), 'utf8'))).toEqual({ suspend: true, message: 'waiting for approval' });
    sdk.writeRetryAfter('1h30m', 'database not ready');
    expect(parse(fs.readFileSync(path.join(root, 'metadata', 'workflow-control.yaml'), 'utf8'))).toEqual({ retryAfter: '1h30m', message: 'database not ready' });
    expect(validationError(() => sdk.writeRetryAfter('5 minutes', 'x')).message).toBe('kratix/writeRetryAfter: duration ("5 minutes") is not a Go duration; e.g. 30s, 5m, 1h30m');
    expect(validationError(() => sdk.writeRetryAfter('5m', 1 as any)).message).toBe('kratix/writeRetryAfter: message (1) must be a string');
    expect(validationError(() => sdk.writeSuspend(undefined as any)).message).toBe('kratix/writeSuspend: message (undefined) must be a string');
  });

  test('metadata an earlier container left in bad YAML is a clear error', () => {
    fs.mkdirSync(path.join(root, 'metadata'));
    fs.writeFileSync(path.join(root, 'metadata', 'status.yaml'), 'message: [\n');
    expect(validationError(() => sdkIn().readStatus()).message).toMatch(/^kratix\/read: metadata\/status\.yaml \(".*"\) is not valid YAML: .*; fix or remove it$/);
  });
});

describe('applySchemaDefaults: the API server\'s structural defaulting', () => {
  const schema = SchemaField.object({
    size: SchemaField.string({ default: 'small' }),
    replicas: SchemaField.integer({ default: 1 }),
    tls: SchemaField.object({ enabled: SchemaField.boolean({ default: true }), issuer: SchemaField.string() }),
    routes: SchemaField.array(SchemaField.object({ path: SchemaField.string(), strip: SchemaField.boolean({ default: true }) })),
    tags: SchemaField.array(SchemaField.string({ default: 'none' })),
    labels: SchemaField.map(SchemaField.string({ default: 'x' })),
    limits: SchemaField.map(SchemaField.object({ cpu: SchemaField.string({ default: '100m' }) })),
  });

  test('missing and null fields get their default; nested objects, list items and map values are defaulted by their own schema', () => {
    const input = { replicas: null, tls: { issuer: 'ca' }, routes: [{ path: '/a' }, { path: '/b', strip: false }], tags: [null, 'a'], labels: { a: null, b: 'y' }, limits: { main: {} } };
    expect(applySchemaDefaults(schema, input)).toEqual({
      size: 'small', replicas: 1, tls: { issuer: 'ca', enabled: true }, routes: [{ path: '/a', strip: true }, { path: '/b', strip: false }],
      tags: ['none', 'a'], labels: { a: 'x', b: 'y' }, limits: { main: { cpu: '100m' } },
    });
    // The input is not changed.
    expect(input.replicas).toBeNull();
    expect(input.tls).toEqual({ issuer: 'ca' });
  });

  test('an absent object without a default stays absent (its fields\' defaults do not create it); a null without a default is pruned', () => {
    const noDefault = SchemaField.object({ tls: SchemaField.object({ enabled: SchemaField.boolean({ default: true }) }), note: SchemaField.string() });
    expect(applySchemaDefaults(noDefault, { note: null })).toEqual({});
  });

  test('values of the wrong type are left to validation', () => {
    expect(applySchemaDefaults(schema, { tls: 'yes', routes: 'all' })).toEqual({ size: 'small', replicas: 1, tls: 'yes', routes: 'all' });
  });
});

describe('runPipeline in process', () => {
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);
  beforeEach(() => lines.splice(0));

  test('GIVEN a promise workflow for a spec without prerequisites THEN output/ stays empty and the status has only a message', () => {
    writeInput(Yaml.stringify({ apiVersion: 'platform.kratix.io/v1alpha1', kind: 'Promise', metadata: { name: 'fp' },
      spec: { api: { spec: { group: fixtureSpec.group, names: { kind: fixtureSpec.kind } } } } }));
    const code = runPipeline({ specs: [fixtureSpec], dir: root, env: { KRATIX_WORKFLOW_TYPE: 'promise', KRATIX_WORKFLOW_ACTION: 'configure' }, log });
    expect(code).toBe(PipelineExitCode.OK);
    expect(fs.readdirSync(path.join(root, 'output'))).toEqual([]);
    expect(parse(fs.readFileSync(path.join(root, 'metadata', 'status.yaml'), 'utf8'))).toEqual({ message: 'FunctionsPlatform: no prerequisites to schedule' });
  });

  test('GIVEN a promise workflow whose input is not a Promise, or a Promise without spec.api THEN exit 2 with one line', () => {
    writeInput(Yaml.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }));
    expect(runPipeline({ specs: [fixtureSpec], dir: root, env: { KRATIX_WORKFLOW_TYPE: 'promise' }, log })).toBe(PipelineExitCode.FAILED);
    writeInput(Yaml.stringify({ apiVersion: 'platform.kratix.io/v1alpha1', kind: 'Promise', metadata: { name: 'fp' }, spec: {} }));
    expect(runPipeline({ specs: [fixtureSpec], dir: root, env: { KRATIX_WORKFLOW_TYPE: 'promise' }, log })).toBe(PipelineExitCode.FAILED);
    expect(lines).toEqual([
      'platform-blueprints kratix-pipeline: input/object.yaml is a v1 ConfigMap, but a promise workflow reads a platform.kratix.io Promise',
      'platform-blueprints kratix-pipeline: promise fp has no spec.api with spec.group and spec.names.kind',
    ]);
  });

  test('GIVEN a request at another version than the spec serves THEN exit 2 naming both', () => {
    writeInput(Yaml.stringify({ apiVersion: `${fixtureSpec.group}/v1beta1`, kind: fixtureSpec.kind, metadata: { name: 'shop', namespace: 'default' }, spec: fixtureSpec.example }));
    expect(runPipeline({ specs: [fixtureSpec], dir: root, env: {}, log })).toBe(PipelineExitCode.FAILED);
    expect(lines).toEqual([`platform-blueprints kratix-pipeline: request FunctionsPlatform default/shop is ${fixtureSpec.group}/v1beta1, but this pipeline serves FunctionsPlatform.${fixtureSpec.group} at v1alpha1; use the pipeline image of the Promise's version`]);
  });

  test.each([
    ['an empty name', { name: '', namespace: 'default' }, 'metadata.name ("") must be a DNS-1123 subdomain'],
    ['a path as name', { name: '../../etc', namespace: 'default' }, 'metadata.name ("../../etc") must be a DNS-1123 subdomain'],
    ['a name longer than Kratix allows', { name: 'a'.repeat(64), namespace: 'default' }, `metadata.name ("${'a'.repeat(64)}") must be at most 63 characters`],
    ['a namespace that is not a string', { name: 'shop', namespace: 5 }, 'metadata.namespace (5) must be a string'],
  ])('GIVEN a request with %s THEN it is refused in status.yaml (exit 1), nothing written to output/', (_, metadata, refusal) => {
    writeInput(Yaml.stringify({ apiVersion: `${fixtureSpec.group}/v1alpha1`, kind: fixtureSpec.kind, metadata, spec: fixtureSpec.example }));
    expect(runPipeline({ specs: [fixtureSpec], dir: root, env: {}, log })).toBe(PipelineExitCode.REFUSED);
    const status = parse(fs.readFileSync(path.join(root, 'metadata', 'status.yaml'), 'utf8'));
    expect(status.message).toContain(`refused: ${refusal}`);
    expect(status.refusal).toMatchObject({ reason: 'SchemaInvalid', field: refusal.split(' ')[0] });
    expect(fs.readdirSync(path.join(root, 'output'))).toEqual([]);
  });

  test('GIVEN an unknown KRATIX_WORKFLOW_ACTION THEN exit 2 naming the variable and its values', () => {
    expect(runPipeline({ specs: [fixtureSpec], dir: root, env: { KRATIX_WORKFLOW_ACTION: 'apply' }, log })).toBe(PipelineExitCode.FAILED);
    expect(lines).toEqual(['platform-blueprints kratix-pipeline: kratix/env: KRATIX_WORKFLOW_ACTION ("apply") must be one of configure, delete']);
  });

  test('the bin prints its usage, and refuses an unknown command with it', () => {
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(main(['--help'])).toBe(0);
      expect(main(['synth'])).toBe(2);
      expect(out.mock.calls[0][0]).toMatch(/^usage: platform-blueprints kratix-pipeline/);
      expect(err.mock.calls[0][0]).toMatch(/^platform-blueprints: unknown command "synth"; usage: platform-blueprints kratix-pipeline/);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });
});
