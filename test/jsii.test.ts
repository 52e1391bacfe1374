/**
 * The jsii build (scripts/jsii-build.ts) runs in CI, not here (it takes minutes): these checks are the fast part —
 * the staging package follows package.json, the generated-name mapping the checks rely on, and the committed API
 * reference and the README's list of TypeScript-only exports agree with what the package exports.
 */
import { readFileSync, readdirSync } from 'fs';
import * as path from 'path';
import * as pb from 'platform-blueprints';
import { BUNDLED, COMMAND_ONLY, JSII_PEERS, expectedJava, expectedPython, snakeCase, stagingPackageJson } from '../scripts/lib/jsii';

const ROOT = path.resolve(__dirname, '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const PKG = JSON.parse(read('package.json'));

describe('jsii staging package', () => {
  test('it keeps the TypeScript package\'s name, version and ranges: jsii peers, plain modules bundled', () => {
    const staged: any = stagingPackageJson(PKG);
    expect([staged.name, staged.version, staged.main, staged.types]).toEqual([PKG.name, PKG.version, 'constructs/index.js', 'constructs/index.d.ts']);
    expect(staged.peerDependencies).toEqual(Object.fromEntries(JSII_PEERS.map((n) => [n, PKG.peerDependencies[n]])));
    expect(staged.dependencies).toEqual(Object.fromEntries(BUNDLED.map((n) => [n, PKG.dependencies[n]])));
    expect(staged.bundledDependencies).toEqual(BUNDLED);
    expect(Object.keys(staged.jsii.targets).sort()).toEqual(['java', 'python']);
  });

  test('a runtime dependency the build does not know is refused, naming where to declare it', () => {
    const withNew = { ...PKG, dependencies: { ...PKG.dependencies, 'left-pad': '1.3.0' } };
    expect(() => stagingPackageJson(withNew)).toThrow('package.json dependencies changed (gone: -, new: left-pad): update BUNDLED in scripts/lib/jsii.ts');
    const { yaml: _yaml, ...withoutYaml } = PKG.dependencies;
    expect(() => stagingPackageJson({ ...PKG, dependencies: withoutYaml })).toThrow('(gone: yaml, new: -)');
  });

  test('the modules left out of the assembly as command-only are loaded by no file of constructs/', () => {
    const files = readdirSync(path.join(ROOT, 'constructs'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    const loads = files.flatMap((f) => COMMAND_ONLY.filter((m) => new RegExp(`(from|require\\()\\s*['"]${m}(/[^'"]*)?['"]`).test(read(path.join('constructs', f)))).map((m) => `${f}: ${m}`));
    expect(loads).toEqual([]);
    expect(COMMAND_ONLY.every((m) => PKG.dependencies[m])).toBe(true);
  });

  test('generated names: submodules in snake case, Java kinds per jsii kind, Python bases per kind', () => {
    expect(['crossplaneHelmNamespaced', 'tektonTriggers', 'serving'].map(snakeCase)).toEqual(['crossplane_helm_namespaced', 'tekton_triggers', 'serving']);
    expect(expectedJava({ fqn: 'platform-blueprints.ScalingMetric', name: 'ScalingMetric', kind: 'enum' })).toBe('io.github.platformblueprints.ScalingMetric ENUM');
    expect(expectedJava({ fqn: 'platform-blueprints.tektonTriggers.TriggerBinding', name: 'TriggerBinding', namespace: 'tektonTriggers', kind: 'class' }))
      .toBe('io.github.platformblueprints.tekton_triggers.TriggerBinding CLASS');
    expect(expectedPython({ fqn: 'platform-blueprints.IBroker', name: 'IBroker', kind: 'interface' }))
      .toEqual({ module: 'platform_blueprints', name: 'IBroker', base: 'typing_extensions.Protocol' });
    expect(expectedPython({ fqn: 'platform-blueprints.ScaleOptions', name: 'ScaleOptions', kind: 'interface', datatype: true }))
      .toEqual({ module: 'platform_blueprints', name: 'ScaleOptions', base: undefined });
  });
});

describe('API reference (docs/api.md)', () => {
  const api = read('docs/api.md');
  const documented = new Set([...api.matchAll(/^### (\w+) <a name="\1" id="platform-blueprints\.\1"><\/a>$/gm)].map((m) => m[1]));
  const namespaces = [...read('constructs/index.ts').matchAll(/^export \* as (\w+) from/gm)].map((m) => m[1]);
  const readme = read('README.md');
  const polyglot = readme.slice(readme.indexOf('\n### Python and Java (jsii)\n'), readme.indexOf('\n## ', readme.indexOf('\n### Python and Java (jsii)\n')));
  const tsOnly = polyglot.slice(polyglot.indexOf('\n- TypeScript only'), polyglot.indexOf('\n\n', polyglot.indexOf('\n- TypeScript only')));

  test('it is shipped with the package and linked from the README', () => {
    expect(PKG.files).toContain('docs/api.md');
    for (const file of ['docs/api.md', 'docs/api.python.md', 'docs/api.java.md']) expect(readme).toContain(`](${file})`);
    expect(documented.size).toBeGreaterThan(300);
  });

  test('every class and enum the package exports is documented, except those the README lists as TypeScript only', () => {
    const runtimeExports = Object.keys(pb).filter((k) => !namespaces.includes(k));
    const undocumented = runtimeExports.filter((k) => !documented.has(k)).sort();
    expect(undocumented).toContain('ValidationError');
    const listed = [...tsOnly.matchAll(/`(\w+)`/g)].map((m) => m[1]).filter((k) => runtimeExports.includes(k)).sort();
    expect([...new Set(listed)]).toEqual(undocumented);
  });
});
