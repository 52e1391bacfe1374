/**
 * One case per input rule: each provokes the rule through the public API and checks the ValidationError it throws
 * (the class, the field it names, and the rule in its message).
 */
import { ApiObject, Chart, Duration, Testing } from 'cdk8s';
import {
  ApiServerSource, ChannelBroker, Claim, CloudEventType, Composition, ConnectionDetail, ContainerSource, CrossplanePackages, EventFilter,
  FunctionsPlatform, GeneratedValue, HelmReleaseTemplate, InClusterTemplate, KeyValueStoreApi, KeyValueStoreClaim, KnativeFunction, MessageBrokerApi,
  MessageBrokerClaim, Patch, PipelineStep, PlatformApi, PlatformApiProps, PlatformPolicy, RabbitmqBroker, RabbitmqCluster, RabbitmqUser,
  RabbitmqVhost, ScalingMetric, SchemaField, ValidationError,
} from '../../constructs';

const IMAGE = 'ghcr.io/example/fn:1.0.0';

/** Runs `fn` and checks that it throws a ValidationError naming `field`, with a message matching `rule`. */
function expectInvalid(fn: () => unknown, field: string, rule: RegExp): ValidationError {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  if (thrown === undefined) throw new Error(`expected a ValidationError on ${field}, nothing was thrown`);
  if (!ValidationError.isValidationError(thrown)) throw new Error(`expected a ValidationError on ${field}, got: ${(thrown as Error)?.stack ?? thrown}`);
  expect(thrown).toBeInstanceOf(ValidationError);
  expect(thrown.field).toBe(field);
  expect(thrown.message).toMatch(rule);
  // `<construct path>: <field> ...`
  expect(thrown.message.startsWith(`${thrown.constructPath}: ${field} `)).toBe(true);
  return thrown;
}

function scope(namespace: string | undefined = 'x'): { app: ReturnType<typeof Testing.app>; chart: Chart } {
  const app = Testing.app();
  const chart = new Chart(app, 'c', { namespace, disableResourceNameHashes: true });
  return { app, chart };
}

/** A small namespaced platform API. */
function platformApi(chart: Chart, id: string = 'Api', extra: Partial<PlatformApiProps> = {}): PlatformApi {
  return new PlatformApi(chart, id, { group: 'db.example.org', kind: 'Database', spec: { size: SchemaField.string({ enum: ['small', 'large'] }) }, ...extra });
}

/** A DNS-1035 label of `n` characters. */
function label(n: number): string {
  return 'a'.repeat(n);
}

describe('constructs/bundles/functions-platform.ts', () => {
  test('FunctionsPlatform: store must be one of the StoreBackend values', () => {
    const { chart } = scope(undefined);
    expectInvalid(() => new FunctionsPlatform(chart, 'platform', { namespace: 'games', functions: [{ name: 'score', image: IMAGE }], store: 'cloud' as any }),
      'store', /store \("cloud"\) must be one of in-cluster, claim$/);
  });
});

describe('constructs/core/validate.ts', () => {
  test('requireNumber(): must be >= min (scale.targetUtilizationPercentage)', () => {
    const { chart } = scope();
    expectInvalid(() => new KnativeFunction(chart, 'fn', { image: IMAGE, scale: { targetUtilizationPercentage: 0.5 } }),
      'scale.targetUtilizationPercentage', /scale\.targetUtilizationPercentage \(0\.5\) must be >= 1$/);
  });

  test('requireNumber(): must be <= max (scale.targetUtilizationPercentage)', () => {
    const { chart } = scope();
    expectInvalid(() => new KnativeFunction(chart, 'fn', { image: IMAGE, scale: { targetUtilizationPercentage: 100.5 } }),
      'scale.targetUtilizationPercentage', /scale\.targetUtilizationPercentage \(100\.5\) must be <= 100$/);
  });

  test('requireAnnotationKeys(): an annotation key that is not a qualified name', () => {
    const { chart } = scope();
    expectInvalid(() => new KnativeFunction(chart, 'fn', { image: IMAGE, annotations: { 'bad key!': 'v' } }),
      'annotations key', /annotations key \("bad key!"\) name part "bad key!" must be at most 63 characters/);
  });
});

describe('constructs/crossplane/api.ts', () => {
  test('PlatformApi: plural makes the XRD name too long', () => {
    const { chart } = scope();
    // Each part is valid on its own: a 63-character plural and a 246-character group; together they exceed 253.
    const group = [label(60), label(60), label(60), label(60)].join('.') + '.org';
    expect(group.length).toBeLessThanOrEqual(253);
    expectInvalid(() => platformApi(chart, 'Api', { group, plural: label(63) }),
      'plural', /plural \("a{63}"\) makes the XRD name "a{63}\.a{60}\..*\.org", which is too long$/);
  });

  test('PlatformApi._addComposition: name is already a composition of the API', () => {
    const { chart } = scope();
    const api = platformApi(chart);
    new Composition(chart, 'First', { api, name: 'same.databases.db.example.org', pipeline: [PipelineStep.autoReady()] });
    expectInvalid(() => new Composition(chart, 'Second', { api, name: 'same.databases.db.example.org', pipeline: [PipelineStep.autoReady()] }),
      'name', /name \("same\.databases\.db\.example\.org"\) is already a composition of Database$/);
  });
});

describe('constructs/crossplane/claim.ts', () => {
  test('Claim: api must be a PlatformApi', () => {
    const { chart } = scope();
    expectInvalid(() => new Claim(chart, 'db', { api: { kind: 'Database' } as any, spec: { size: 'small' } }),
      'api', /api \(\{"kind":"Database"\}\) must be a PlatformApi$/);
  });

  test('Claim: composition is not a composition of the API', () => {
    const { chart } = scope();
    const api = platformApi(chart);
    new Composition(chart, 'Local', { api, pipeline: [PipelineStep.autoReady()] });
    const other = platformApi(chart, 'Other', { group: 'cache.example.org', kind: 'Cache' });
    const foreign = new Composition(chart, 'Foreign', { api: other, pipeline: [PipelineStep.autoReady()] });
    expectInvalid(() => new Claim(chart, 'db', { api, composition: foreign, spec: { size: 'small' } }),
      'composition', /composition \("foreign\.caches\.cache\.example\.org"\) is not a composition of Database$/);
  });

  test('Claim: connectionSecretName is set, but the API has no connection details', () => {
    const { chart } = scope();
    const api = platformApi(chart);
    new Composition(chart, 'Local', { api, pipeline: [PipelineStep.autoReady()] });
    expectInvalid(() => new Claim(chart, 'db', { api, connectionSecretName: 'db-secret', spec: { size: 'small' } }),
      'connectionSecretName', /connectionSecretName \("db-secret"\) is set, but Database has no connection details$/);
  });
});

describe('constructs/crossplane/composition.ts', () => {
  const base = { apiVersion: 'v1', kind: 'ConfigMap' };

  test('PatchAndTransformStep._input: resources must list at least one resource', () => {
    const { chart } = scope();
    const api = platformApi(chart);
    expectInvalid(() => new Composition(chart, 'Local', { api, pipeline: [PipelineStep.patchAndTransform('resources', [])] }),
      'pipeline[0].resources', /pipeline\[0\]\.resources \(\[\]\) must list at least one resource$/);
  });

  test('PatchAndTransformStep._input: a resource name must be a DNS-1123 label', () => {
    const { chart } = scope();
    const api = platformApi(chart);
    expectInvalid(() => new Composition(chart, 'Local', { api, pipeline: [PipelineStep.patchAndTransform('resources', [{ name: 'Config_Map', base }])] }),
      'pipeline[0].resources[0].name', /pipeline\[0\]\.resources\[0\]\.name \("Config_Map"\) must be a DNS-1123 label; e\.g\. "memorystore"$/);
  });

  test('Patch._render: a combine patch must list at least one variable', () => {
    const { chart } = scope();
    const api = platformApi(chart);
    const patches = [Patch.combineFromComposite([], 'fixed', 'metadata.labels[size]')];
    expectInvalid(() => new Composition(chart, 'Local', { api, pipeline: [PipelineStep.patchAndTransform('resources', [{ name: 'config', base, patches }])] }),
      'pipeline[0].resources[0].patches[0].variables', /patches\[0\]\.variables \(\[\]\) must list at least one field$/);
  });

  test('ConnectionDetail._render: name must be a Secret key', () => {
    const { chart } = scope();
    const api = platformApi(chart, 'Api', { connectionSecretKeys: ['host'] });
    const connectionDetails = [ConnectionDetail.fromValue('host name', 'localhost')];
    expectInvalid(() => new Composition(chart, 'Local', { api, pipeline: [PipelineStep.patchAndTransform('resources', [{ name: 'config', base, connectionDetails }])] }),
      'pipeline[0].resources[0].connectionDetails[0].name', /connectionDetails\[0\]\.name \("host name"\) must be a Secret key$/);
  });

  test('Composition: api must be a PlatformApi', () => {
    const { chart } = scope();
    expectInvalid(() => new Composition(chart, 'Local', { api: 'databases.db.example.org' as any, pipeline: [PipelineStep.autoReady()] }),
      'api', /api \("databases\.db\.example\.org"\) must be a PlatformApi$/);
  });

  test('Composition: name must be a DNS-1123 subdomain', () => {
    const { chart } = scope();
    const api = platformApi(chart);
    expectInvalid(() => new Composition(chart, 'Local', { api, name: 'Local_Database', pipeline: [PipelineStep.autoReady()] }),
      'name', /name \("Local_Database"\) must be a DNS-1123 subdomain; e\.g\. /);
  });

  test('Composition: pipeline has more than 99 steps', () => {
    const { chart } = scope();
    const api = platformApi(chart);
    const pipeline = Array.from({ length: 100 }, (_, i) => PipelineStep.autoReady(`ready-${i}`));
    expectInvalid(() => new Composition(chart, 'Local', { api, pipeline }),
      'pipeline', /pipeline \(100\) has more than 99 steps, the most Crossplane allows$/);
  });

  test('Composition: a step name must be a DNS-1123 label', () => {
    const { chart } = scope();
    const api = platformApi(chart);
    expectInvalid(() => new Composition(chart, 'Local', { api, pipeline: [PipelineStep.autoReady(), PipelineStep.autoReady('Mark_Ready')] }),
      'pipeline[1].step', /pipeline\[1\]\.step \("Mark_Ready"\) must be a DNS-1123 label$/);
  });

  test('Composition: connectionSecretsNamespace must be a namespace name', () => {
    const { chart } = scope();
    const api = platformApi(chart);
    expectInvalid(() => new Composition(chart, 'Local', { api, connectionSecretsNamespace: 'crossplane.system', pipeline: [PipelineStep.autoReady()] }),
      'connectionSecretsNamespace', /connectionSecretsNamespace \("crossplane\.system"\) must be a namespace name$/);
  });

  test('HelmReleaseTemplate.of: chart.name must be a chart name', () => {
    const { chart } = scope();
    const api = platformApi(chart);
    expectInvalid(() => HelmReleaseTemplate.of(chart, { api, chart: { name: 'My_Chart', repository: 'https://charts.example.org', version: '1.0.0' } }),
      'chart.name', /chart\.name \("My_Chart"\) must be a chart name \(DNS-1123 label\)$/);
  });
});

describe('constructs/crossplane/in-cluster.ts', () => {
  const nothing = { addObjects: () => undefined };

  test('InClusterTemplate: variants must list at least one variant', () => {
    const { chart } = scope();
    const api = platformApi(chart);
    expectInvalid(() => new InClusterTemplate(chart, { api, variants: [] }), 'variants', /variants \(\[\]\) must list at least one variant$/);
  });

  test('InClusterTemplate: when is required except on the last variant', () => {
    const { chart } = scope();
    const api = platformApi(chart);
    expectInvalid(() => new InClusterTemplate(chart, { api, variants: [{ builder: nothing }, { builder: nothing }] }),
      'variants[0].when', /variants\[0\]\.when \(undefined\) is required except on the last variant$/);
  });

  test('InClusterTemplate: maxNameLength is a label length (2..63), not any number', () => {
    const { chart } = scope();
    const api = platformApi(chart);
    expectInvalid(() => new InClusterTemplate(chart, { api, variants: [{ builder: nothing }], maxNameLength: 64 }), 'maxNameLength', /maxNameLength \(64\) must be <= 63$/);
    expectInvalid(() => new InClusterTemplate(chart, { api, variants: [{ builder: nothing }], maxNameLength: 1.5 }), 'maxNameLength', /maxNameLength \(1\.5\) must be a whole number$/);
  });

  test('InClusterTemplate: a generated value\'s length is what randAlphaNum can take (1..256), its placeholder one the template can hold', () => {
    const { chart } = scope();
    const api = platformApi(chart);
    const make = (g: Partial<GeneratedValue>) => () => new InClusterTemplate(chart, {
      api, variants: [{ builder: nothing }], generated: [{ placeholder: 'zzpassword', length: 32, resource: 'secret-main', path: ['stringData', 'password'], ...g }],
    });
    // Unchecked, these would fail only when Crossplane renders the template (`randAlphaNum 1.5`, `randAlphaNum 1e+21`).
    expectInvalid(make({ length: 1.5 }), 'generated[0].length', /generated\[0\]\.length \(1\.5\) must be a whole number$/);
    expectInvalid(make({ length: 1e21 }), 'generated[0].length', /generated\[0\]\.length \(1e\+21\) must be <= 256$/);
    expectInvalid(make({ length: 0 }), 'generated[0].length', /generated\[0\]\.length \(0\) must be >= 1$/);
    expectInvalid(make({ placeholder: '' }), 'generated[0].placeholder',
      /generated\[0\]\.placeholder \(""\) must be "zz" followed by lowercase letters; e\.g\. "zzpassword": it becomes a template variable and is replaced wherever it appears$/);
    expectInvalid(make({ placeholder: 'zz-pass' }), 'generated[0].placeholder', /must be "zz" followed by lowercase letters/);
    expectInvalid(make({ placeholder: 'zzn' }), 'generated[0].placeholder',
      /generated\[0\]\.placeholder \("zzn"\) overlaps the placeholder "zzname"; choose a placeholder that is neither part of another nor holds one$/);
    expectInvalid(make({ placeholder: 'zznamespace' }), 'generated[0].placeholder', /overlaps the placeholder "zzname"/);
    expectInvalid(make({ placeholder: 'zzuid' }), 'generated[0].placeholder', /generated\[0\]\.placeholder \("zzuid"\) is used twice/);
    expectInvalid(make({ resource: '' }), 'generated[0].resource', /generated\[0\]\.resource \(""\) must name a composed resource$/);
    expectInvalid(make({ path: [] }), 'generated[0].path', /generated\[0\]\.path \(\[\]\) must be a non-empty list of field names; e\.g\. \["stringData", "password"\]$/);
    expectInvalid(() => new InClusterTemplate(chart, { api, variants: [{ builder: nothing }], generated: [null as any] }), 'generated[0]', /must be a GeneratedValue/);
    expectInvalid(() => new InClusterTemplate(chart, { api, variants: [{ builder: nothing }], generated: 'x' as any }), 'generated', /must be a list of GeneratedValue$/);
    const ok = new InClusterTemplate(chart, { api, variants: [{ builder: nothing }], generated: [{ placeholder: 'zzpassword', length: 256, resource: 'secret-main', path: ['stringData', 'password'] }] });
    expect(ok.toGoTemplate()).toContain('{{- if not $zzpassword }}{{ $zzpassword = randAlphaNum 256 }}{{ end }}');
  });

  test('InClusterTemplate: "{{" in the built objects', () => {
    const { chart } = scope();
    const api = platformApi(chart);
    const builder = {
      addObjects: (c: Chart) => {
        new ApiObject(c, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'greeting' }, data: { text: 'Hello {{ name }}' } });
      },
    };
    expectInvalid(() => new InClusterTemplate(chart, { api, variants: [{ builder }] }),
      'variants[0]', /variants\[0\] \("\{\{"\) appears in the built objects, which would break the Go template$/);
  });
});

describe('constructs/crossplane/key-value-store.ts', () => {
  test('KeyValueStoreApi: defaultProvider must be one of the StoreProvider values', () => {
    const { chart } = scope();
    expectInvalid(() => new KeyValueStoreApi(chart, 'kv', { defaultProvider: 'azure' as any }),
      'defaultProvider', /defaultProvider \("azure"\) must be one of local, gcp$/);
  });

  test('KeyValueStoreClaim: api must be a KeyValueStoreApi', () => {
    const { chart } = scope();
    // The generic PlatformApi inside the KeyValueStoreApi instead of the KeyValueStoreApi (a construct: shown by path).
    const kv = new KeyValueStoreApi(chart, 'kv');
    expectInvalid(() => new KeyValueStoreClaim(chart, 'cache', { api: kv.api as any }),
      'api', /api \(PlatformApi c\/kv\/[^)]+\) must be a KeyValueStoreApi$/);
  });

  test('KeyValueStoreClaim: name must be at most 40 characters', () => {
    const { chart } = scope();
    const api = new KeyValueStoreApi(chart, 'kv');
    expectInvalid(() => new KeyValueStoreClaim(chart, 'cache', { api, name: label(41) }),
      'name', /name \("a{41}"\) must be at most 40 characters; the local composition derives longer names from it$/);
  });
});

describe('constructs/crossplane/message-broker.ts', () => {
  test('MessageBrokerClaim: api must be a MessageBrokerApi', () => {
    const { chart } = scope();
    // The store's API where the broker's belongs.
    const kv = new KeyValueStoreApi(chart, 'kv');
    expectInvalid(() => new MessageBrokerClaim(chart, 'events', { api: kv as any }),
      'api', /api \(KeyValueStoreApi c\/kv\) must be a MessageBrokerApi$/);
  });

  test('MessageBrokerClaim: name must be at most 42 characters', () => {
    const { chart } = scope();
    const api = new MessageBrokerApi(chart, 'mq');
    expectInvalid(() => new MessageBrokerClaim(chart, 'events', { api, name: label(43) }),
      'name', /name \("a{43}"\) must be at most 42 characters; the RabbitMQ operator derives longer names from it$/);
  });
});

describe('constructs/crossplane/packages.ts', () => {
  test('rbacRules(): a composed kind whose RBAC resource name is unknown', () => {
    const { chart } = scope();
    const api = platformApi(chart);
    const release = HelmReleaseTemplate.of(chart, { api, chart: { name: 'widgets', repository: 'https://charts.example.org', version: '1.0.0' } });
    const composition = new Composition(chart, 'Helm', { api, pipeline: [PipelineStep.patchAndTransform('release', [release])] });
    expectInvalid(() => new CrossplanePackages(chart, 'packages', { compositions: [composition], helmChartKinds: [{ apiVersion: 'example.org/v1', kind: 'Widget' }] }),
      'compositions', /compositions \("example\.org\/v1 Widget"\) composes a kind whose RBAC resource name is unknown; /);
  });
});

describe('constructs/crossplane/schema.ts', () => {
  test('SchemaField._check: description must be a string', () => {
    const { chart } = scope();
    expectInvalid(() => platformApi(chart, 'Api', { spec: { size: SchemaField.string({ description: 42 as any }) } }),
      'spec.size.description', /spec\.size\.description \(42\) must be a string$/);
  });

  test('SchemaField._check: items must be a SchemaField', () => {
    const { chart } = scope();
    expectInvalid(() => platformApi(chart, 'Api', { spec: { tags: SchemaField.array({ type: 'string' } as any) } }),
      'spec.tags.items', /spec\.tags\.items \(\{"type":"string"\}\) must be a SchemaField; /);
  });

  test('SchemaField._check: values must be a SchemaField', () => {
    const { chart } = scope();
    expectInvalid(() => platformApi(chart, 'Api', { spec: { labels: SchemaField.map('string' as any) } }),
      'spec.labels.values', /spec\.labels\.values \("string"\) must be a SchemaField$/);
  });

  test('SchemaField._check: values.required has no meaning for map values', () => {
    const { chart } = scope();
    expectInvalid(() => platformApi(chart, 'Api', { spec: { labels: SchemaField.map(SchemaField.string({ required: true })) } }),
      'spec.labels.values.required', /spec\.labels\.values\.required \(true\) has no meaning for map values$/);
  });
});

describe('constructs/eventing/broker.ts', () => {
  test('RabbitmqBroker: queueType must be one of the QueueType values', () => {
    const { chart } = scope('events');
    const cluster = new RabbitmqCluster(chart, 'rabbitmq');
    expectInvalid(() => new RabbitmqBroker(chart, 'game', { cluster, queueType: 'lazy' as any }),
      'queueType', /queueType \("lazy"\) must be one of quorum, classic$/);
  });
});

describe('constructs/eventing/event-type.ts', () => {
  test('requireEventType(): must be a CloudEventType', () => {
    const { chart } = scope('events');
    const sink = new ChannelBroker(chart, 'default');
    expectInvalid(() => new ContainerSource(chart, 'heartbeat', { image: IMAGE, sink, emits: ['dev.example.heartbeat' as any] }),
      'emits[0]', /emits\[0\] \("dev\.example\.heartbeat"\) must be a CloudEventType; /);
  });

  test('requireEventType(): schema must be an absolute URI', () => {
    const { chart } = scope('events');
    const sink = new ChannelBroker(chart, 'default');
    const type = CloudEventType.of('dev.example.heartbeat', { schema: 'schemas/heartbeat.json' });
    expectInvalid(() => new ContainerSource(chart, 'heartbeat', { image: IMAGE, sink, emits: [type] }),
      'emits[0].schema', /emits\[0\]\.schema \("schemas\/heartbeat\.json"\) must be an absolute URI$/);
  });
});

describe('constructs/eventing/filter.ts', () => {
  function subscribe(filter: EventFilter): void {
    const { chart } = scope('events');
    const broker = new ChannelBroker(chart, 'default');
    const fn = new KnativeFunction(chart, 'fn', { image: IMAGE });
    broker.subscribe(fn, { filters: [filter] });
  }

  test('EventFilter._render: must name at least one attribute', () => {
    expectInvalid(() => subscribe(EventFilter.exact({})), 'filters[0].exact', /filters\[0\]\.exact \(\{\}\) must name at least one attribute$/);
  });

  test('EventFilter._render: an attribute value must be a non-empty string', () => {
    expectInvalid(() => subscribe(EventFilter.prefix('source', '')), 'filters[0].prefix.source', /filters\[0\]\.prefix\.source \(""\) must be a non-empty string$/);
  });

  test('requireCesql(): must be a non-empty CESQL expression', () => {
    expectInvalid(() => subscribe(EventFilter.cesql('   ')), 'filters[0].cesql', /filters\[0\]\.cesql \(" {3}"\) must be a non-empty CESQL expression$/);
  });
});

describe('constructs/eventing/sources.ts', () => {
  test('ApiServerSource: name must be at most 40 characters', () => {
    const { chart } = scope('events');
    const sink = new ChannelBroker(chart, 'default');
    expectInvalid(() => new ApiServerSource(chart, 'watch', { name: label(41), sink, resources: [{ apiVersion: 'v1', kind: 'ConfigMap' }] }),
      'name', /name \("a{41}"\) must be at most 40 characters; /);
  });

  test('ApiServerSource: resources[i].resource is not a resource name', () => {
    const { chart } = scope('events');
    const sink = new ChannelBroker(chart, 'default');
    expectInvalid(() => new ApiServerSource(chart, 'watch', { sink, resources: [{ apiVersion: 'example.org/v1', kind: 'Widget', resource: 'Widgets' }] }),
      'resources[0].resource', /resources\[0\]\.resource \("Widgets"\) is not a resource name; /);
  });

  test('ContainerSource: name must be at most 48 characters', () => {
    const { chart } = scope('events');
    const sink = new ChannelBroker(chart, 'default');
    expectInvalid(() => new ContainerSource(chart, 'heartbeat', { name: label(49), image: IMAGE, sink, emits: [] }),
      'name', /name \("a{49}"\) must be at most 48 characters; /);
  });
});

describe('constructs/eventing/trigger.ts', () => {
  test('Trigger: name must be at most 52 characters', () => {
    const { chart } = scope('events');
    const broker = new ChannelBroker(chart, 'default');
    const fn = new KnativeFunction(chart, 'fn', { image: IMAGE });
    expectInvalid(() => broker.subscribe(fn, { name: label(53) }), 'name', /name \("a{53}"\) must be at most 52 characters; /);
  });
});

describe('constructs/knative/autoscaling.ts', () => {
  test('autoscalingAnnotations(): scale.activationScale must be <= scale.max', () => {
    const { chart } = scope();
    expectInvalid(() => new KnativeFunction(chart, 'fn', { image: IMAGE, scale: { max: 3, activationScale: 4 } }),
      'scale.activationScale', /scale\.activationScale \(4\) must be <= scale\.max \(3\)$/);
  });

  test('autoscalingAnnotations(): scale.scaleDownDelay is not supported with an HPA metric', () => {
    const { chart } = scope();
    expectInvalid(() => new KnativeFunction(chart, 'fn', { image: IMAGE, scale: { metric: ScalingMetric.CPU, scaleDownDelay: Duration.seconds(30) } }),
      'scale.scaleDownDelay', /scale\.scaleDownDelay \("30s"\) is not supported with metric cpu \(HPA class\)$/);
  });
});

describe('constructs/knative/function.ts', () => {
  test('KnativeFunction.addPodLabel: a pod label is already set to another value', () => {
    const { chart } = scope();
    const fn = new KnativeFunction(chart, 'fn', { image: IMAGE });
    fn.addPodLabel('team', 'games');
    fn.addPodLabel('team', 'games');
    expectInvalid(() => fn.addPodLabel('team', 'billing'), 'podLabels.team', /podLabels\.team \("billing"\) is already set to "games"$/);
  });
});

describe('constructs/policy/policy.ts', () => {
  test('PlatformPolicy.exempt: rule must be one of the PolicyRuleId values', () => {
    const { chart } = scope();
    const obj = new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' } });
    expectInvalid(() => PlatformPolicy.exempt(obj, 'PB999' as any, 'the vendor image writes its cache under /opt'),
      'exempt.rule', /exempt\.rule \("PB999"\) must be one of PB001, PB002, /);
  });
});

describe('constructs/rabbitmq/cluster.ts', () => {
  test('RabbitmqCluster: name must be at most 42 characters', () => {
    const { chart } = scope('events');
    expectInvalid(() => new RabbitmqCluster(chart, 'rabbitmq', { name: label(43) }),
      'name', /name \("a{43}"\) must be at most 42 characters; the operator derives longer names from it$/);
  });
});

describe('constructs/rabbitmq/topology.ts', () => {
  test('RabbitmqExchange.bind: routingKey must be at most 255 characters', () => {
    const { chart } = scope('events');
    const vhost = new RabbitmqVhost(chart, 'vhost', { cluster: new RabbitmqCluster(chart, 'rabbitmq'), name: 'orders' });
    const exchange = vhost.addExchange('exchange', { name: 'orders' });
    const queue = vhost.addQueue('queue', { name: 'orders.created' });
    exchange.bind(queue, { routingKey: 'k'.repeat(255) });
    expectInvalid(() => exchange.bind(queue, { routingKey: 'k'.repeat(256) }), 'bind.routingKey', /bind\.routingKey \("k{256}"\) must be at most 255 characters$/);
  });

  test('RabbitmqUser.grant: a vhost of another cluster', () => {
    const { chart } = scope('events');
    const user = new RabbitmqUser(chart, 'app', { cluster: new RabbitmqCluster(chart, 'rabbitmq') });
    const vhost = new RabbitmqVhost(chart, 'vhost', { cluster: new RabbitmqCluster(chart, 'other'), name: 'orders' });
    expectInvalid(() => user.grant(vhost, { read: '.*' }), 'grant', /grant \("orders"\) is a vhost of another cluster$/);
  });

  test('RabbitmqUser.bind: a workload in another namespace than the user', () => {
    const { app, chart } = scope('events');
    const user = new RabbitmqUser(chart, 'app', { cluster: new RabbitmqCluster(chart, 'rabbitmq') });
    const fns = new Chart(app, 'fns', { namespace: 'functions', disableResourceNameHashes: true });
    const fn = new KnativeFunction(fns, 'fn', { image: IMAGE });
    expectInvalid(() => user.bind(fn), 'bind', /bind \("fns\/fn"\) is in namespace functions, the user's credentials in events; /);
  });
});
