/**
 * `npm run jsii`: builds the constructs library (the package's main entry, `constructs/`) as a jsii assembly, so
 * jsii-pacmak can generate Python and Java packages from it and jsii-docgen the API reference.
 *
 * The TypeScript package users install is untouched (its own package.json, tsc build and lib/): jsii compiles a
 * staging package generated here in build/jsii/ — the constructs/ sources copied as they are, a package.json with a
 * `jsii` section and the repository's compiler settings. Only cdk8s, cdk8s-plus-27 and constructs are jsii modules
 * (peer dependencies, as for any cdk8s construct library); yaml, jsonata and re2js are plain npm modules, bundled.
 *
 * Steps after the build (flags, in this order):
 *   --pacmak  jsii-pacmak generates the Python and Java packages' sources (`--code-only`: no PyPI or Maven registry
 *             here) in build/jsii/pacmak/, and they are checked against the assembly (scripts/lib/jsii.ts).
 *   --docs    jsii-docgen writes the API reference (docs/api.md, docs/api.python.md, docs/api.java.md).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { API_DOCS, apiDocHeader, checkPacmakOutput, stagingPackageJson, stagingTsconfig } from './lib/jsii';

const root = join(__dirname, '..');
const stage = join(root, 'build', 'jsii');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
// jsii's tools print a banner about Node 20's end of life; CI runs Node 20 on purpose (README: Versions).
const env = { ...process.env, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: process.versions.node.split('.')[0] };

function timed<T>(label: string, step: () => T): T {
  const started = Date.now();
  const result = step();
  console.log(`${label}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

function run(label: string, cmd: string, args: string[]): void {
  const res = spawnSync(cmd, args, { cwd: stage, stdio: 'inherit', env });
  if (res.status !== 0) throw new Error(`${label} failed (exit ${res.status ?? res.signal})`);
}

function stageAndCompile(): void {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  cpSync(join(root, 'constructs'), join(stage, 'constructs'), { recursive: true });
  writeFileSync(join(stage, 'package.json'), JSON.stringify(stagingPackageJson(pkg), null, 2) + '\n');
  writeFileSync(join(stage, 'tsconfig.json'), JSON.stringify(stagingTsconfig(), null, 2) + '\n');
  for (const file of ['README.md', 'LICENSE']) writeFileSync(join(stage, file), readFileSync(join(root, file)));
  // The staging package resolves its dependencies (and bundles yaml, jsonata, re2js) from this repository's
  // node_modules, as installed by npm ci.
  symlinkSync(relative(stage, join(root, 'node_modules')), join(stage, 'node_modules'), 'dir');
  // Warnings fail the build, except two kinds expected here: reserved words (`namespace`, `type`, `default`, `from`
  // are Kubernetes field names; jsii-pacmak escapes them, e.g. Python `from_`) and peer ranges whose minimum is not
  // the version installed for development (the assembly keeps the TypeScript package's ranges).
  run('jsii', bin('jsii'), ['--fail-on-warnings', '--silence-warnings', 'reserved-word', '--silence-warnings', 'metadata/missing-dev-dependency']);
  if (!existsSync(join(stage, '.jsii'))) throw new Error('jsii wrote no assembly (build/jsii/.jsii)');
}

function pacmak(): void {
  run('jsii-pacmak', bin('jsii-pacmak'), ['--code-only', '--targets', 'python', '--targets', 'java']);
}

function docs(): void {
  const out = mkdtempSync(join(tmpdir(), 'pb-api-'));
  try {
    run('jsii-docgen', bin('jsii-docgen'), ['--submodule', 'root', '--output', join(out, 'API'), ...API_DOCS.flatMap((d) => ['--language', d.language])]);
    for (const d of API_DOCS) {
      const generated = readFileSync(join(out, `API.${d.language}.md`), 'utf8');
      writeFileSync(join(root, 'docs', d.file), apiDocHeader(d.language) + generated);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function main(): void {
  const flags = process.argv.slice(2);
  const unknown = flags.filter((f) => f !== '--pacmak' && f !== '--docs');
  if (unknown.length) throw new Error(`unknown option(s) ${unknown.join(' ')}; use --pacmak and/or --docs`);
  timed('jsii (assembly build/jsii/.jsii)', stageAndCompile);
  if (flags.includes('--pacmak')) {
    timed('jsii-pacmak (build/jsii/pacmak/python, build/jsii/pacmak/java)', pacmak);
    console.log(timed('generated code checked', () => checkPacmakOutput(stage, __dirname)));
  }
  if (flags.includes('--docs')) timed(`jsii-docgen (${API_DOCS.map((d) => `docs/${d.file}`).join(', ')})`, docs);
}

main();
