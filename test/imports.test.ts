/**
 * The generated L1 layer: generated from exactly the pinned sources listed in cdk8s.yaml, carrying no upstream
 * prose, and reproducible (a fresh `npm run import` gives the committed bytes).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { loadCatalog, loadReleases, readPinned, resolveSchemaLocation, upstreamUrl } from '../scripts/lib/upstream';
import { PINNED_RELEASES } from '../constructs/imports/versions';
import { CLUSTER_SCOPED_CUSTOM_KINDS } from '../constructs/imports/scopes';
import { ClusterInstall } from '../constructs';
import { eventingManifestUrls } from '../src/pulumi/knative-eventing';
import { knativeServingManifestUrls } from '../src/pulumi/knative-serving';
import * as serving from '../constructs/imports/serving.knative.dev';
import * as eventing from '../constructs/imports/eventing.knative.dev';
import * as rabbitmq from '../constructs/imports/rabbitmq.com';
import * as crossplane from '../constructs/imports/apiextensions.crossplane.io';
import * as pkg from '../constructs/imports/pkg.crossplane.io';
import * as xpKubernetes from '../constructs/imports/kubernetes.crossplane.io';
import * as xpKubernetesNs from '../constructs/imports/kubernetes.m.crossplane.io';
import * as xpHelm from '../constructs/imports/helm.crossplane.io';

const ROOT = path.join(__dirname, '..');
const IMPORTS = path.join(ROOT, 'constructs', 'imports');

describe('generated imports', () => {
  test('cdk8s.yaml lists exactly the pinned upstream URLs of the imported packages', () => {
    const cdk8s = parse(fs.readFileSync(path.join(ROOT, 'cdk8s.yaml'), 'utf8'));
    const expected = loadCatalog().filter((p) => p.import).flatMap((p) => p.files.map((f) => upstreamUrl(p, f)));
    expect(cdk8s.imports).toEqual(expected);
    expect(cdk8s.output).toBe('dist');
    // A tag, or a full commit for projects that do not tag releases (Kratix): never a moving branch.
    for (const url of expected) expect(url).toMatch(/^https:\/\/raw\.githubusercontent\.com\/[^/]+\/[^/]+\/((knative-)?v\d+\.\d+\.\d+|[0-9a-f]{40})\//);
  });

  test('pinned versions have one source: upstream.yaml releases, generated into versions.ts and read by every install', () => {
    const releases = loadReleases();
    expect(Object.values(PINNED_RELEASES)).toEqual(releases.map((r) => ({ ...r })));
    // A release whose project also has pinned schemas is pinned at the same version.
    for (const pkg of loadCatalog().filter((p) => p.validate !== false)) {
      const release = releases.find((r) => r.project === pkg.project);
      // Numbered releases are tagged v<x.y.z>; a project without release tags (Kratix) is pinned at <branch>-<commit> in both.
      const tag = /^\d/.test(release?.version ?? '') ? `v${release!.version}` : release?.version;
      if (release) expect({ project: pkg.project, version: tag }).toEqual({ project: pkg.project, version: pkg.version });
    }
    // The Pulumi installs download exactly the pinned release files.
    const served = knativeServingManifestUrls(ClusterInstall.KNATIVE_SERVING.version, ClusterInstall.NET_KOURIER.version);
    expect(served).toEqual({ ...PINNED_RELEASES['knative-serving'].artifacts, kourier: PINNED_RELEASES['net-kourier'].artifacts.kourier });
    const stack = eventingManifestUrls();
    expect(stack).toEqual({
      'cert-manager': PINNED_RELEASES['cert-manager'].artifacts.manifest,
      'rabbitmq-cluster-operator': PINNED_RELEASES['rabbitmq-cluster-operator'].artifacts.manifest,
      'rabbitmq-topology-operator': PINNED_RELEASES['rabbitmq-topology-operator'].artifacts.manifest,
      'eventing-crds': PINNED_RELEASES['knative-eventing'].artifacts.crds,
      'eventing-core': PINNED_RELEASES['knative-eventing'].artifacts.core,
      'eventing-rabbitmq': PINNED_RELEASES['eventing-rabbitmq'].artifacts.broker,
      'in-memory-channel': PINNED_RELEASES['knative-eventing'].artifacts['in-memory-channel'],
      'mt-channel-broker': PINNED_RELEASES['knative-eventing'].artifacts['mt-channel-broker'],
    });
    // Every install of the table names a pinned release.
    for (const install of ClusterInstall.all) expect(install.version).toBe(PINNED_RELEASES[install.release.name].version);
  });

  test('every module says where it comes from', () => {
    const modules = fs.readdirSync(IMPORTS).filter((f) => f.endsWith('.ts'));
    expect(modules.sort()).toEqual([
      'apiextensions.crossplane.io.ts', 'eventing.knative.dev.ts', 'flows.knative.dev.ts', 'helm.crossplane.io.ts', 'helm.m.crossplane.io.ts',
      'kubernetes.crossplane.io.ts', 'kubernetes.m.crossplane.io.ts', 'messaging.knative.dev.ts', 'networking.internal.knative.dev.ts', 'pkg.crossplane.io.ts', 'platform.kratix.io.ts',
      'protection.crossplane.io.ts', 'rabbitmq.com.ts', 'resolution.tekton.dev.ts', 'scopes.ts', 'serving.knative.dev.ts', 'sinks.knative.dev.ts',
      'sources.knative.dev.ts', 'tekton.dev.ts', 'triggers.tekton.dev.ts', 'versions.ts',
    ]);
    for (const m of modules) {
      const text = fs.readFileSync(path.join(IMPORTS, m), 'utf8');
      // Tekton Triggers' CRDs carry no schema: that module is typed by hand from the Go types, and says so.
      const origin = m === 'triggers.tekton.dev.ts' ? '// Hand-typed from the Go types of tektoncd/triggers v0.37.0' : '// Generated by scripts/import-crds.ts';
      expect(text.startsWith(origin)).toBe(true);
    }
  });

  test('the scope of every imported kind is its CRD\'s (spec.scope), not a guess from its name', () => {
    const location = resolveSchemaLocation();
    const scopes: { [groupKind: string]: string } = {};
    for (const p of loadCatalog().filter((c) => c.import)) {
      for (const f of p.files) {
        for (const doc of parseAllDocuments(readPinned(location, p, f).toString('utf8'))) {
          const crd = doc.toJS();
          if (crd?.kind === 'CustomResourceDefinition') scopes[`${crd.spec.group}/${crd.spec.names.kind}`] = crd.spec.scope;
        }
      }
    }
    expect(Object.keys(scopes).length).toBeGreaterThan(50);
    expect([...CLUSTER_SCOPED_CUSTOM_KINDS].sort()).toEqual(Object.keys(scopes).filter((k) => scopes[k] === 'Cluster').sort());
    expect(CLUSTER_SCOPED_CUSTOM_KINDS.has('apiextensions.crossplane.io/Composition')).toBe(true);
    expect(CLUSTER_SCOPED_CUSTOM_KINDS.has('kubernetes.m.crossplane.io/ProviderConfig')).toBe(false); // namespaced in the .m. groups
  });

  test('no upstream description text reaches the generated code', () => {
    const location = resolveSchemaLocation();
    const generated = fs.readdirSync(IMPORTS).map((f) => fs.readFileSync(path.join(IMPORTS, f), 'utf8')).join('\n');
    const descriptions: string[] = [];
    const collect = (node: any): void => {
      if (Array.isArray(node)) return node.forEach(collect);
      if (!node || typeof node !== 'object') return;
      if (typeof node.description === 'string') descriptions.push(node.description.split('\n')[0]);
      Object.values(node).forEach(collect);
    };
    for (const p of loadCatalog().filter((c) => c.import)) {
      for (const f of p.files) {
        for (const doc of parseAllDocuments(readPinned(location, p, f).toString('utf8'))) collect(doc.toJS()?.spec?.versions);
      }
    }
    const sample = [...new Set(descriptions.filter((d) => d.length >= 40))];
    expect(sample.length).toBeGreaterThan(1000);
    expect(sample.filter((d) => generated.includes(d))).toEqual([]);
  });

  test('the classes are the versions we mean (first listed version has no suffix)', () => {
    expect(serving.Service.GVK).toEqual({ apiVersion: 'serving.knative.dev/v1', kind: 'Service' });
    expect(eventing.Broker.GVK).toEqual({ apiVersion: 'eventing.knative.dev/v1', kind: 'Broker' });
    expect(eventing.RabbitmqBrokerConfig.GVK).toEqual({ apiVersion: 'eventing.knative.dev/v1alpha1', kind: 'RabbitmqBrokerConfig' });
    expect(rabbitmq.RabbitmqCluster.GVK).toEqual({ apiVersion: 'rabbitmq.com/v1beta1', kind: 'RabbitmqCluster' });
    expect(rabbitmq.Queue.GVK.apiVersion).toBe('rabbitmq.com/v1beta1');
    expect(crossplane.CompositeResourceDefinition.GVK.apiVersion).toBe('apiextensions.crossplane.io/v1');
    expect(crossplane.CompositeResourceDefinitionV2.GVK.apiVersion).toBe('apiextensions.crossplane.io/v2');
    expect(crossplane.Composition.GVK.apiVersion).toBe('apiextensions.crossplane.io/v1');
    expect(pkg.Provider.GVK).toEqual({ apiVersion: 'pkg.crossplane.io/v1', kind: 'Provider' });
    expect(pkg.Function.GVK).toEqual({ apiVersion: 'pkg.crossplane.io/v1', kind: 'Function' });
    // provider-kubernetes' Object needs a class prefix (it would shadow the global Object); its v1alpha1 is deprecated.
    expect(xpKubernetes.XpObjectV1Alpha2.GVK).toEqual({ apiVersion: 'kubernetes.crossplane.io/v1alpha2', kind: 'Object' });
    expect(xpKubernetesNs.XpObject.GVK).toEqual({ apiVersion: 'kubernetes.m.crossplane.io/v1alpha1', kind: 'Object' });
    expect(xpHelm.ReleaseV1Beta1.GVK).toEqual({ apiVersion: 'helm.crossplane.io/v1beta1', kind: 'Release' });
  });

  test('a fresh import reproduces the committed modules byte for byte', () => {
    const out = execFileSync(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/import-crds.ts', '--check'], {
      cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
    });
    expect(out).toMatch(/20 modules, identical to a fresh import/);
  }, 60_000);

  test('the generated conversions drop undefined values in one pass, exactly as the reduce they replace', () => {
    for (const file of fs.readdirSync(path.join(ROOT, 'constructs', 'imports')).filter((f) => f.endsWith('.ts'))) {
      expect({ file, quadratic: fs.readFileSync(path.join(ROOT, 'constructs', 'imports', file), 'utf8').includes('({ ...r, [i[0]]') }).toEqual({ file, quadratic: false });
    }
    // The reduce cdk8s import generates, as the reference.
    const reference = (o: object) => Object.entries(o).reduce((r, i) => (i[1] === undefined) ? r : ({ ...r, [i[0]]: i[1] }), {});
    const labels = JSON.parse('{"b":"2","__proto__":"x","a":"1"}');
    labels.gone = undefined;
    const converted = serving.toJson_ServiceSpecTemplateMetadata({ labels, name: undefined, finalizers: ['f'] }) as any;
    expect(converted).toEqual({ finalizers: ['f'], labels: reference(labels) });
    expect(Object.keys(converted.labels)).toEqual(['b', '__proto__', 'a']);
    expect(Object.getPrototypeOf(converted.labels)).toBe(Object.prototype);
    expect(Object.keys(converted)).toEqual(['finalizers', 'labels']);
  });
});
