import { Chart, Size, Testing } from 'cdk8s';
import {
  ApiGateway, CrossplaneMode, DeployTimeSecret, Frontend, FunctionsPlatform, FunctionsPlatformProps, KeyValueStoreApi, KnativeDataPlane, Language,
  PlatformPolicy, Profile, StoreBackend, StoreProvider, StoreSize,
} from '../../constructs';
import { container, envOf, findObject, synthValid, testChart, validationError } from '../support/k8s';

const functions = [
  { name: 'score', image: 'ghcr.io/example/score:1', language: Language.GO },
  { name: 'board', image: 'ghcr.io/example/board:1', language: Language.PYTHON },
  { name: 'stats', image: 'ghcr.io/example/stats:1', language: Language.JAVA, bindStore: false },
];

/** The same functions pinned by digest, as a prod namespace asks. */
const pinned = functions.map((f) => ({ ...f, image: `${f.image.split(':')[0]}@sha256:${'5'.repeat(64)}` }));

function build(props: Partial<FunctionsPlatformProps> = {}, chartNamespace: string | null = null) {
  const { chart } = testChart(chartNamespace);
  const platform = new FunctionsPlatform(chart, 'platform', { namespace: 'games', functions, ...props });
  return { chart, platform, objects: synthValid(chart) };
}

describe('FunctionsPlatform (dev)', () => {
  const { platform, objects } = build();

  test('creates its namespace under Pod Security "restricted", first in the manifest', () => {
    expect(objects[0]).toEqual({
      apiVersion: 'v1', kind: 'Namespace',
      metadata: {
        name: 'games',
        labels: {
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
          'app.kubernetes.io/managed-by': 'platform-blueprints',
          'platform-blueprints.io/profile': 'dev',
        },
      },
    });
    expect(objects.slice(1).every((o) => o.metadata.namespace === 'games')).toBe(true);
  });

  test('denies all ingress by default and allows exactly the wired edges', () => {
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    expect(findObject(objects, 'NetworkPolicy', 'default-deny-ingress').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
    // Redis: only the two bound functions, only on 6379.
    expect(findObject(objects, 'NetworkPolicy', 'redis-ingress').spec.ingress.map((r: any) => [r.from[0].podSelector.matchLabels['serving.knative.dev/service'], r.ports[0].port]))
      .toEqual([['score', 6379], ['board', 6379]]);
    // Every Knative Service: only the Knative data plane (routing through activator and kourier keeps working), by
    // one policy for the namespace's Knative Service pods instead of one per function.
    const dataPlane = findObject(objects, 'NetworkPolicy', 'knative-data-plane').spec;
    expect(dataPlane.podSelector).toEqual({ matchLabels: { 'platform-blueprints.io/data-plane': 'knative-data-plane' } });
    expect(dataPlane.ingress[0].from.map((f: any) => f.namespaceSelector.matchLabels['kubernetes.io/metadata.name'])).toEqual(['knative-serving', 'kourier-system']);
    expect(policies.map((p) => p.metadata.name).sort()).toEqual(['default-deny-ingress', 'knative-data-plane', 'redis-ingress']);
  });

  test('functions are private, scale to zero, and get Redis by reference unless opted out', () => {
    for (const fn of functions) {
      const ksvc = findObject(objects, 'Service', fn.name, 'serving.knative.dev/v1');
      expect(ksvc.metadata.labels['networking.knative.dev/visibility']).toBe('cluster-local');
      expect(ksvc.spec.template.metadata.annotations['autoscaling.knative.dev/min-scale']).toBe('0');
    }
    expect(envOf(findObject(objects, 'Service', 'score', 'serving.knative.dev/v1')).REDIS_PASSWORD)
      .toEqual({ secretKeyRef: { name: 'redis-auth', key: 'password' } });
    expect(envOf(findObject(objects, 'Service', 'stats', 'serving.knative.dev/v1'))).toEqual({});
  });

  test('the gateway is the only public service and routes every function under /api', () => {
    const knative = objects.filter((o) => o.apiVersion === 'serving.knative.dev/v1');
    expect(knative.filter((o) => !o.metadata.labels['networking.knative.dev/visibility']).map((o) => o.metadata.name)).toEqual(['gateway']);
    expect(platform.gateway).toBeInstanceOf(ApiGateway);
    expect((platform.gateway as ApiGateway).routeTable.map((r) => r.path)).toEqual(['/api/board', '/api/score', '/api/stats']);
    expect(findObject(objects, 'Service', 'gateway', 'serving.knative.dev/v1').spec.template.metadata.annotations)
      .toMatchObject({ 'autoscaling.knative.dev/min-scale': '1', 'autoscaling.knative.dev/max-scale': '3' });
  });

  test('no secret value is synthesized: the Redis password is a deploy-time secret', () => {
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    expect(platform.node.findAll().filter(DeployTimeSecret.isDeployTimeSecret).map((s) => s.name)).toEqual(['redis-auth']);
  });

  test('small Redis without a disruption budget', () => {
    expect(objects.filter((o) => o.kind === 'PodDisruptionBudget')).toEqual([]);
    expect(findObject(objects, 'StatefulSet', 'redis').spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('1Gi');
  });

  test('functionNamed finds a function or names the choices', () => {
    expect(platform.functionNamed('board').name).toBe('board');
    expect(validationError(() => platform.functionNamed('nope')).message).toBe('test/platform: function ("nope") is not one of the platform\'s functions; use one of: score, board, stats');
  });
});

describe('FunctionsPlatform (prod, in-cluster store on request)', () => {
  const { objects } = build({ profile: Profile.PROD, store: StoreBackend.IN_CLUSTER, functions: pinned });

  test('no cold starts, more gateway pods, bigger functions', () => {
    const fn = findObject(objects, 'Service', 'score', 'serving.knative.dev/v1');
    expect(fn.spec.template.metadata.annotations['autoscaling.knative.dev/min-scale']).toBe('1');
    expect(fn.spec.template.spec.containers[0].resources).toEqual({ requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } });
    expect(findObject(objects, 'Service', 'gateway', 'serving.knative.dev/v1').spec.template.metadata.annotations)
      .toMatchObject({ 'autoscaling.knative.dev/min-scale': '2', 'autoscaling.knative.dev/max-scale': '10' });
  });

  test('Redis with a disruption budget, 1Gi of memory and 10Gi of storage', () => {
    expect(findObject(objects, 'PodDisruptionBudget', 'redis').spec.minAvailable).toBe(1);
    const sts = findObject(objects, 'StatefulSet', 'redis');
    expect(sts.spec.template.spec.containers[0].resources.limits.memory).toBe('1Gi');
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('10Gi');
  });

  test('images by digest: the namespace says prod; the library\'s own defaults are pinned by digest and need no exception', () => {
    expect(objects[0].metadata.labels['platform-blueprints.io/profile']).toBe('prod');
    const exemption = (o: any) => o.metadata.annotations?.['policy.platform-blueprints.io/exempt-pb004'];
    expect(findObject(objects, 'StatefulSet', 'redis').spec.template.spec.containers[0].image).toMatch(/^docker\.io\/library\/redis:8\.2\.7-alpine@sha256:[0-9a-f]{64}$/);
    expect(container(findObject(objects, 'Service', 'gateway', 'serving.knative.dev/v1')).image).toMatch(/nginx-unprivileged:1\.28\.0-alpine@sha256:[0-9a-f]{64}$/);
    for (const o of objects) expect(exemption(o)).toBeUndefined();
    expect(PlatformPolicy.check(objects).map((v) => v.message)).toEqual([]);
    const { chart } = testChart(null);
    new FunctionsPlatform(chart, 'platform', { namespace: 'games', functions, profile: Profile.PROD, store: StoreBackend.IN_CLUSTER, gateway: { image: 'ghcr.io/example/proxy:2' } });
    expect(PlatformPolicy.check(Testing.synth(chart)).map((v) => v.message)).toEqual([
      'Service games/score: container function uses ghcr.io/example/score:1, not pinned by digest (namespace games is prod)',
      'Service games/board: container function uses ghcr.io/example/board:1, not pinned by digest (namespace games is prod)',
      'Service games/stats: container function uses ghcr.io/example/stats:1, not pinned by digest (namespace games is prod)',
      'Service games/gateway: container function uses ghcr.io/example/proxy:2, not pinned by digest (namespace games is prod)',
    ]);
  });

  test('explicit props win over the profile', () => {
    const { objects: o } = build({
      profile: Profile.PROD,
      store: StoreBackend.IN_CLUSTER,
      functions: [{ ...pinned[0], scale: { min: 0, max: 4 } }],
      redis: { storage: Size.gibibytes(3), podDisruptionBudget: false },
      gateway: { scale: { min: 5 } },
    });
    expect(findObject(o, 'Service', 'score', 'serving.knative.dev/v1').spec.template.metadata.annotations)
      .toMatchObject({ 'autoscaling.knative.dev/min-scale': '0', 'autoscaling.knative.dev/max-scale': '4' });
    expect(findObject(o, 'Service', 'gateway', 'serving.knative.dev/v1').spec.template.metadata.annotations)
      .toMatchObject({ 'autoscaling.knative.dev/min-scale': '5', 'autoscaling.knative.dev/max-scale': '10' });
    expect(o.filter((x) => x.kind === 'PodDisruptionBudget')).toEqual([]);
  });
});

describe('FunctionsPlatform (prod): the store is claimed from a platform API', () => {
  function prod(props: Partial<FunctionsPlatformProps> = {}, mode?: CrossplaneMode) {
    const app = Testing.app();
    const apis = new KeyValueStoreApi(new Chart(app, 'apis', { disableResourceNameHashes: true }), 'kv', {
      mode, gcp: { region: 'europe-west1', authorizedNetwork: 'projects/acme/global/networks/apps' },
    });
    const chart = new Chart(app, 'test', { disableResourceNameHashes: true });
    const platform = new FunctionsPlatform(chart, 'platform', { namespace: 'games', functions: pinned, profile: Profile.PROD, storeApi: apis, ...props });
    return { platform, objects: synthValid(chart) };
  }

  test('one prop switches the store: a KeyValueStore claim (medium) instead of a Redis StatefulSet, bound the same way', () => {
    const { platform, objects } = prod();
    expect(platform.storeBackend).toBe(StoreBackend.CLAIM);
    expect(platform.redis).toBeUndefined();
    expect(objects.filter((o) => o.kind === 'StatefulSet')).toEqual([]);
    expect(findObject(objects, 'KeyValueStore', 'redis')).toMatchObject({
      apiVersion: 'data.platform-blueprints.io/v1alpha1',
      metadata: { namespace: 'games' },
      spec: { size: 'medium', highAvailability: false, writeConnectionSecretToRef: { name: 'redis-connection' } },
    });
    const score = findObject(objects, 'Service', 'score', 'serving.knative.dev/v1');
    expect(envOf(score)).toMatchObject({
      REDIS_HOST: { secretKeyRef: { name: 'redis-connection', key: 'host' } },
      REDIS_PORT: { secretKeyRef: { name: 'redis-connection', key: 'port' } },
      REDIS_ADDR: '$(REDIS_HOST):$(REDIS_PORT)',
      REDIS_PASSWORD: { secretKeyRef: { name: 'redis-connection', key: 'password' } },
    });
    // The local composition's network policy admits pods with this label.
    expect(score.spec.template.metadata.labels['bind.platform-blueprints.io/redis']).toBe('client');
    expect(findObject(objects, 'Service', 'stats', 'serving.knative.dev/v1').spec.template.metadata.labels['bind.platform-blueprints.io/redis']).toBeUndefined();
    expect(platform.node.findAll().filter(DeployTimeSecret.isDeployTimeSecret)).toEqual([]);
  });

  test('claims mode (Crossplane v1 XRD): the same request as a claim; a managed composition and a size by prop', () => {
    const { objects } = prod({ storeClaim: { name: 'cache', size: StoreSize.LARGE, provider: StoreProvider.GCP, highAvailability: true } }, CrossplaneMode.CLAIMS);
    expect(findObject(objects, 'KeyValueStore', 'cache').spec).toEqual({
      size: 'large', highAvailability: true, compositionSelector: { matchLabels: { provider: 'gcp' } }, writeConnectionSecretToRef: { name: 'cache-connection' },
    });
  });

  test('a claimed store needs the API; props of the other backend are errors', () => {
    const { chart } = testChart(null);
    expect(validationError(() => new FunctionsPlatform(chart, 'p1', { namespace: 'games', functions, profile: Profile.PROD })).message)
      .toBe('test/p1: storeApi (undefined) is required when the store is claimed (profile prod); pass the KeyValueStoreApi your platform publishes, or store: StoreBackend.IN_CLUSTER');
    expect(validationError(() => prod({ redis: { storage: Size.gibibytes(2) } })).message)
      .toContain('redis (["storage"]) configures the in-cluster Redis, but the store is claimed; use storeClaim, or store: StoreBackend.IN_CLUSTER');
    expect(validationError(() => build({ storeClaim: { size: StoreSize.LARGE } })).message)
      .toContain('storeClaim (["size"]) configures a claim, but the store is in-cluster; use redis, or store: StoreBackend.CLAIM');
    expect(validationError(() => prod({ storeClaim: { highAvailability: true, provider: StoreProvider.LOCAL } })).message)
      .toContain('highAvailability (true) is not offered by the local composition (one Redis)');
  });
});

describe('FunctionsPlatform scale over the profile', () => {
  test('a minimum above the profile\'s maximum raises the maximum; an explicit maximum is checked as given', () => {
    const { objects } = build({ gateway: { scale: { min: 5 } } });
    expect(findObject(objects, 'Service', 'gateway', 'serving.knative.dev/v1').spec.template.metadata.annotations)
      .toMatchObject({ 'autoscaling.knative.dev/min-scale': '5', 'autoscaling.knative.dev/max-scale': '5' });
    expect(validationError(() => build({ gateway: { scale: { min: 5, max: 4 } } })).message).toContain('scale.min (5) must be <= scale.max (4)');
  });
});

describe('FunctionsPlatform options', () => {
  test('explicit routes, custom names and data plane', () => {
    const { platform, objects } = build({
      redis: { name: 'kv' },
      gateway: { name: 'edge', routes: [{ path: '/', function: 'board', stripPrefix: false }, { path: '/score', function: 'score' }] },
      dataPlane: KnativeDataPlane.CONTOUR,
    });
    expect((platform.gateway as ApiGateway).routeTable).toEqual([
      { path: '/', host: 'board.games.svc.cluster.local' },
      { path: '/score', host: 'score.games.svc.cluster.local' },
    ]);
    expect(findObject(objects, 'StatefulSet', 'kv')).toBeDefined();
    expect(findObject(objects, 'NetworkPolicy', 'knative-data-plane-contour').spec.ingress[0].from.length).toBe(3);
  });

  test('a frontend image instead of the managed proxy gets the URLs of the functions it calls', () => {
    const { platform, objects } = build({
      gateway: { frontend: { image: 'ghcr.io/example/web:3', port: 3000, connect: ['score', 'board'] } },
    });
    expect(platform.gateway).toBeInstanceOf(Frontend);
    const web = findObject(objects, 'Service', 'gateway', 'serving.knative.dev/v1');
    expect(envOf(web)).toEqual({ SCORE_URL: 'http://score.games.svc.cluster.local', BOARD_URL: 'http://board.games.svc.cluster.local' });
    expect(objects.filter((o) => o.kind === 'ConfigMap').map((o) => o.metadata.name)).toEqual(['redis-config']);
  });

  test('inside a chart that has a namespace, the Namespace object stays cluster-scoped', () => {
    const { objects } = build({}, 'elsewhere');
    expect(objects[0].kind).toBe('Namespace');
    expect(objects[0].metadata.namespace).toBeUndefined();
  });

  test('two platforms in one app are independent', () => {
    const app = Testing.app();
    const a = new FunctionsPlatform(new Chart(app, 'a'), 'p', { namespace: 'team-a', functions });
    const b = new FunctionsPlatform(new Chart(app, 'b'), 'p', { namespace: 'team-b', functions: [functions[0]] });
    expect(a.functions.map((f) => f.url)).toContain('http://score.team-a.svc.cluster.local');
    expect(b.functions.map((f) => f.url)).toEqual(['http://score.team-b.svc.cluster.local']);
    for (const chart of app.charts) synthValid(chart);
  });
});

describe('FunctionsPlatform bad input', () => {
  test.each([
    ['invalid namespace', { namespace: 'Games!' }, 'test/platform: namespace ("Games!") must be a DNS-1123 label'],
    ['unknown profile', { profile: 'staging' as Profile }, 'test/platform: profile ("staging") must be one of dev, prod'],
    ['no functions', { functions: [] }, 'test/platform: functions ([]) must list at least one function'],
    ['duplicate function names', { functions: [functions[0], functions[1], { ...functions[2], name: 'score' }] },
      'test/platform: functions[2].name ("score") duplicates functions[0].name; function names must be unique'],
    ['invalid function name', { functions: [{ ...functions[0], name: 'Score' }] }, 'test/platform: functions[0].name ("Score") must be a DNS-1035 label'],
    ['function named like the store', { functions: [{ ...functions[0], name: 'redis' }] },
      'test/platform: functions[0].name ("redis") collides with the name of the platform\'s store or gateway'],
    ['route to an unknown function', { gateway: { routes: [{ path: '/x', function: 'nope' }] } },
      'test/platform: gateway.routes[0].function ("nope") is not one of the platform\'s functions; use one of: score, board, stats'],
    ['duplicate route paths', { gateway: { routes: [{ path: '/x', function: 'score' }, { path: '/x', function: 'board' }] } },
      'test/platform: gateway.routes[1].path ("/x") duplicates gateway.routes[0].path'],
    ['routes with a frontend', { gateway: { routes: [{ path: '/x', function: 'score' }], frontend: { image: 'ghcr.io/example/web:1' } } },
      'test/platform: gateway.routes (["/x"]) apply to the managed proxy only'],
    ['frontend calling an unknown function', { gateway: { frontend: { image: 'ghcr.io/example/web:1', connect: ['nope'] } } },
      'test/platform: gateway.frontend.connect[0] ("nope") is not one of the platform\'s functions'],
    ['missing image', { functions: [{ name: 'x' } as any] }, 'test/platform/Functions/x: image (undefined) is required'],
    ['bad namespace label', { namespaceLabels: { 'team name': 'a' } }, 'test/platform: namespaceLabels key ("team name")'],
  ])('%s', (_case, props, message) => {
    const error = validationError(() => build(props as Partial<FunctionsPlatformProps>));
    expect(error.message).toContain(message);
  });
});
