import { configGroupChildren, mockPulumi, runTransforms, settle, valueOf } from '../support/pulumi';
import { fixtureReader } from '../support/knative-release';

const mocked = mockPulumi();
import {
  KNATIVE_SERVING_VERSION, KnativeServing, NET_KOURIER_VERSION, knativeServingManifestUrls, prepareKnativeServing,
} from '../../src/pulumi/knative-serving';
import { parseManifests } from '../../src/pulumi/release-install';
import { DeclaredObjects } from '../../src/pulumi/declared-objects';
import { ConfigError } from '../../src/pulumi/config';

let parsed: Promise<{ crds: any[]; core: any[]; kourier: any[] }> | undefined;
/** The real release files, parsed once per file (parsing them is the slow part); each caller gets its own copy. */
async function manifests() {
  parsed ??= (async () => {
    const { read } = fixtureReader();
    const urls = knativeServingManifestUrls(KNATIVE_SERVING_VERSION, NET_KOURIER_VERSION);
    return {
      crds: parseManifests(await read(urls.crds), 'crds'),
      core: parseManifests(await read(urls.core), 'core'),
      kourier: parseManifests(await read(urls.kourier), 'kourier'),
    };
  })();
  return structuredClone(await parsed);
}

const find = (objs: any[], kind: string, ns: string | undefined, name: string) =>
  objs.find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === ns);

describe('prepareKnativeServing', () => {
  test('pins the release: Knative Serving 1.22.1 with net-kourier 1.22.1, from their GitHub releases', () => {
    expect(knativeServingManifestUrls(KNATIVE_SERVING_VERSION, NET_KOURIER_VERSION)).toEqual({
      crds: 'https://github.com/knative/serving/releases/download/knative-v1.22.1/serving-crds.yaml',
      core: 'https://github.com/knative/serving/releases/download/knative-v1.22.1/serving-core.yaml',
      kourier: 'https://github.com/knative-extensions/net-kourier/releases/download/knative-v1.22.1/kourier.yaml',
    });
  });

  test('serving-core.yaml repeats every CRD of serving-crds.yaml; the stages\' ledger keeps the crds stage\'s copies and the core waits for them', async () => {
    const prepared = prepareKnativeServing(await manifests());
    const crdNames = prepared.crds.map((o) => o.metadata.name);
    expect(crdNames).toHaveLength(12);
    expect(crdNames).toEqual(expect.arrayContaining(['services.serving.knative.dev', 'images.caching.internal.knative.dev', 'podautoscalers.autoscaling.internal.knative.dev']));
    expect(prepared.core.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => o.metadata.name).sort()).toEqual([...crdNames].sort());
    const declared = new DeclaredObjects();
    const crds = declared.claimNow('crds', prepared.crds);
    const core = declared.claimNow('core', prepared.core);
    expect(crds.kept).toHaveLength(12);
    expect(core.kept.filter((o) => o.kind === 'CustomResourceDefinition')).toEqual([]);
    expect(core.kept).toHaveLength(prepared.core.length - 12);
    // The release ships the same CRD twice, byte for byte.
    expect(declared.dropped.map((d) => [d.object.split(' ')[1], d.droppedFrom, d.keptBy, d.identical]).sort())
      .toEqual(crdNames.map((n) => [n, 'core', 'crds', true]).sort());
    const [wait] = declared.waits;
    expect([wait.from, wait.to]).toEqual(['core', 'crds']);
    // serving-core's own custom objects (a caching Image, a networking Certificate) need those CRDs too.
    expect(wait.reasons).toEqual(expect.arrayContaining(['uses CustomResourceDefinition images.caching.internal.knative.dev',
      'uses CustomResourceDefinition certificates.networking.internal.knative.dev']));
  });

  test('selects kourier, sets the domain, and lets requests live as long as the platform needs', async () => {
    const raw = await manifests();
    const prepared = prepareKnativeServing(raw, { domain: '127.0.0.1.sslip.io', maxRevisionTimeoutSeconds: 3600, ingressServiceType: 'NodePort' });
    expect(find(prepared.core, 'ConfigMap', 'knative-serving', 'config-network').data['ingress-class']).toBe('kourier.ingress.networking.knative.dev');
    expect(find(prepared.core, 'ConfigMap', 'knative-serving', 'config-domain').data['127.0.0.1.sslip.io']).toBe('');
    const defaults = find(prepared.core, 'ConfigMap', 'knative-serving', 'config-defaults').data;
    expect(defaults).toEqual({ ...find(raw.core, 'ConfigMap', 'knative-serving', 'config-defaults').data, 'max-revision-timeout-seconds': '3600' });
    expect(find(prepared.core, 'Deployment', 'knative-serving', 'activator').spec.template.spec.terminationGracePeriodSeconds).toBe(3600);
    expect(find(prepared.kourier, 'ConfigMap', 'knative-serving', 'config-kourier').data['stream-idle-timeout']).toBe('3600s');
    expect(find(prepared.kourier, 'Service', 'kourier-system', 'kourier').spec.type).toBe('NodePort');
  });

  test('with default settings, upstream defaults stay (no domain, 600s ceiling, LoadBalancer)', async () => {
    const raw = await manifests();
    const prepared = prepareKnativeServing(raw);
    expect(find(prepared.core, 'ConfigMap', 'knative-serving', 'config-domain')).toEqual(find(raw.core, 'ConfigMap', 'knative-serving', 'config-domain'));
    expect(find(prepared.core, 'ConfigMap', 'knative-serving', 'config-defaults').data['max-revision-timeout-seconds']).toBe('600');
    expect(find(raw.core, 'Deployment', 'knative-serving', 'activator').spec.template.spec.terminationGracePeriodSeconds).toBe(600);
    expect(find(prepared.core, 'Deployment', 'knative-serving', 'activator')).toEqual(find(raw.core, 'Deployment', 'knative-serving', 'activator'));
    expect(find(prepared.kourier, 'Service', 'kourier-system', 'kourier').spec.type).toBe('LoadBalancer');
  });

  test('does not mutate the manifests it is given', async () => {
    const m = await manifests();
    const before = JSON.stringify(m);
    prepareKnativeServing(m, { maxRevisionTimeoutSeconds: 3600, domain: 'x.io', ingressServiceType: 'NodePort' });
    expect(JSON.stringify(m)).toBe(before);
  });

  test('fails clearly when the files are not the release files', async () => {
    const m = await manifests();
    expect(() => prepareKnativeServing({ ...m, core: [] })).toThrow(
      'the Knative manifests lack knative-serving/config-network, knative-serving/config-defaults, knative-serving/activator; are these the serving-core and kourier release files?');
    expect(() => prepareKnativeServing(m, { maxRevisionTimeoutSeconds: 0 })).toThrow(ConfigError);
    expect(() => prepareKnativeServing(m, { maxRevisionTimeoutSeconds: 0 })).toThrow('maxRevisionTimeoutSeconds (0) must be a positive whole number of seconds');
    expect(() => parseManifests('a: [', 'broken.yaml')).toThrow(/^broken\.yaml: document 0: /);
  });

});

describe('KnativeServing under Pulumi mocks', () => {
  test('creates the CRDs, then the core, then kourier, each object in exactly one group', async () => {
    const { read, urls } = fixtureReader();
    const knative = new KnativeServing('knative', { reader: read, maxRevisionTimeoutSeconds: 1200 });
    await settle(knative.ready);
    expect(urls.map((u) => u.split('/').pop())).toEqual(['serving-crds.yaml', 'serving-core.yaml', 'kourier.yaml']);
    const groups = mocked.registrations.filter((r) => r.type === 'kubernetes:yaml/v2:ConfigGroup');
    expect(groups.map((g) => g.name)).toEqual(['knative-crds', 'knative-core', 'knative-kourier']);
    expect(mocked.dependencyNames('kubernetes:yaml/v2:ConfigGroup', 'knative-crds')).toEqual([]);
    expect(mocked.dependencyNames('kubernetes:yaml/v2:ConfigGroup', 'knative-core')).toEqual(['knative-crds']);
    expect(mocked.dependencyNames('kubernetes:yaml/v2:ConfigGroup', 'knative-kourier')).toEqual(['knative-core']);
    const keys = groups.flatMap((g) => g.inputs.objs.map((o: any) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`));
    expect(new Set(keys).size).toBe(keys.length);
    const core = mocked.get('kubernetes:yaml/v2:ConfigGroup', 'knative-core').inputs.objs;
    expect(find(core, 'ConfigMap', 'knative-serving', 'config-defaults').data['max-revision-timeout-seconds']).toBe('1200');
    expect(await valueOf(knative.stages.crds.urn)).toMatch(/knative-crds$/);
  });

  test('its CRDs, registered by the provider as children of the groups, are retained on delete (deleting one deletes every Knative Service); nothing else is', async () => {
    const knative = new KnativeServing('kept', { reader: fixtureReader().read });
    await settle(knative.ready);
    const outcome: { [stage: string]: string[] } = {};
    for (const stage of ['crds', 'core', 'kourier']) {
      const group = mocked.get('kubernetes:yaml/v2:ConfigGroup', `kept-${stage}`);
      for (const child of configGroupChildren(group)) {
        const result = await runTransforms(group, child);
        expect(result.props).toEqual(child.props);
        expect(result.protect).toBe(false);
        if (result.retainOnDelete) (outcome[stage] ??= []).push(child.name);
      }
    }
    expect(Object.keys(outcome)).toEqual(['crds']);
    expect(outcome.crds).toHaveLength(12);
    expect(outcome.crds).toContain('kept-crds:services.serving.knative.dev');
    // Opted out (a throwaway cluster): no transform at all.
    const throwaway = new KnativeServing('throwaway', { reader: fixtureReader().read, retainCustomResourceDefinitions: false });
    await settle(throwaway.ready);
    expect(mocked.get('kubernetes:yaml/v2:ConfigGroup', 'throwaway-crds').transforms).toEqual([]);
  });
});
