import { Chart, Testing } from 'cdk8s';
import {
  DeploymentPlan, Claim, Composition, CrossplaneMode, DeployHints, PlatformPolicy, CrossplanePackages, HelmReleaseTemplate, KeyValueStoreApi, PipelineStep, PlatformApi, SchemaField, KeyValueStoreClaim, KnativeFunction, MessageBrokerClaim, PlatformApis,
  StoreProvider, StoreSize,
} from '../../constructs';
import { findObject, synthValid, validationError, validatorFor, envOf } from '../support/k8s';
import { goTemplateProblems } from '../support/crossplane';

const GCP = { region: 'europe-west1', authorizedNetwork: 'projects/acme/global/networks/apps' };

function apis(mode: CrossplaneMode) {
  const app = Testing.app();
  const chart = new Chart(app, 'apis', { disableResourceNameHashes: true });
  const platform = new PlatformApis(chart, 'Apis', { mode, gcp: GCP });
  const team = new Chart(app, 'team', { namespace: 'shop', disableResourceNameHashes: true });
  return { app, chart, platform, team, objects: synthValid(chart) };
}

const template = (composition: any) => composition.spec.pipeline[0].input.inline.template as string;

describe.each([CrossplaneMode.NAMESPACED, CrossplaneMode.CLAIMS])('KeyValueStore (%s)', (mode) => {
  const { chart, platform, team, objects } = apis(mode);
  const kv = platform.keyValueStore;
  const namespaced = mode === CrossplaneMode.NAMESPACED;
  const localName = `local.${namespaced ? '' : 'x'}keyvaluestores.data.platform-blueprints.io`;

  test('the local composition renders this library\'s Redis, per size, as provider-kubernetes Objects; the template is well formed', () => {
    const local = findObject(objects, 'Composition', localName);
    expect(local.metadata.labels.provider).toBe('local');
    expect(local.spec.pipeline.map((p: any) => p.functionRef.name)).toEqual(['function-go-templating', 'function-auto-ready']);
    const t = template(local);
    expect(goTemplateProblems(t)).toEqual([]);
    for (const size of ['small', 'medium', 'large']) expect(t).toContain(`eq $spec.size "${size}"`);
    expect(t).toContain(namespaced ? '$name := $xr.metadata.name' : '$name := $xr.spec.claimRef.name');
    // The password is generated once, then read back from the composed Secret.
    expect(t).toContain('dig "observed" "resources" "secret-connection" "resource" "spec" "forProvider" "manifest" "stringData" "password" "" .');
    expect(t).toContain('randAlphaNum 32');
    expect(t).toContain('fail "the local KeyValueStore runs one Redis');
    // Names from kubectl-made claims are checked before anything is created.
    expect(t).toContain('{{- if not (regexMatch "^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$" $name) }}{{ fail (printf "KeyValueStore %q: the name must be a DNS-1035 label of at most 40 characters');
    expect(t.includes('CompositeConnectionDetails')).toBe(!namespaced);
    if (!namespaced) expect(t).toContain('dig "observed" "resources" "secret-connection" "connectionDetails" (dict) .');
  });

  test.each([0, 1, 2])('variant %i: every composed Object, and every object inside, validates strictly', (variant) => {
    const rendered = kv.localTemplate.render({ name: 'cache', namespace: 'shop', connectionSecret: 'cache-connection', generated: { zzgenerated: 'x'.repeat(32) } }, variant);
    const v = validatorFor(chart);
    expect(v.validateAll(rendered)).toEqual([]);
    const manifests = rendered.map((o: any) => o.spec.forProvider.manifest);
    expect(v.validateAll(manifests)).toEqual([]);
    // What the composition creates in the claimant's namespace meets the platform policy too.
    expect(PlatformPolicy.check(manifests)).toEqual([]);
    expect(manifests.map((m: any) => `${m.kind}/${m.metadata.name}`)).toEqual([
      'ConfigMap/cache-config', 'StatefulSet/cache', 'Service/cache', 'Service/cache-headless', 'NetworkPolicy/cache-ingress',
      `Secret/${namespaced ? 'cache-connection' : 'cache-redis-auth'}`,
    ]);
    const sts = manifests.find((m: any) => m.kind === 'StatefulSet');
    expect(sts.spec.template.spec.initContainers[0].env).toEqual([{ name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: namespaced ? 'cache-connection' : 'cache-redis-auth', key: 'password' } } }]);
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe(['1Gi', '5Gi', '20Gi'][variant]);
    // Only the pods of bound workloads reach Redis.
    expect(manifests.find((m: any) => m.kind === 'NetworkPolicy').spec.ingress).toEqual([{
      from: [{ podSelector: { matchLabels: { 'bind.platform-blueprints.io/cache': 'client' } } }],
      ports: [{ port: 6379, protocol: 'TCP' }],
    }]);
    const objectOf = (kind: string) => rendered.find((o: any) => o.spec.forProvider.manifest.kind === kind);
    expect(objectOf('StatefulSet').spec.readiness).toEqual({ policy: 'DeriveFromCelQuery', celQuery: 'has(object.status.readyReplicas) && object.status.readyReplicas == object.spec.replicas' });
    expect(objectOf('Secret').spec.forProvider.manifest.stringData).toEqual({ host: 'cache.shop.svc.cluster.local', port: '6379', password: 'x'.repeat(32) });
    expect(objectOf('Secret').spec.providerConfigRef).toEqual(namespaced ? { kind: 'ClusterProviderConfig', name: 'in-cluster' } : { name: 'in-cluster' });
    // Created once, never overwritten: the password Redis started with stays.
    expect(objectOf('Secret').spec.managementPolicies).toEqual(['Observe', 'Create', 'Delete', 'LateInitialize']);
    // With claims, the composite's connection details are read from the Secret as it is.
    expect(objectOf('Secret').spec.connectionDetails?.map((c: any) => `${c.name}/${c.fieldPath}->${c.toConnectionSecretKey}`)).toEqual(namespaced ? undefined
      : ['cache-redis-auth/data.host->host', 'cache-redis-auth/data.port->port', 'cache-redis-auth/data.password->password']);
    expect(objectOf('StatefulSet').spec.managementPolicies).toBeUndefined();
    expect(rendered[0].apiVersion).toBe(namespaced ? 'kubernetes.m.crossplane.io/v1alpha1' : 'kubernetes.crossplane.io/v1alpha2');
  });

  test('size and availability are fixed at creation (a volume cannot change in place)', () => {
    const schema = findObject(objects, 'CompositeResourceDefinition', kv.api.resource.metadata.name!).spec.versions[0].schema.openAPIV3Schema.properties.spec.properties;
    for (const field of ['size', 'highAvailability']) expect(schema[field]['x-kubernetes-validations']).toEqual([{ rule: 'self == oldSelf', message: 'is immutable; create a new one instead' }]);
  });

  test('the gcp composition: a Memorystore instance sized by the API, its password from the provider\'s connection Secret', () => {
    const gcp = findObject(objects, 'Composition', `gcp.${namespaced ? '' : 'x'}keyvaluestores.data.platform-blueprints.io`);
    expect(gcp.metadata.labels.provider).toBe('gcp');
    const [resource] = gcp.spec.pipeline[0].input.resources;
    expect(resource.base).toMatchObject({
      apiVersion: namespaced ? 'redis.gcp.m.upbound.io/v1beta1' : 'redis.gcp.upbound.io/v1beta2',
      kind: 'Instance',
      spec: {
        forProvider: {
          region: 'europe-west1', tier: 'BASIC', memorySizeGb: 1, redisVersion: 'REDIS_7_2', authEnabled: true, transitEncryptionMode: 'DISABLED',
          connectMode: 'PRIVATE_SERVICE_ACCESS', authorizedNetwork: 'projects/acme/global/networks/apps',
        },
        providerConfigRef: namespaced ? { kind: 'ClusterProviderConfig', name: 'default' } : { name: 'default' },
      },
    });
    expect(resource.patches).toEqual([
      { type: 'FromCompositeFieldPath', fromFieldPath: 'spec.size', toFieldPath: 'spec.forProvider.memorySizeGb', transforms: [{ type: 'map', map: { small: 1, medium: 5, large: 16 } }] },
      {
        type: 'FromCompositeFieldPath', fromFieldPath: 'spec.highAvailability', toFieldPath: 'spec.forProvider.tier',
        transforms: [{ type: 'convert', convert: { toType: 'string' } }, { type: 'map', map: { true: 'STANDARD_HA', false: 'BASIC' } }],
      },
      {
        type: 'FromCompositeFieldPath', fromFieldPath: namespaced ? 'metadata.name' : 'metadata.uid', toFieldPath: 'spec.writeConnectionSecretToRef.name',
        transforms: [{ type: 'string', string: { type: 'Format', fmt: '%s-memorystore' } }], policy: { fromFieldPath: 'Required' },
      },
    ]);
    expect(resource.connectionDetails).toEqual([
      { name: 'host', type: 'FromConnectionSecretKey', fromConnectionSecretKey: 'host' },
      { name: 'port', type: 'FromConnectionSecretKey', fromConnectionSecretKey: 'port' },
      { name: 'password', type: 'FromConnectionSecretKey', fromConnectionSecretKey: 'attribute.auth_string' },
    ]);
    const steps = gcp.spec.pipeline.map((p: any) => p.step);
    if (namespaced) {
      // v2: the composition writes the Secret the claim names, with the keys every KeyValueStore composition provides.
      expect(steps).toEqual(['memorystore', 'connection-secret', 'mark-ready']);
      const t = template(gcp.spec.pipeline.find((p: any) => p.step === 'connection-secret') && { spec: { pipeline: [gcp.spec.pipeline[1]] } });
      expect(goTemplateProblems(t)).toEqual([]);
      expect(t).toContain('password: {{ index . "attribute.auth_string" | quote }}');
    } else {
      expect(steps).toEqual(['memorystore', 'mark-ready']);
    }
  });

  test('a claim binds like the in-cluster Redis: host, port, address and password from the connection Secret, and the pod label', () => {
    const fn = new KnativeFunction(team, 'orders', { image: 'ghcr.io/example/orders:1' });
    const claim = new KeyValueStoreClaim(team, 'cache', { api: kv, size: StoreSize.MEDIUM });
    claim.bind(fn);
    claim.bind(fn);
    const objs = synthValid(team);
    expect(envOf(findObject(objs, 'Service', 'orders', 'serving.knative.dev/v1'))).toEqual({
      REDIS_HOST: { secretKeyRef: { name: 'cache-connection', key: 'host' } },
      REDIS_PORT: { secretKeyRef: { name: 'cache-connection', key: 'port' } },
      REDIS_ADDR: '$(REDIS_HOST):$(REDIS_PORT)',
      REDIS_PASSWORD: { secretKeyRef: { name: 'cache-connection', key: 'password' } },
    });
    expect(findObject(objs, 'Service', 'orders', 'serving.knative.dev/v1').spec.template.metadata.labels['bind.platform-blueprints.io/cache']).toBe('client');
    expect(findObject(objs, 'KeyValueStore', 'cache').spec).toMatchObject({ size: 'medium', highAvailability: false });
    expect(Claim.clientLabel('cache')).toBe('bind.platform-blueprints.io/cache');
    // The function waits for the claim (its connection Secret exists once the claim is ready).
    expect(DeployHints.referencesOf(fn.resource)).toContainEqual(claim.claim.objectRef);
    const plan = DeploymentPlan.of(team.node.root);
    const claimKey = DeploymentPlan.objectKey(claim.claim.objectRef.apiVersion, claim.claim.objectRef.kind, 'cache', 'shop');
    expect(plan.object(DeploymentPlan.objectKey('serving.knative.dev/v1', 'Service', 'orders', 'shop'))!.dependsOn).toContain(claimKey);
  });
});

describe('KeyValueStoreClaim bad input', () => {
  const { platform, team } = apis(CrossplaneMode.NAMESPACED);
  test.each([
    ['high availability from the local composition', { provider: StoreProvider.LOCAL, highAvailability: true }, 'highAvailability (true) is not offered by the local composition (one Redis); claim provider: StoreProvider.GCP'],
    ['high availability from the default (local) composition', { highAvailability: true }, 'highAvailability (true) is not offered by the local composition'],
    ['an unknown provider', { provider: 'azure' }, 'provider ("azure") must be one of local, gcp'],
    ['a provider and a selector', { provider: StoreProvider.GCP, compositionSelector: { provider: 'gcp' } }, 'provider ("gcp") and compositionSelector are both set'],
    ['a size outside the API', { size: 'huge' }, 'spec.size ("huge") must be one of small, medium, large'],
    ['a name Redis objects cannot carry', { name: '1cache' }, 'name ("1cache") must be a DNS-1035 label'],
  ])('rejects %s', (_case, props, message) => {
    // One id per case (a refused claim leaves its construct behind), stable so the catalogue's examples are.
    const id = `cache-${_case.replace(/[^a-z]+/g, '-').replace(/-+$/, '')}`;
    expect(validationError(() => new KeyValueStoreClaim(team, id, { api: platform.keyValueStore, ...(props as any) })).message).toContain(message);
  });

  test('a workload of another namespace cannot bind (the connection Secret is namespaced)', () => {
    const claim = new KeyValueStoreClaim(team, 'kv', { api: platform.keyValueStore, provider: StoreProvider.GCP, highAvailability: true });
    const other = new KnativeFunction(new Chart(team.node.root as any, 'other', { namespace: 'elsewhere' }), 'fn', { image: 'ghcr.io/example/fn:1' });
    expect(validationError(() => claim.bind(other)).message).toContain('bind ("other/fn") is in namespace elsewhere, the connection Secret in shop');
  });

  test('the gcp composition checks its settings', () => {
    const chart = Testing.chart();
    expect(validationError(() => new KeyValueStoreApi(chart, 'a', { gcp: { region: 'europe-west1', authorizedNetwork: 'apps' } })).message)
      .toContain('gcp.authorizedNetwork ("apps") must be a VPC network path');
    expect(validationError(() => new KeyValueStoreApi(chart, 'b', { gcp: { ...GCP, redisVersion: '7.2' } })).message).toContain('gcp.redisVersion ("7.2") is not a Memorystore version');
    expect(validationError(() => new KeyValueStoreApi(chart, 'c', { defaultProvider: StoreProvider.GCP })).message).toContain('defaultProvider ("gcp") needs the gcp composition');
  });
});

describe.each([CrossplaneMode.NAMESPACED, CrossplaneMode.CLAIMS])('MessageBroker (%s)', (mode) => {
  const { chart, platform, team, objects } = apis(mode);
  const mq = platform.messageBroker;
  const namespaced = mode === CrossplaneMode.NAMESPACED;

  test('the local composition renders this library\'s RabbitmqCluster per size and availability; the credentials flow from the operator\'s Secret', () => {
    const local = findObject(objects, 'Composition', `local.${namespaced ? '' : 'x'}messagebrokers.messaging.platform-blueprints.io`);
    const t = template(local);
    expect(goTemplateProblems(t)).toEqual([]);
    expect(t).toContain('and (eq $spec.size "large") $spec.highAvailability');
    expect(t).toContain('"fieldPath": "data.password"');
    if (!namespaced) expect(t).toContain('dig "observed" "resources" "rabbitmqcluster-main" "connectionDetails" (dict) .');
    const ha = mq.localTemplate.render({ name: 'events', namespace: 'shop', connectionSecret: 'events-connection' }, 4);
    const single = mq.localTemplate.render({ name: 'events', namespace: 'shop', connectionSecret: 'events-connection' }, 5);
    const v = validatorFor(chart);
    for (const rendered of [ha, single]) {
      expect(v.validateAll(rendered)).toEqual([]);
      expect(v.validateAll(rendered.map((o: any) => o.spec.forProvider.manifest))).toEqual([]);
      expect(PlatformPolicy.check(rendered.map((o: any) => o.spec.forProvider.manifest))).toEqual([]);
    }
    expect(ha.map((o: any) => o.spec.forProvider.manifest.kind)).toEqual(['RabbitmqCluster', 'PodDisruptionBudget', 'NetworkPolicy']);
    expect(single.map((o: any) => o.spec.forProvider.manifest.kind)).toEqual(['RabbitmqCluster', 'NetworkPolicy']);
    const cluster = ha[0];
    expect(cluster.spec.forProvider.manifest.spec.replicas).toBe(3);
    expect(cluster.spec.connectionDetails).toEqual(['username', 'password', 'host', 'port'].map((k) => ({
      apiVersion: 'v1', kind: 'Secret', name: 'events-default-user', namespace: 'shop', fieldPath: `data.${k}`, toConnectionSecretKey: k,
    })));
    expect(cluster.spec.writeConnectionSecretToRef).toEqual(namespaced ? { name: 'events-connection' } : { name: '00000000-0000-0000-0000-000000000000-amqp', namespace: 'crossplane-system' });
    expect(ha[2].spec.forProvider.manifest.spec.ingress).toContainEqual({
      from: [{ podSelector: { matchLabels: { 'bind.platform-blueprints.io/events': 'client' } } }],
      ports: [{ port: 5672, protocol: 'TCP' }, { port: 5671, protocol: 'TCP' }],
    });
  });

  test('a claim binds AMQP credentials by Secret reference', () => {
    const fn = new KnativeFunction(team, 'worker', { image: 'ghcr.io/example/worker:1' });
    new MessageBrokerClaim(team, 'events', { api: mq, highAvailability: true }).bind(fn);
    const objs = synthValid(team);
    expect(envOf(findObject(objs, 'Service', 'worker', 'serving.knative.dev/v1'))).toEqual({
      AMQP_HOST: { secretKeyRef: { name: 'events-connection', key: 'host' } },
      AMQP_PORT: { secretKeyRef: { name: 'events-connection', key: 'port' } },
      AMQP_USERNAME: { secretKeyRef: { name: 'events-connection', key: 'username' } },
      AMQP_PASSWORD: { secretKeyRef: { name: 'events-connection', key: 'password' } },
    });
    expect(findObject(objs, 'MessageBroker', 'events').spec).toMatchObject({ size: 'small', highAvailability: true });
  });
});

describe('CrossplanePackages', () => {
  test.each([CrossplaneMode.NAMESPACED, CrossplaneMode.CLAIMS])('%s: the functions used, provider-kubernetes with a fixed ServiceAccount, exactly the RBAC the Objects need', (mode) => {
    const { objects } = apis(mode);
    expect(objects.filter((o) => o.kind === 'Function').map((o) => [o.metadata.name, o.spec.package])).toEqual([
      ['function-auto-ready', 'xpkg.crossplane.io/crossplane-contrib/function-auto-ready:v0.6.0'],
      ['function-go-templating', 'xpkg.crossplane.io/crossplane-contrib/function-go-templating:v0.11.3'],
      ['function-patch-and-transform', 'xpkg.crossplane.io/crossplane-contrib/function-patch-and-transform:v0.10.3'],
    ]);
    expect(findObject(objects, 'Provider', 'provider-kubernetes').spec).toEqual({
      package: 'xpkg.crossplane.io/crossplane-contrib/provider-kubernetes:v1.2.1',
      runtimeConfigRef: { apiVersion: 'pkg.crossplane.io/v1beta1', kind: 'DeploymentRuntimeConfig', name: 'provider-kubernetes' },
    });
    expect(findObject(objects, 'DeploymentRuntimeConfig', 'provider-kubernetes').spec).toEqual({ serviceAccountTemplate: { metadata: { name: 'provider-kubernetes' } } });
    const config = objects.find((o) => o.metadata.name === 'in-cluster');
    expect([config.apiVersion, config.kind, config.spec]).toEqual(mode === CrossplaneMode.NAMESPACED
      ? ['kubernetes.m.crossplane.io/v1alpha1', 'ClusterProviderConfig', { credentials: { source: 'InjectedIdentity' } }]
      : ['kubernetes.crossplane.io/v1alpha1', 'ProviderConfig', { credentials: { source: 'InjectedIdentity' } }]);
    const verbs = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
    // Crossplane already lets providers manage Secrets and ConfigMaps; no wildcard anywhere.
    expect(findObject(objects, 'ClusterRole', 'platform-blueprints:provider-kubernetes').rules).toEqual([
      { apiGroups: [''], resources: ['services'], verbs },
      { apiGroups: ['apps'], resources: ['statefulsets'], verbs },
      { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs },
      { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs },
      { apiGroups: ['rabbitmq.com'], resources: ['rabbitmqclusters'], verbs },
    ]);
    expect(findObject(objects, 'ClusterRoleBinding', 'platform-blueprints:provider-kubernetes').subjects).toEqual([
      { kind: 'ServiceAccount', name: 'provider-kubernetes', namespace: 'crossplane-system' },
    ]);
  });

  test('needs compositions', () => {
    expect(validationError(() => new CrossplanePackages(Testing.chart(), 'p')).message).toContain('compositions ([]) is empty; create the compositions first, or list them');
  });

  test('with only cloud compositions, no provider-kubernetes', () => {
    const chart = Testing.chart();
    const kv = new KeyValueStoreApi(chart, 'kv', { gcp: GCP, defaultProvider: StoreProvider.GCP });
    const pkgs = new CrossplanePackages(chart, 'p', { compositions: [kv.gcp!] });
    expect(pkgs.providerKubernetes).toBeUndefined();
    expect(pkgs.functions.map((f) => f.name)).toEqual(['function-auto-ready', 'function-go-templating', 'function-patch-and-transform']);
  });
});

describe('HelmReleaseTemplate and provider-helm', () => {
  test.each([CrossplaneMode.NAMESPACED, CrossplaneMode.CLAIMS])('%s: a chart released into the claim\'s namespace, named after it; provider-helm installed with RBAC for the chart\'s kinds', (mode) => {
    const app = Testing.app();
    const chart = new Chart(app, 'apis', { disableResourceNameHashes: true });
    const api = new PlatformApi(chart, 'Cache', { group: 'cache.example.org', kind: 'Memcached', mode, spec: { size: SchemaField.string({ enum: ['small', 'large'], default: 'small' }) } });
    const release = HelmReleaseTemplate.of(chart, {
      api, chart: { name: 'memcached', repository: 'https://charts.example.org', version: '7.4.1' },
      values: { architecture: 'standalone' }, valuesFromComposite: { 'spec.size': 'resourcesPreset' },
    });
    new Composition(chart, 'Helm', { api, default: true, pipeline: [PipelineStep.patchAndTransform('release', [release]), PipelineStep.autoReady()] });
    new CrossplanePackages(chart, 'Packages', { helmChartKinds: [{ apiVersion: 'apps/v1', kind: 'StatefulSet' }, { apiVersion: 'v1', kind: 'Service' }] });
    const objects = synthValid(chart);
    const namespaced = mode === CrossplaneMode.NAMESPACED;
    const [resource] = findObject(objects, 'Composition', `helm.${namespaced ? '' : 'x'}memcacheds.cache.example.org`).spec.pipeline[0].input.resources;
    expect(resource.base).toEqual({
      apiVersion: namespaced ? 'helm.m.crossplane.io/v1beta1' : 'helm.crossplane.io/v1beta1',
      kind: 'Release',
      spec: {
        forProvider: { chart: { name: 'memcached', repository: 'https://charts.example.org', version: '7.4.1' }, namespace: 'default', values: { architecture: 'standalone' } },
        providerConfigRef: namespaced ? { kind: 'ClusterProviderConfig', name: 'in-cluster' } : { name: 'in-cluster' },
      },
    });
    // The base validates against provider-helm's own schema (with a name, as Crossplane gives it).
    const base = { ...resource.base, metadata: { name: 'cache-abcde', ...(namespaced ? { namespace: 'shop' } : {}) } };
    expect(validatorFor(chart).validateAll([base])).toEqual([]);
    expect(resource.patches.map((p: any) => [p.fromFieldPath, p.toFieldPath])).toEqual([
      [namespaced ? 'metadata.namespace' : 'spec.claimRef.namespace', 'spec.forProvider.namespace'],
      [namespaced ? 'metadata.name' : 'spec.claimRef.name', 'metadata.annotations[crossplane.io/external-name]'],
      ['spec.size', 'spec.forProvider.values.resourcesPreset'],
    ]);
    expect(findObject(objects, 'Provider', 'provider-helm').spec.package).toBe('xpkg.crossplane.io/crossplane-contrib/provider-helm:v1.4.0');
    const config = objects.find((o) => o.metadata.name === 'in-cluster');
    expect([config.apiVersion, config.kind]).toEqual(namespaced ? ['helm.m.crossplane.io/v1beta1', 'ClusterProviderConfig'] : ['helm.crossplane.io/v1beta1', 'ProviderConfig']);
    expect(findObject(objects, 'ClusterRole', 'platform-blueprints:provider-helm').rules.map((r: any) => [r.apiGroups[0], r.resources])).toEqual([['', ['services']], ['apps', ['statefulsets']]]);
    expect(objects.find((o) => o.kind === 'Provider' && o.metadata.name === 'provider-kubernetes')).toBeUndefined();
  });

  test('bad chart references and missing RBAC kinds', () => {
    const chart = Testing.chart();
    const api = new PlatformApi(chart, 'Cache', { group: 'cache.example.org', kind: 'Memcached', spec: { size: SchemaField.string() } });
    const chartRef = { name: 'memcached', repository: 'https://charts.example.org', version: '7.4.1' };
    expect(validationError(() => HelmReleaseTemplate.of(chart, { api, chart: { ...chartRef, version: 'latest' } })).message).toContain('chart.version ("latest") must be an exact semantic version');
    expect(validationError(() => HelmReleaseTemplate.of(chart, { api, chart: { ...chartRef, repository: 'charts.example.org' } })).message).toContain('chart.repository ("charts.example.org") must be an http(s) or oci URL');
    new Composition(chart, 'Helm', { api, pipeline: [PipelineStep.patchAndTransform('release', [HelmReleaseTemplate.of(chart, { api, chart: chartRef })])] });
    expect(validationError(() => new CrossplanePackages(chart, 'Packages')).message).toContain('helmChartKinds (undefined) must list the kinds the composed Helm charts install');
  });
});
