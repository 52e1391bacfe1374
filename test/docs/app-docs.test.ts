/**
 * Docs for any app: `PlatformDocs.write(app)` and `platform-blueprints docs <app file>` write README.md, events.md,
 * events.svg and the Promises' example requests of a user's own cdk8s app (not the reference platform). The CLI runs
 * as a child process on app files in a temporary folder, as a user would run the bin. The call's refusals are in
 * test/bundles/platform-docs-write.test.ts (test/docs/ is outside what the bad-input catalogue records).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { DOMParser } from '@xmldom/xmldom';
import { App, Chart } from 'cdk8s';
import { parse } from 'yaml';
import { main } from '../../src/cli';
import {
  CloudEventType, EventDrivenPlatform, EventFilter, FunctionsPlatformSpec, KnativeFunction, KratixPromise, PlatformDocs,
} from '../../constructs';

const ROOT = path.join(__dirname, '..', '..');
const TSX = require.resolve('tsx/cli');
const CLI = path.join(ROOT, 'src', 'cli.ts');

type XmlDocument = ReturnType<DOMParser['parseFromString']>;

/** A small user app: functions and events in two charts, a broker, a publisher, a subscription. */
function buildShop(app: App, withPromise = false): void {
  const ORDER_PLACED = CloudEventType.of('com.example.order.placed', { description: 'an order was accepted' });
  const fns = new Chart(app, 'shop-functions', { namespace: 'shop' });
  const orders = new KnativeFunction(fns, 'orders', { image: 'ghcr.io/example/orders:1.0.0' });
  const billing = new KnativeFunction(fns, 'billing', { image: 'ghcr.io/example/billing:1.0.0' });
  const events = new EventDrivenPlatform(new Chart(app, 'shop-events'), 'events', { namespace: 'shop-events' });
  events.broker.addPublisher(orders, { emits: [ORDER_PLACED] });
  events.broker.subscribe(billing, { filters: [EventFilter.type(ORDER_PLACED)] });
  if (withPromise) KratixPromise.fromBundle(new Chart(app, 'shop-promises'), 'FunctionsPlatform', new FunctionsPlatformSpec());
}

/** The same app as a user's module: it imports the library and exports what the CLI's contract asks for. */
const appSource = (exportLine: string) => [
  "import { App, Chart } from 'cdk8s';",
  `import { CloudEventType, EventDrivenPlatform, EventFilter, KnativeFunction } from ${JSON.stringify(path.join(ROOT, 'constructs'))};`,
  'function build(): App {',
  '  const app = new App();',
  "  const ORDER_PLACED = CloudEventType.of('com.example.order.placed', { description: 'an order was accepted' });",
  "  const fns = new Chart(app, 'shop-functions', { namespace: 'shop' });",
  "  const orders = new KnativeFunction(fns, 'orders', { image: 'ghcr.io/example/orders:1.0.0' });",
  "  const billing = new KnativeFunction(fns, 'billing', { image: 'ghcr.io/example/billing:1.0.0' });",
  "  const events = new EventDrivenPlatform(new Chart(app, 'shop-events'), 'events', { namespace: 'shop-events' });",
  '  events.broker.addPublisher(orders, { emits: [ORDER_PLACED] });',
  '  events.broker.subscribe(billing, { filters: [EventFilter.type(ORDER_PLACED)] });',
  '  return app;',
  '}',
  exportLine,
  '',
].join('\n');

interface Run { code: number | null; stdout: string; stderr: string; dir: string }

/** Each case: the app file's name and text, the CLI's arguments, folders to create first. */
const CASES: { [name: string]: { file: string; source: string; args?: string[]; mkdirs?: string[] } } = {
  // The App's outdir (default `dist`, relative to where the command runs) exists after `cdk8s synth`.
  defaultOutdir: { file: 'main.ts', source: appSource('export const app = build();'), mkdirs: ['dist'] },
  functionExport: { file: 'main.ts', source: appSource('export default build;'), args: ['--out', 'docs', '--title', 'Shop platform'], mkdirs: ['docs'] },
  noApp: { file: 'main.js', source: 'exports.app = { name: "not an app" };\n' },
  noOutdir: { file: 'main.ts', source: appSource('export const app = build();') },
};

const runs: { [name: string]: Run } = {};

function start(workRoot: string, name: string): Promise<void> {
  const c = CASES[name];
  const dir = path.join(workRoot, name);
  fs.mkdirSync(dir);
  // The user's project has the packages installed (cdk8s, constructs, ...): here, this repository's.
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  fs.writeFileSync(path.join(dir, c.file), c.source);
  for (const d of c.mkdirs ?? []) fs.mkdirSync(path.join(dir, d));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [TSX, CLI, 'docs', c.file, ...(c.args ?? [])], { cwd: dir });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (code) => { runs[name] = { code, stdout, stderr, dir }; resolve(); });
  });
}

beforeAll(async () => {
  const workRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-app-docs-'));
  await Promise.all(Object.keys(CASES).map((name) => start(workRoot, name)));
}, 120_000);

/** Parses XML strictly: every warning or error of the parser is a failure. */
function parseXml(text: string): XmlDocument {
  const problems: string[] = [];
  const doc = new DOMParser({ onError: (level, message) => { problems.push(`${level}: ${message}`); } }).parseFromString(text, 'image/svg+xml');
  expect(problems).toEqual([]);
  return doc;
}

describe('PlatformDocs.write: the generated docs of a user\'s app', () => {
  test('writes README.md, events.md and events.svg for a two-chart app with a broker and a subscription, and returns their names', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-app-docs-'));
    const app = new App({ outdir });
    buildShop(app);
    expect(PlatformDocs.write(app, { title: 'Shop platform', source: 'src/shop.ts' })).toEqual(['README.md', 'events.md', 'events.svg']);
    expect(fs.readdirSync(outdir).sort()).toEqual(['README.md', 'events.md', 'events.svg']);
    const readme = fs.readFileSync(path.join(outdir, 'README.md'), 'utf8');
    expect(readme.split('\n')[0]).toBe('# Shop platform');
    expect(readme).toContain('Generated by `npm run synth` from `src/shop.ts`.');
    expect(readme).toMatch(/^\| shop-functions\.k8s\.yaml \| serving\.knative\.dev\/v1 Service \| shop \| orders \|$/m);
    expect(readme).toMatch(/^\| shop-events\.k8s\.yaml \| eventing\.knative\.dev\/v1 Trigger \| shop-events \| /m);
    const events = fs.readFileSync(path.join(outdir, 'events.md'), 'utf8');
    expect(events.split('\n')[0]).toBe('# Shop platform: event catalog');
    expect(events).toMatch(/^\| `com\.example\.order\.placed` \| an order was accepted \| shop\/orders \(SinkBinding\) \| shop-events\/\S+ \| shop\/billing \|$/m);
    const svg = parseXml(fs.readFileSync(path.join(outdir, 'events.svg'), 'utf8'));
    expect(svg.documentElement!.tagName).toBe('svg');
    expect(svg.documentElement!.getAttribute('xmlns')).toBe('http://www.w3.org/2000/svg');
    expect(svg.getElementsByTagName('title')[0].textContent).toBe('Shop platform: event flows');
    const labels = Array.from(svg.getElementsByTagName('text')).map((t) => t.textContent);
    expect(labels).toEqual(expect.arrayContaining(['com.example.order.placed']));
  });

  test('writes the example request of every KratixPromise of the app, a request of the Promise\'s own API', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'pb-app-docs-')) });
    buildShop(app, true);
    const files = PlatformDocs.files(app);
    expect(Object.keys(files)).toEqual(['README.md', 'events.md', 'events.svg', 'functions-platform-example-resource.yaml']);
    const request = parse(files['functions-platform-example-resource.yaml']);
    expect(request).toMatchObject({ apiVersion: 'platform.platform-blueprints.io/v1alpha1', kind: 'FunctionsPlatform', metadata: { name: 'example', namespace: 'default' } });
    expect(files['README.md']).toContain('| shop-promises.k8s.yaml | platform.kratix.io/v1alpha1 Promise | (cluster) | functions-platform |');
  });
});

describe('platform-blueprints docs <app file>: the CLI on a user\'s app module', () => {
  test('writes the docs into the App\'s outdir (the manifests\' folder), naming the app file as their source', () => {
    const run = runs.defaultOutdir;
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const dist = path.join(run.dir, 'dist');
    expect(run.stdout).toBe(`wrote README.md, events.md, events.svg to ${dist}\n`);
    expect(fs.readdirSync(dist).sort()).toEqual(['README.md', 'events.md', 'events.svg']);
    const readme = fs.readFileSync(path.join(dist, 'README.md'), 'utf8');
    expect(readme).toContain('Generated by `platform-blueprints docs` from `main.ts`.');
    expect(readme).toContain('| shop-functions.k8s.yaml | serving.knative.dev/v1 Service | shop | billing |');
    expect(fs.readFileSync(path.join(dist, 'events.md'), 'utf8')).toContain('`com.example.order.placed`');
    parseXml(fs.readFileSync(path.join(dist, 'events.svg'), 'utf8'));
  });

  test('takes a default export that builds the App, --out and --title', () => {
    const run = runs.functionExport;
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(fs.readFileSync(path.join(run.dir, 'docs', 'README.md'), 'utf8').split('\n')[0]).toBe('# Shop platform');
    expect(fs.readFileSync(path.join(run.dir, 'docs', 'events.md'), 'utf8')).toMatch(/^# Shop platform: event catalog\n/);
    expect(fs.existsSync(path.join(run.dir, 'dist'))).toBe(false);
  });

  test('a module that exports no App is a usage error: one line naming the contract, exit 2', () => {
    const run = runs.noApp;
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^platform-blueprints docs: .*main\.js: export `app` is not a cdk8s App \(object\); the module must export `app` \(or a default export\): a cdk8s App, or a function that returns one; usage: /);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  test('an App whose outdir does not exist yet: the ValidationError, one line, exit 1, nothing written', () => {
    const run = runs.noOutdir;
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^platform-blueprints docs: .*outdir \(".*dist"\) is not a writable directory \(ENOENT\); create it first \(app\.synth\(\) creates the App's outdir\)/);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(fs.existsSync(path.join(run.dir, 'dist'))).toBe(false);
  });
});

describe('platform-blueprints docs: usage errors (in process)', () => {
  test.each([
    [[], 'the app file is missing'],
    [['a.ts', 'b.ts'], 'one app file, got 2: a.ts b.ts'],
    [['app.ts', '--out'], '--out needs a value'],
    [['app.ts', '--outdir', 'x'], 'unknown option "--outdir"'],
    [['no-such-app.ts'], 'no such file: no-such-app.ts'],
  ])('docs %j: one line, exit 2', (args, problem) => {
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(main(['docs', ...args])).toBe(2);
      expect(err).toHaveBeenCalledTimes(1);
      const line = String(err.mock.calls[0][0]);
      expect(line).toBe(`platform-blueprints docs: ${problem}; usage: ${line.split('; usage: ')[1]}`);
      expect(line).toMatch(/platform-blueprints docs <app\.js\|app\.ts> \[--out <dir>\] \[--title <title>\]\n$/);
      expect(line.trimEnd()).not.toContain('\n');
    } finally {
      err.mockRestore();
    }
  });
});
