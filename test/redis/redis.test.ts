import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { AppendFsync, DeployHints, DeployTimeSecret, EdgeKind, KnativeFunction, MaxMemoryPolicy, PasswordSource, PlatformGraph, PlatformPolicy, Redis } from '../../constructs';
import { container, envOf, findObject, synthValid, testChart, validationError } from '../support/k8s';

describe('Redis defaults', () => {
  const { chart } = testChart('data');
  const redis = new Redis(chart, 'cache');
  const objects = synthValid(chart);
  const sts = findObject(objects, 'StatefulSet', 'cache');
  const pod = sts.spec.template.spec;

  test('one replica with a persistent volume that outlives the StatefulSet', () => {
    expect(sts.spec.replicas).toBe(1);
    expect(sts.spec.serviceName).toBe('cache-headless');
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(sts.spec.volumeClaimTemplates).toEqual([expect.objectContaining({
      metadata: expect.objectContaining({ name: 'data' }),
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    })]);
    expect(container(sts).volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
  });

  test('append-only persistence and maxmemory at 75% of the memory limit, without eviction', () => {
    const config = findObject(objects, 'ConfigMap', 'cache-config').data['redis.conf'];
    expect(config).toContain('appendonly yes\n');
    expect(config).toContain('appendfsync everysec\n');
    expect(config).toContain(`maxmemory ${Math.floor(256 * 1024 * 1024 * 0.75)}\n`);
    expect(config).toContain('maxmemory-policy noeviction\n');
    expect(config).not.toMatch(/requirepass/);
  });

  test('authentication is always on, the password only by Secret reference', () => {
    // The init container writes it into a memory-backed file Redis includes: on no command line.
    expect(container(sts).args).toEqual(['redis-server', '/etc/redis/redis.conf']);
    expect(envOf(sts)).toEqual({ REDISCLI_AUTH: { secretKeyRef: { name: 'cache-auth', key: 'password' } } });
    expect(sts.spec.template.spec.initContainers[0].env).toEqual([{ name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'cache-auth', key: 'password' } } }]);
    // The Secret itself is created at deploy time, never synthesized.
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    const secrets = DeployTimeSecret.findAll(chart);
    expect(secrets.map((s) => [s.name, s.namespace, s.keys])).toEqual([['cache-auth', 'data', ['password']]]);
    expect(redis.passwordSecret).toEqual({ secretName: 'cache-auth', key: 'password' });
  });

  test('Pod Security "restricted" with the redis uid, read-only root filesystem, no API token', () => {
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true, runAsUser: 999, runAsGroup: 1000, fsGroup: 1000, fsGroupChangePolicy: 'OnRootMismatch',
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container(sts).securityContext).toMatchObject({
      allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, runAsNonRoot: true,
    });
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  test('a config change rolls the pod (config hash on the template)', () => {
    const { chart: other } = testChart('data');
    new Redis(other, 'cache', { maxMemoryPolicy: MaxMemoryPolicy.ALLKEYS_LRU });
    const otherSts = findObject(synthValid(other), 'StatefulSet', 'cache');
    const hash = (s: any) => s.spec.template.metadata.annotations['platform-blueprints.io/config-hash'];
    expect(hash(sts)).toMatch(/^[0-9a-f]{16}$/);
    expect(hash(otherSts)).not.toBe(hash(sts));
  });

  test('ClusterIP and headless Services on 6379; a NetworkPolicy that admits nobody until bound', () => {
    expect(findObject(objects, 'Service', 'cache').spec).toEqual({
      type: 'ClusterIP', selector: redis.podSelector, ports: [{ name: 'redis', port: 6379, targetPort: 'redis' }],
    });
    expect(findObject(objects, 'Service', 'cache-headless').spec.clusterIP).toBe('None');
    const policy = findObject(objects, 'NetworkPolicy', 'cache-ingress');
    expect(policy.spec.podSelector.matchLabels).toEqual(redis.podSelector);
    expect(policy.spec.ingress).toBeUndefined();
    expect(redis.host).toBe('cache.data.svc.cluster.local');
  });

  test('the StatefulSet is marked stateful for deployers; no disruption budget by default', () => {
    expect(DeployHints.statefulReason(redis.statefulSet)).toMatch(/Redis data set/);
    expect(objects.filter((o) => o.kind === 'PodDisruptionBudget')).toEqual([]);
  });
});

describe('Redis options', () => {
  test('existing password Secret, storage, class, resources, policies, disruption budget', () => {
    const { chart } = testChart();
    new Redis(chart, 'redis', {
      password: PasswordSource.fromSecret('vault-redis', 'pw'),
      storage: Size.gibibytes(20),
      storageClassName: 'fast-ssd',
      resources: { memory: { request: Size.gibibytes(2), limit: Size.gibibytes(2) } },
      appendFsync: AppendFsync.ALWAYS,
      podDisruptionBudget: true,
      image: 'docker.io/valkey/valkey:8.1-alpine',
    });
    expect(chart.node.findAll().filter(DeployTimeSecret.isDeployTimeSecret)).toEqual([]);
    // No CPU request: valid for the API server, a violation of the platform policy (PB002).
    const objects = synthValid(chart, { policy: false });
    expect(PlatformPolicy.check(objects).map((v) => v.message)).toEqual(['StatefulSet ns/redis: container redis sets no requests.cpu']);
    const sts = findObject(objects, 'StatefulSet', 'redis');
    expect(envOf(sts).REDISCLI_AUTH).toEqual({ secretKeyRef: { name: 'vault-redis', key: 'pw' } });
    expect(sts.spec.template.spec.initContainers[0].env[0].valueFrom).toEqual({ secretKeyRef: { name: 'vault-redis', key: 'pw' } });
    expect(sts.spec.volumeClaimTemplates[0].spec).toMatchObject({ storageClassName: 'fast-ssd', resources: { requests: { storage: '20Gi' } } });
    expect(findObject(objects, 'ConfigMap', 'redis-config').data['redis.conf']).toContain(`maxmemory ${1.5 * 1024 ** 3}\n`);
    expect(findObject(objects, 'ConfigMap', 'redis-config').data['redis.conf']).toContain('appendfsync always\n');
    expect(findObject(objects, 'PodDisruptionBudget', 'redis').spec).toEqual({
      minAvailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'redis', 'app.kubernetes.io/instance': 'redis' } },
    });
  });
});

describe('Redis.bind', () => {
  test('GIVEN a function WHEN bound THEN it gets host, port and the password by reference, and may reach 6379', () => {
    const { chart } = testChart();
    const redis = new Redis(chart, 'redis');
    const fn = new KnativeFunction(chart, 'score', { image: 'ghcr.io/example/score:1' });
    const other = new KnativeFunction(chart, 'board', { image: 'ghcr.io/example/board:1' });
    redis.bind(fn);
    redis.bind(fn); // idempotent
    redis.bind(other, { envPrefix: 'CACHE' });
    const objects = synthValid(chart);
    expect(envOf(findObject(objects, 'Service', 'score', 'serving.knative.dev/v1'))).toEqual({
      REDIS_HOST: 'redis.ns.svc.cluster.local',
      REDIS_PORT: '6379',
      REDIS_ADDR: 'redis.ns.svc.cluster.local:6379',
      REDIS_PASSWORD: { secretKeyRef: { name: 'redis-auth', key: 'password' } },
    });
    expect(Object.keys(envOf(findObject(objects, 'Service', 'board', 'serving.knative.dev/v1')))).toEqual(['CACHE_HOST', 'CACHE_PORT', 'CACHE_ADDR', 'CACHE_PASSWORD']);
    const policy = findObject(objects, 'NetworkPolicy', 'redis-ingress');
    expect(policy.spec.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: { 'serving.knative.dev/service': 'score' } } }], ports: [{ port: 6379, protocol: 'TCP' }] },
      { from: [{ podSelector: { matchLabels: { 'serving.knative.dev/service': 'board' } } }], ports: [{ port: 6379, protocol: 'TCP' }] },
    ]);
    expect(PlatformGraph.of(chart).edges.map((e) => [e.from, e.kind, e.to])).toEqual([
      [fn, EdgeKind.BINDS, redis],
      [other, EdgeKind.BINDS, redis],
    ]);
  });

  test('a workload in another namespace is refused: it could not reference the password Secret', () => {
    const { chart } = testChart();
    const redis = new Redis(chart, 'redis');
    const far = new KnativeFunction(chart, 'far', { image: 'ghcr.io/example/far:1', namespace: 'team-b' });
    expect(validationError(() => redis.bind(far)).message).toBe('test/redis: bind ("test/far") is in namespace team-b, the store in ns; ' +
      'bind workloads in the store\'s namespace (the password Secret cannot be referenced across namespaces)');
  });

  test('binding twice with colliding variables is a clear error', () => {
    const { chart } = testChart();
    const fn = new KnativeFunction(chart, 'fn', { image: 'ghcr.io/example/fn:1', env: { REDIS_HOST: kplus.EnvValue.fromValue('x') } });
    expect(validationError(() => new Redis(chart, 'redis').bind(fn)).message).toBe(
      'test/fn: env.REDIS_HOST ("REDIS_HOST") is already set; each environment variable can be set once; check bind() prefixes');
  });
});

describe('Redis bad input', () => {
  const make = (props: any) => new Redis(testChart().chart, 'redis', props);
  test.each([
    ['no memory limit', { resources: { memory: { request: Size.mebibytes(64) } } }, 'test/redis: resources.memory.limit (undefined) is required; Redis maxmemory is derived from it'],
    ['zero storage', { storage: Size.gibibytes(0) }, 'test/redis: storage ("0Gi") must be greater than zero'],
    ['name too long', { name: 'r'.repeat(53) }, 'must be at most 52 characters'],
    ['invalid name', { name: 'Redis' }, 'test/redis: name ("Redis") must be a DNS-1035 label'],
    ['root uid', { securityContext: { user: 0 } }, 'test/redis: securityContext.user (0) must be >= 1'],
    ['invalid storage class', { storageClassName: 'Fast SSD' }, 'test/redis: storageClassName ("Fast SSD") must be a DNS-1123 subdomain'],
    ['invalid existing secret', { password: PasswordSource.fromSecret('My Secret') }, 'test/redis: password.secretName ("My Secret") must be a DNS-1123 subdomain'],
    ['short generated password', { password: PasswordSource.generate({ length: 8 }) }, 'test/redis/Password: length (8) must be >= 16'],
    ['image without tag', { image: 'redis' }, 'test/redis: image ("redis") has neither a tag nor a digest'],
    ['invalid existing secret key', { password: PasswordSource.fromSecret('creds', 'pass word') }, 'test/redis: password.key ("pass word") must consist of alphanumerics, "-", "_" or "."'],
  ])('%s', (_case, props, message) => {
    expect(validationError(() => make(props)).message).toContain(message);
  });

  test('an invalid env prefix on bind', () => {
    const { chart } = testChart();
    const fn = new KnativeFunction(chart, 'fn', { image: 'ghcr.io/example/fn:1' });
    expect(validationError(() => new Redis(chart, 'redis').bind(fn, { envPrefix: '1X' })).message)
      .toBe('test/redis: bind.envPrefix ("1X") is not a valid environment variable name; use letters, digits and "_", not starting with a digit');
  });
});
