/**
 * Generates the L1 classes in constructs/imports/ from the pinned upstream CRDs (upstream.yaml, `import: true`).
 *
 *   npm run import                        # the local schema location, else the pinned upstream URLs (downloaded
 *                                         # into the cache once, sha256-checked)
 *   npm run import -- --schemas <dir>     # an explicit location (e.g. ../shared/crds)
 *   npm run import -- --check             # regenerate in a scratch folder; fail if constructs/imports differs
 *
 * Steps: read each pinned file (sha256-checked), keep its CustomResourceDefinitions, strip upstream `description`
 * text from the schemas (the generated code carries structure only), merge CRDs by class prefix so that API groups
 * shared between packages (rabbitmq.com, eventing.knative.dev, ...) land in one module, run `cdk8s import` into a
 * scratch folder, then replace constructs/imports/ with the result. Idempotent: a second run writes identical bytes.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments, stringify } from 'yaml';
import {
  REPO_ROOT, SchemaLocationError, UpstreamPackage, UpstreamRelease, defaultCacheDir, fetchPinned, loadCatalog, loadReleases, readPinned,
  resolveSchemaLocation,
} from './lib/upstream';
import { stripDescriptions } from './lib/crd-schema';

const OUTPUT = path.join(REPO_ROOT, 'constructs', 'imports');
const CDK8S = path.join(REPO_ROOT, 'node_modules', '.bin', 'cdk8s');

interface Batch {
  readonly prefix: string | undefined;
  readonly crds: any[];
  /** API group → the packages (name + version) that contribute CRDs to it. */
  readonly sources: Map<string, Set<string>>;
  /** `group/Kind` of the CRDs whose objects have no namespace. */
  readonly clusterScoped: Set<string>;
}

function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function collect(location: string, packages: UpstreamPackage[]): Map<string, Batch> {
  const batches = new Map<string, Batch>();
  const groupOwner = new Map<string, string>();
  for (const pkg of packages.filter((p) => p.import)) {
    const key = pkg.classPrefix ?? '';
    const batch = batches.get(key) ?? { prefix: pkg.classPrefix, crds: [], sources: new Map<string, Set<string>>(), clusterScoped: new Set<string>() };
    batches.set(key, batch);
    for (const file of pkg.files) {
      const text = readPinned(location, pkg, file).toString('utf8');
      for (const doc of parseAllDocuments(text)) {
        const crd = doc.toJS();
        if (!crd || crd.kind !== 'CustomResourceDefinition') continue;
        const owner = groupOwner.get(crd.spec.group);
        if (owner !== undefined && owner !== key) {
          throw new Error(`API group ${crd.spec.group} is imported with two class prefixes (${owner || 'none'}, ${key || 'none'}); ` +
            'one group must map to one module');
        }
        groupOwner.set(crd.spec.group, key);
        if (crd.spec.scope === 'Cluster') batch.clusterScoped.add(`${crd.spec.group}/${crd.spec.names.kind}`);
        const sources = batch.sources.get(crd.spec.group) ?? new Set<string>();
        batch.sources.set(crd.spec.group, sources.add(`${pkg.name} ${pkg.version}`));
        for (const version of crd.spec.versions ?? []) {
          if (version.schema?.openAPIV3Schema) stripDescriptions(version.schema.openAPIV3Schema);
        }
        batch.crds.push(crd);
      }
    }
  }
  return batches;
}

/**
 * cdk8s import drops undefined values with `Object.entries(o).reduce((r, i) => ... ({ ...r, [i[0]]: i[1] }), {})`,
 * which copies the object once per key: quadratic in the number of keys, paid for every object on every synth (a
 * Knative Service's container spec has ~40). The same result (same keys, same order), in one pass.
 */
const QUADRATIC_COMPACT = /Object\.entries\(([^()]+(?:\([^()]*\))?)\)\.reduce\(\(r, i\) => \(i\[1\] === undefined\) \? r : \(\{ \.\.\.r, \[i\[0\]\]: i\[1\](\?\.value)? \}\), \{\}\)/g;
const COMPACT_HELPER = [
  '/** The object without its undefined values, in one pass (scripts/import-crds.ts replaces cdk8s import\'s quadratic filter). */',
  'function compactObject(o: { [key: string]: any }, unwrap: boolean = false): { [key: string]: any } {',
  '  const r: { [key: string]: any } = {};',
  '  for (const k of Object.keys(o)) {',
  '    const v = o[k];',
  '    if (v === undefined) continue;',
  '    // An own "__proto__" key stays a key (as in the spread it replaces), never the prototype.',
  '    if (k === \'__proto__\') Object.defineProperty(r, k, { value: unwrap ? v?.value : v, enumerable: true, writable: true, configurable: true });',
  '    else r[k] = unwrap ? v?.value : v;',
  '  }',
  '  return r;',
  '}',
  '',
];

/** The same filter over a map whose values are converted (`toJson_X(i[1])`), as Tekton's param `properties` are. */
const QUADRATIC_MAP = /Object\.entries\(([^()]+(?:\([^()]*\))?)\)\.reduce\(\(r, i\) => \(i\[1\] === undefined\) \? r : \(\{ \.\.\.r, \[i\[0\]\]: (toJson_[A-Za-z0-9_]+)\(i\[1\]\) \}\), \{\}\)/g;
const MAP_HELPER = [
  '/** The map without its undefined values, each value converted, in one pass (replaces cdk8s import\'s quadratic filter). */',
  'function compactMap(o: { [key: string]: any }, convert: (value: any) => any): { [key: string]: any } {',
  '  const r: { [key: string]: any } = {};',
  '  for (const k of Object.keys(o)) {',
  '    const v = o[k];',
  '    if (v === undefined) continue;',
  '    if (k === \'__proto__\') Object.defineProperty(r, k, { value: convert(v), enumerable: true, writable: true, configurable: true });',
  '    else r[k] = convert(v);',
  '  }',
  '  return r;',
  '}',
  '',
];

function linearCompact(body: string): string {
  let count = 0;
  let maps = 0;
  const replaced = body.replace(QUADRATIC_COMPACT, (_m, expr: string, unwrap: string | undefined) => {
    count++;
    return `compactObject(${expr}${unwrap ? ', true' : ''})`;
  }).replace(QUADRATIC_MAP, (_m, expr: string, convert: string) => {
    maps++;
    return `compactMap(${expr}, ${convert})`;
  });
  if (replaced.includes('.reduce((r, i) => (i[1] === undefined)')) {
    throw new Error('cdk8s import emitted an undefined-filter this script does not recognize; update QUADRATIC_COMPACT');
  }
  if (count === 0 && maps === 0) return body;
  // After the imports at the top of the module.
  const lines = replaced.split('\n');
  let at = 0;
  while (at < lines.length && (lines[at].startsWith('import ') || lines[at].trim() === '')) at++;
  const helpers = [...(count ? COMPACT_HELPER : []), ...(maps ? MAP_HELPER : [])];
  return [...lines.slice(0, at), ...helpers, ...lines.slice(at)].join('\n');
}

function header(sources: Set<string>): string {
  return [
    '// Generated by scripts/import-crds.ts (cdk8s import) from the pinned upstream CRDs of:',
    ...[...sources].sort().map((s) => `//   ${s}`),
    '// Upstream descriptions are stripped. Do not edit: change upstream.yaml and run `npm run import`.',
    '/* eslint-disable */',
    '',
  ].join('\n');
}

/**
 * constructs/imports/versions.ts: the pinned releases of upstream.yaml as data, the one place the library reads a
 * version from (installs, generated docs, the Pulumi program).
 */
function versionsModule(releases: UpstreamRelease[]): string {
  const entries = releases.map((r) => [
    `  ${JSON.stringify(r.name)}: {`,
    `    name: ${JSON.stringify(r.name)},`,
    `    title: ${JSON.stringify(r.title)},`,
    `    version: ${JSON.stringify(r.version)},`,
    `    project: ${JSON.stringify(r.project)},`,
    `    artifacts: { ${Object.entries(r.artifacts).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')} },`,
    ...(r.sha256 ? [`    sha256: { ${Object.entries(r.sha256).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')} },`] : []),
    ...(r.unpinned !== undefined ? [`    unpinned: ${JSON.stringify(r.unpinned)},`] : []),
    '  },',
  ].join('\n'));
  return [
    '// Generated by scripts/import-crds.ts from upstream.yaml (releases). Do not edit: change upstream.yaml and run `npm run import`.',
    '/* eslint-disable */',
    '',
    '/** A release the platform runs on a cluster, pinned. */',
    'export interface PinnedRelease {',
    '  readonly name: string;',
    '  readonly title: string;',
    '  readonly version: string;',
    '  readonly project: string;',
    '  /** Release files or packages by role. */',
    '  readonly artifacts: { readonly [role: string]: string };',
    '  /** sha256 of each release file the Pulumi program reads, by role. */',
    '  readonly sha256?: { readonly [role: string]: string };',
    '  /** Why the release files are not pinned yet. */',
    '  readonly unpinned?: string;',
    '}',
    '',
    '/** Every pinned release, by name. */',
    'export const PINNED_RELEASES: { readonly [name: string]: PinnedRelease } = {',
    ...entries,
    '};',
    '',
  ].join('\n');
}

/**
 * constructs/imports/scopes.ts: the imported API kinds whose objects are cluster-scoped (`group/Kind`, from each CRD's
 * spec.scope), so the library never guesses a kind's scope from its name.
 */
function scopesModule(batches: Map<string, Batch>): string {
  const kinds = [...new Set([...batches.values()].flatMap((b) => [...b.clusterScoped]))].sort();
  return [
    '// Generated by scripts/import-crds.ts from the pinned upstream CRDs (spec.scope). Do not edit: change upstream.yaml and run `npm run import`.',
    '/* eslint-disable */',
    '',
    '/** `group/Kind` of every imported custom resource that is cluster-scoped. */',
    'export const CLUSTER_SCOPED_CUSTOM_KINDS: ReadonlySet<string> = new Set([',
    ...kinds.map((k) => `  ${JSON.stringify(k)},`),
    ']);',
    '',
  ].join('\n');
}

/** The local schema location, or the cache after downloading the pinned upstream files (network). */
async function schemaSource(packages: UpstreamPackage[]): Promise<string> {
  const explicit = argValue('--schemas');
  try {
    return resolveSchemaLocation(explicit, packages);
  } catch (e) {
    if (explicit || process.env.PLATFORM_BLUEPRINTS_SCHEMAS || !(e instanceof SchemaLocationError)) throw e;
    console.error(`no local schema location; downloading the pinned upstream files into ${defaultCacheDir()}`);
    await fetchPinned(defaultCacheDir(), packages);
    return resolveSchemaLocation(undefined, packages);
  }
}

async function main(): Promise<void> {
  const packages = loadCatalog();
  const location = await schemaSource(packages);
  const batches = collect(location, packages);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-import-'));
  try {
    const generated = new Map<string, string>();
    generated.set('versions.ts', versionsModule(loadReleases()));
    generated.set('scopes.ts', scopesModule(batches));
    for (const [key, batch] of [...batches.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const input = path.join(scratch, `crds-${key || 'default'}.yaml`);
      fs.writeFileSync(input, batch.crds.map((c) => stringify(c)).join('---\n'));
      const out = path.join(scratch, `out-${key || 'default'}`);
      const args = ['import', input, '--language', 'typescript', '--output', out, '--no-save', '--no-check-upgrade'];
      if (batch.prefix) args.push('--class-prefix', batch.prefix);
      execFileSync(CDK8S, args, { cwd: scratch, stdio: ['ignore', 'ignore', 'inherit'] });
      for (const name of fs.readdirSync(out).sort()) {
        const body = fs.readFileSync(path.join(out, name), 'utf8').replace(/^\/\/ generated by cdk8s\n/, '');
        const sources = batch.sources.get(name.replace(/\.ts$/, ''));
        if (!sources) throw new Error(`cdk8s import wrote ${name}, which matches no imported API group`);
        generated.set(name, header(sources) + linearCompact(body));
      }
    }
    // Modules typed by hand (kinds whose CRDs carry no schema, e.g. Tekton Triggers) are neither checked nor removed.
    const handTyped = (f: string) => fs.readFileSync(path.join(OUTPUT, f), 'utf8').startsWith('// Hand-typed');
    if (process.argv.includes('--check')) {
      const existing = fs.existsSync(OUTPUT) ? fs.readdirSync(OUTPUT).filter((f) => f.endsWith('.ts') && !handTyped(f)).sort() : [];
      const differing = [...new Set([...existing, ...generated.keys()])].sort()
        .filter((f) => !generated.has(f) || !existing.includes(f) || fs.readFileSync(path.join(OUTPUT, f), 'utf8') !== generated.get(f));
      if (differing.length) {
        console.error(`constructs/imports is not what \`npm run import\` generates: ${differing.join(', ')}`);
        process.exitCode = 1;
      } else {
        console.log(`constructs/imports: ${generated.size} modules, identical to a fresh import from ${location}`);
      }
      return;
    }
    fs.mkdirSync(OUTPUT, { recursive: true });
    for (const stale of fs.readdirSync(OUTPUT).filter((f) => f.endsWith('.ts') && !generated.has(f) && !handTyped(f))) {
      fs.rmSync(path.join(OUTPUT, stale));
    }
    let changed = 0;
    for (const [name, content] of generated) {
      const target = path.join(OUTPUT, name);
      if (fs.existsSync(target) && fs.readFileSync(target, 'utf8') === content) continue;
      fs.writeFileSync(target, content);
      changed++;
    }
    console.log(`constructs/imports: ${generated.size} modules from ${location} (${changed} changed)`);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  console.error(`import failed: ${err.message}`);
  process.exit(1);
});
