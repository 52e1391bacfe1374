/**
 * The jsii build of the constructs library (scripts/jsii-build.ts): the staging package jsii compiles, the checks of
 * what jsii-pacmak generates, and the API reference jsii-docgen renders from the assembly.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The jsii modules the constructs build on: peer dependencies of the assembly, as of the TypeScript package. */
export const JSII_PEERS = ['cdk8s', 'cdk8s-plus-27', 'constructs'];
/** Plain npm modules the constructs load at run time: bundled into the assembly's package. */
export const BUNDLED = ['yaml', 'jsonata', 're2js'];
/** Runtime dependencies of the package's commands only (src/, not constructs/): not part of the assembly. */
export const COMMAND_ONLY = ['jose'];
/** The generated packages' names: Python module (distribution `platform-blueprints`) and Java package. */
export const PYTHON_MODULE = 'platform_blueprints';
export const JAVA_PACKAGE = 'io.github.platformblueprints';
export const MAVEN_GROUP_ID = 'io.github.platform-blueprints';
/** The languages of the generated API reference and the file each goes to (docs/). */
export const API_DOCS: ReadonlyArray<{ language: string; file: string }> = [
  { language: 'typescript', file: 'api.md' },
  { language: 'python', file: 'api.python.md' },
  { language: 'java', file: 'api.java.md' },
];

/** The staging package.json: the TypeScript package's identity and ranges, plus the `jsii` section. */
export function stagingPackageJson(pkg: any): object {
  const pick = (from: Record<string, string> | undefined, names: string[], where: string) => Object.fromEntries(names.map((n) => {
    if (!from?.[n]) throw new Error(`package.json ${where} has no ${n}; the jsii staging package needs it`);
    return [n, from[n]];
  }));
  const missing = BUNDLED.filter((n) => !pkg.dependencies?.[n]);
  const added = Object.keys(pkg.dependencies ?? {}).filter((n) => !BUNDLED.includes(n) && !COMMAND_ONLY.includes(n));
  if (missing.length || added.length) {
    throw new Error(`package.json dependencies changed (gone: ${missing.join(', ') || '-'}, new: ${added.join(', ') || '-'}): ` +
      'update BUNDLED in scripts/lib/jsii.ts (a jsii module belongs in JSII_PEERS, a plain npm module in BUNDLED, one only src/ loads in COMMAND_ONLY)');
  }
  return {
    name: pkg.name,
    version: pkg.version,
    description: pkg.description,
    license: pkg.license,
    keywords: pkg.keywords,
    author: { name: 'platform-blueprints contributors', organization: true },
    repository: { type: 'git', url: 'https://github.com/platform-blueprints/platform-blueprints.git' },
    main: 'constructs/index.js',
    types: 'constructs/index.d.ts',
    engines: pkg.engines,
    peerDependencies: pick(pkg.peerDependencies, JSII_PEERS, 'peerDependencies'),
    // jsii reads the peers' assemblies from the versions this repository develops with.
    devDependencies: pick(pkg.devDependencies, JSII_PEERS, 'devDependencies'),
    dependencies: pick(pkg.dependencies, BUNDLED, 'dependencies'),
    bundledDependencies: BUNDLED,
    jsii: {
      outdir: 'pacmak',
      targets: {
        python: { distName: pkg.name, module: PYTHON_MODULE },
        java: { package: JAVA_PACKAGE, maven: { groupId: MAVEN_GROUP_ID, artifactId: pkg.name } },
      },
      // The repository's compiler settings (tsconfig.json) as far as they apply to constructs/, checked by jsii's
      // strict rule set.
      tsconfig: 'tsconfig.json',
      validateTsconfig: 'strict',
    },
  };
}

/** The compiler settings of the repository's tsconfig.json that apply to constructs/, in the form jsii accepts. */
export function stagingTsconfig(): object {
  return {
    compilerOptions: {
      target: 'es2022', lib: ['es2022'], module: 'commonjs', types: ['node'],
      strict: true, noImplicitReturns: true, noFallthroughCasesInSwitch: true, noUnusedLocals: true, noUnusedParameters: true,
      esModuleInterop: true, resolveJsonModule: true, declaration: true, skipLibCheck: true, noEmitOnError: true,
      forceConsistentCasingInFileNames: true, isolatedModules: true,
    },
    include: ['constructs/**/*.ts'],
  };
}

/** A type of the assembly (the fields the checks read). */
export interface AssemblyType {
  readonly fqn: string;
  readonly name: string;
  readonly namespace?: string;
  readonly kind: 'class' | 'interface' | 'enum';
  readonly datatype?: boolean;
}

export function assemblyTypes(stage: string): AssemblyType[] {
  const assembly = JSON.parse(readFileSync(join(stage, '.jsii'), 'utf8'));
  return Object.values(assembly.types as { [fqn: string]: AssemblyType });
}

/** jsii-pacmak's name for a submodule in Python modules and Java packages: `crossplaneHelm` → `crossplane_helm`. */
export function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

function qualified(root: string, t: AssemblyType): string {
  return [root, ...(t.namespace ? t.namespace.split('.').map(snakeCase) : [])].join('.');
}

/** What the generated Python package must hold for a type: its module, class name and a base it must have. */
export function expectedPython(t: AssemblyType): { module: string; name: string; base?: string } {
  const base = t.kind === 'enum' ? 'enum.Enum' : t.kind === 'interface' && !t.datatype ? 'typing_extensions.Protocol' : undefined;
  return { module: qualified(PYTHON_MODULE, t), name: t.name, base };
}

/** The top-level Java type generated for a type: `package.Name KIND`. */
export function expectedJava(t: AssemblyType): string {
  return `${qualified(JAVA_PACKAGE, t)}.${t.name} ${t.kind === 'enum' ? 'ENUM' : t.kind === 'interface' ? 'INTERFACE' : 'CLASS'}`;
}

function capture(label: string, cmd: string, args: string[]): string {
  const res = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] });
  if (res.error) throw new Error(`${label}: ${res.error.message}`);
  if (res.status !== 0) throw new Error(`${label} failed (exit ${res.status ?? res.signal})`);
  return res.stdout;
}

/**
 * Checks the code jsii-pacmak generated against the assembly, with the interpreters of this machine: every Python
 * module parses and defines a class per type of its namespace (enums as `enum.Enum`, behavioural interfaces as
 * Protocols); every Java file parses with javac's parser and the top-level Java types are exactly the assembly's
 * types (plus the package's `$Module`), each of the right kind. Returns a one-line summary; throws on a mismatch.
 */
export function checkPacmakOutput(stage: string, scriptsDir: string): string {
  const types = assemblyTypes(stage);
  const problems: string[] = [];

  const python: { [module: string]: { [cls: string]: string[] } } = JSON.parse(capture('python3 (parse the generated Python)',
    'python3', [join(scriptsDir, 'jsii-python-classes.py'), join(stage, 'pacmak', 'python')]));
  for (const t of types) {
    const want = expectedPython(t);
    const bases = python[want.module]?.[want.name];
    if (!bases) problems.push(`python: ${want.module} has no class ${want.name} (${t.fqn})`);
    else if (want.base && !bases.includes(want.base)) problems.push(`python: ${want.module}.${want.name} does not derive from ${want.base} (bases: ${bases.join(', ')})`);
  }

  const java = new Set(capture('java (parse the generated Java)', 'java', [join(scriptsDir, 'jsii-java-types.java'), join(stage, 'pacmak', 'java')])
    .split('\n').filter((l) => l && !l.startsWith(`${JAVA_PACKAGE}.$Module `)));
  const expected = new Set(types.map(expectedJava));
  for (const e of expected) if (!java.has(e)) problems.push(`java: no ${e}`);
  for (const j of java) if (!expected.has(j)) problems.push(`java: ${j} is not a type of the assembly`);

  if (problems.length) {
    throw new Error(`the generated packages do not match the assembly (${problems.length} problem(s)):\n  ${problems.slice(0, 30).join('\n  ')}`);
  }
  const classes = Object.values(python).reduce((n, m) => n + Object.keys(m).length, 0);
  return `${types.length} assembly types: Python ${Object.keys(python).length} modules (${classes} classes) and Java ${java.size} types match`;
}

/** The header of a generated API reference file. */
export function apiDocHeader(language: string): string {
  return `<!-- Generated by \`npm run jsii:docs\` (jsii-docgen, ${language}) from the doc comments of constructs/: do not edit. -->\n\n`;
}
