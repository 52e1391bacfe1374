/**
 * Data that survives updates: object names never depend on unrelated props (a rename is a delete and a create), so
 * changing one prop changes exactly the objects it is about, and the API server accepts the change (the CEL
 * transition rules of the pinned CRDs and of the generated XRDs); stateful objects are kept and protected.
 */
import { App, Chart, Testing } from 'cdk8s';
import { DeployHints, FunctionsPlatform, KeyValueStoreApi, Language, Profile, StoreSize } from '../constructs';
import { ReferencePlatformOptions, buildReferencePlatform } from '../src/reference-platform';
import { planDeployment } from '../src/pulumi/bridge';
import { validatorFor } from './support/k8s';

const built = new Map<string, { app: App; objects: any[] }>();

/** The reference platform built with these options (once per options; nothing here changes the objects). */
function platformOf(options: ReferencePlatformOptions): { app: App; objects: any[] } {
  const key = JSON.stringify(options);
  if (!built.has(key)) {
    const app = new App({ outdir: '/tmp/pb-data-safety' });
    buildReferencePlatform(app, options);
    built.set(key, { app, objects: app.charts.flatMap((c) => c.toJson()) });
  }
  return built.get(key)!;
}

function objectsOf(options: ReferencePlatformOptions): Map<string, any> {
  return new Map(platformOf(options).objects.map((o) => [`${o.apiVersion} ${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`, o]));
}

function changedBy(change: ReferencePlatformOptions): { renamed: string[]; changed: string[] } {
  const before = objectsOf({});
  const after = objectsOf(change);
  const renamed = [...new Set([...before.keys(), ...after.keys()])].filter((k) => !before.has(k) || !after.has(k));
  const changed = [...before.keys()].filter((k) => after.has(k) && JSON.stringify(before.get(k)) !== JSON.stringify(after.get(k)));
  return { renamed, changed: changed.sort() };
}

/** One prop changed at a time, and the objects each change may touch (everything else stays byte for byte). */
const CHANGES: [string, ReferencePlatformOptions, string[]][] = [
  ['the functions\' minimum scale', { functionMinScale: 2 }, [
    'serving.knative.dev/v1 Service functions/echo', 'serving.knative.dev/v1 Service functions/hello',
    'serving.knative.dev/v1 Service functions/leaderboard', 'serving.knative.dev/v1 Service functions/player',
  ]],
  ['the gateway\'s minimum scale', { gatewayMinScale: 4 }, ['serving.knative.dev/v1 Service functions/gateway']],
  ['one function\'s image', { images: { hello: 'ghcr.io/knative/helloworld-go@sha256:' + 'a'.repeat(64) } }, ['serving.knative.dev/v1 Service functions/hello']],
  // Only the StatefulSet differs; on a live stack Pulumi then refuses the update (the volume claim template is
  // immutable and the StatefulSet protected), so the data stays: grow the PVC itself (README, redisStorageGi).
  ['the Redis volume size', { redisStorageGi: 5 }, ['apps/v1 StatefulSet functions/redis']],
  // The local KeyValueStore composition runs the same Redis image.
  ['the Redis image', { images: { redis: 'docker.io/library/redis:8.2.8-alpine' } }, [
    'apps/v1 StatefulSet functions/redis', 'apiextensions.crossplane.io/v1 Composition /local.keyvaluestores.data.platform-blueprints.io',
  ]],
  ['the dead-letter image', { images: { deadLetters: 'ghcr.io/example/event-display:1.22.2' } }, ['serving.knative.dev/v1 Service events/dead-letters']],
];

describe('changing one prop changes only the objects it is about, and renames nothing', () => {
  test.each(CHANGES)('%s', (_case, change, expected) => {
    const { renamed, changed } = changedBy(change);
    expect(renamed).toEqual([]);
    expect(changed).toEqual(expected.sort());
  });
});

describe('the API server accepts each change as an update (CEL transition rules: immutable fields of the pinned CRDs and the generated XRDs)', () => {
  test.each<[string, ReferencePlatformOptions]>([
    ...CHANGES.map(([name, change]): [string, ReferencePlatformOptions] => [name, change]),
    ['prod: the functions\' minimum scale, with the store claimed', { profile: Profile.PROD, functionMinScale: 3 }],
  ])('%s', (_case, change) => {
    const before = platformOf(change.profile ? { profile: change.profile } : {});
    const after = platformOf(change);
    const validator = validatorFor(after.app);
    // The platform APIs are there to check: XRDs and Compositions (dev and prod), the store claim (prod).
    expect(after.objects.filter((o) => validator.celRules().some((r) => r.transition && r.kind === `${o.apiVersion}/${o.kind}`)).length).toBeGreaterThan(0);
    expect(validator.validateAllUpdates(before.objects, after.objects)).toEqual([]);
  });

  test('a claimed store cannot be resized in place: the update is refused at the claim\'s size, nothing is replaced', () => {
    const build = (size?: StoreSize) => {
      const app = Testing.app();
      const api = new KeyValueStoreApi(new Chart(app, 'apis', { disableResourceNameHashes: true }), 'kv', {});
      const chart = new Chart(app, 'games', { disableResourceNameHashes: true });
      new FunctionsPlatform(chart, 'platform', {
        namespace: 'games', profile: Profile.PROD, storeApi: api, storeClaim: { size },
        functions: [{ name: 'score', image: `ghcr.io/example/score@sha256:${'5'.repeat(64)}`, language: Language.GO }],
      });
      return { app, objects: app.charts.flatMap((c) => c.toJson()) };
    };
    const medium = build();
    const large = build(StoreSize.LARGE);
    expect(validatorFor(medium.app).validateAllUpdates(medium.objects, large.objects))
      .toEqual(['data.platform-blueprints.io/v1alpha1/KeyValueStore games/redis: /spec/size: Invalid value: "large": is immutable; create a new one instead']);
  });
});

describe('stateful parts are kept and protected by default', () => {
  const app = new App({ outdir: '/tmp/pb-data-safety' });
  buildReferencePlatform(app, { profile: Profile.DEV });
  const plan = planDeployment(app);
  const byKey = Object.fromEntries(plan.map((p) => [p.key, p]));

  test('Redis: append-only persistence on a volume its StatefulSet retains, protected with its namespace', () => {
    const sts = byKey['apps/v1 StatefulSet functions/redis'];
    expect(sts.manifest.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    const config = byKey['v1 ConfigMap functions/redis-config'].manifest.data['redis.conf'];
    expect(config).toContain('appendonly yes');
    expect(sts.stateful).toBeDefined();
    expect(byKey['v1 Namespace functions'].stateful).toContain('apps/v1 StatefulSet functions/redis');
  });

  test('RabbitMQ: persistent volumes, quorum queues, protected with its namespace', () => {
    expect(byKey['rabbitmq.com/v1beta1 RabbitmqCluster events/rabbitmq'].manifest.spec.persistence.storage).toBe('2Gi');
    expect(byKey['rabbitmq.com/v1beta1 RabbitmqCluster events/rabbitmq'].stateful).toBe('holds the queues of the RabbitMQ cluster');
    const config = Object.values(byKey).find((p) => p.manifest.kind === 'RabbitmqBrokerConfig')!;
    expect(config.manifest.spec.queueType).toBe('quorum');
    expect(byKey['v1 Namespace events'].stateful).toBeDefined();
  });

  test('prod: disruption budgets and spread for the stateful parts', () => {
    const prod = new App({ outdir: '/tmp/pb-data-safety' });
    const ref = buildReferencePlatform(prod, { profile: Profile.PROD });
    const all = prod.charts.flatMap((c) => c.toJson());
    const mq = all.find((o) => o.kind === 'RabbitmqCluster');
    expect(mq.spec.replicas).toBe(3);
    expect(mq.spec.override.statefulSet.spec.template.spec.topologySpreadConstraints[0]).toMatchObject({ topologyKey: 'kubernetes.io/hostname' });
    expect(all.filter((o) => o.kind === 'PodDisruptionBudget').map((o) => o.metadata.name)).toEqual(['rabbitmq']);
    // prod claims its store: the claim is what is protected.
    const claim = ref.functions.storeClaim!.claim.resource;
    expect(DeployHints.statefulReason(claim)).toBe('deleting it deletes the KeyValueStore it requested');
  });
});
