import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  FunctionProbe, PlatformContext, KnativeDataPlane, KnativeFunction, Language, Protocol, ScalingMetric, Visibility,
} from '../../constructs';
import { container, envOf, findObject, synthValid, testChart, validationError } from '../support/k8s';

const IMAGE = 'ghcr.io/example/score:1.0.0';

describe('KnativeFunction defaults', () => {
  const { chart } = testChart('games');
  const fn = new KnativeFunction(chart, 'score', { image: IMAGE, language: Language.GO });
  const objects = synthValid(chart);
  const ksvc = findObject(objects, 'Service', 'score', 'serving.knative.dev/v1');

  test('is a cluster-local Knative Service in the chart namespace, labelled with its language', () => {
    expect(ksvc.metadata.namespace).toBe('games');
    expect(ksvc.metadata.labels['networking.knative.dev/visibility']).toBe('cluster-local');
    expect(ksvc.metadata.labels['platform-blueprints.io/language']).toBe('go');
    expect(ksvc.spec.template.metadata.labels['platform-blueprints.io/language']).toBe('go');
    expect(ksvc.metadata.labels['app.kubernetes.io/managed-by']).toBe('platform-blueprints');
  });

  test('runs under Pod Security "restricted" at container level (Knative gates pod-level fields)', () => {
    expect(container(ksvc).securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 65532,
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(ksvc.spec.template.spec.securityContext).toBeUndefined();
    expect(ksvc.spec.template.spec.automountServiceAccountToken).toBe(false);
  });

  test('listens on one http1 port, scales to zero, has requests and a memory limit and a writable /tmp', () => {
    expect(container(ksvc).ports).toEqual([{ containerPort: 8080, name: 'http1' }]);
    expect(ksvc.spec.template.metadata.annotations).toEqual({
      'autoscaling.knative.dev/min-scale': '0',
      'autoscaling.knative.dev/metric': 'concurrency',
    });
    expect(container(ksvc).resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } });
    expect(container(ksvc).volumeMounts).toEqual([{ name: 'writable-0', mountPath: '/tmp' }]);
    expect(ksvc.spec.template.spec.volumes).toEqual([{ name: 'writable-0', emptyDir: { sizeLimit: '256Mi' } }]);
  });

  test('exposes its in-cluster URL', () => {
    expect(fn.url).toBe('http://score.games.svc.cluster.local');
    expect(fn.host).toBe('score.games.svc.cluster.local');
  });

  test('admits only the Knative data plane (activator/autoscaler and kourier) on the queue-proxy ports, by one policy per namespace', () => {
    const policy = findObject(objects, 'NetworkPolicy', 'knative-data-plane');
    expect(policy.spec.podSelector).toEqual({ matchLabels: { 'platform-blueprints.io/data-plane': 'knative-data-plane' } });
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    expect(policy.spec.ingress).toHaveLength(1);
    expect(policy.spec.ingress[0].from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'knative-serving' } }, podSelector: {} },
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kourier-system' } }, podSelector: {} },
    ]);
    expect(policy.spec.ingress[0].ports.map((p: any) => p.port)).toEqual([8012, 8013, 8112, 9090, 9091]);
  });

  test('functions on two data planes in one namespace: each pod admits only its own data plane', () => {
    const { chart: shared } = testChart('mixed');
    new KnativeFunction(shared, 'a', { image: IMAGE });
    new KnativeFunction(shared, 'b', { image: IMAGE, dataPlane: KnativeDataPlane.ISTIO });
    new KnativeFunction(shared, 'c', { image: IMAGE, dataPlane: KnativeDataPlane.ISTIO });
    const out = synthValid(shared);
    const podLabel = (name: string) => findObject(out, 'Service', name, 'serving.knative.dev/v1').spec.template.metadata.labels['platform-blueprints.io/data-plane'];
    expect([podLabel('a'), podLabel('b'), podLabel('c')]).toEqual(['knative-data-plane', 'knative-data-plane-istio', 'knative-data-plane-istio']);
    const policies = out.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.name.startsWith('knative-data-plane'));
    expect(policies.map((o) => [o.metadata.name, o.spec.podSelector.matchLabels['platform-blueprints.io/data-plane'],
      o.spec.ingress[0].from.map((f: any) => f.namespaceSelector.matchLabels['kubernetes.io/metadata.name'])]))
      .toEqual([
        ['knative-data-plane', 'knative-data-plane', ['knative-serving', 'kourier-system']],
        ['knative-data-plane-istio', 'knative-data-plane-istio', ['knative-serving', 'istio-system']],
      ]);
  });
});

describe('KnativeFunction options', () => {
  test('env values, secret and config map references, envFrom', () => {
    const { chart } = testChart();
    const secret = kplus.Secret.fromSecretName(chart, 'S', 'api-keys');
    const config = kplus.ConfigMap.fromConfigMapName(chart, 'C', 'settings');
    const fn = new KnativeFunction(chart, 'fn', {
      image: IMAGE,
      env: {
        MODE: kplus.EnvValue.fromValue('fast'),
        TOKEN: kplus.EnvValue.fromSecretValue({ secret, key: 'token' }),
        LEVEL: kplus.EnvValue.fromConfigMap(config, 'level'),
      },
      envFromSecrets: [secret],
      envFromConfigMaps: [config],
    });
    fn.addEnv('EXTRA', kplus.EnvValue.fromValue('1'));
    const ksvc = findObject(synthValid(chart), 'Service', 'fn', 'serving.knative.dev/v1');
    expect(envOf(ksvc)).toEqual({
      MODE: 'fast',
      TOKEN: { secretKeyRef: { name: 'api-keys', key: 'token' } },
      LEVEL: { configMapKeyRef: { name: 'settings', key: 'level' } },
      EXTRA: '1',
    });
    expect(container(ksvc).envFrom).toEqual([{ configMapRef: { name: 'settings' } }, { secretRef: { name: 'api-keys' } }]);
  });

  test('autoscaling maps to the Knative annotations', () => {
    const { chart } = testChart();
    new KnativeFunction(chart, 'fn', {
      image: IMAGE,
      scale: {
        min: 1, max: 10, initial: 2, target: 50, metric: ScalingMetric.RPS, targetUtilizationPercentage: 80,
        scaleDownDelay: Duration.minutes(5), window: Duration.seconds(30), activationScale: 3,
      },
      containerConcurrency: 20,
    });
    const ksvc = findObject(synthValid(chart), 'Service', 'fn', 'serving.knative.dev/v1');
    expect(ksvc.spec.template.metadata.annotations).toEqual({
      'autoscaling.knative.dev/min-scale': '1',
      'autoscaling.knative.dev/max-scale': '10',
      'autoscaling.knative.dev/initial-scale': '2',
      'autoscaling.knative.dev/activation-scale': '3',
      'autoscaling.knative.dev/metric': 'rps',
      'autoscaling.knative.dev/target': '50',
      'autoscaling.knative.dev/target-utilization-percentage': '80',
      'autoscaling.knative.dev/scale-down-delay': '300s',
      'autoscaling.knative.dev/window': '30s',
    });
    expect(ksvc.spec.template.spec.containerConcurrency).toBe(20);
  });

  test('the CPU metric uses the HPA class and defaults to one pod (the HPA cannot scale to zero)', () => {
    const { chart } = testChart();
    new KnativeFunction(chart, 'fn', { image: IMAGE, scale: { metric: ScalingMetric.CPU, target: 70 } });
    const ksvc = findObject(synthValid(chart), 'Service', 'fn', 'serving.knative.dev/v1');
    expect(ksvc.spec.template.metadata.annotations).toMatchObject({
      'autoscaling.knative.dev/class': 'hpa.autoscaling.knative.dev',
      'autoscaling.knative.dev/metric': 'cpu',
      'autoscaling.knative.dev/min-scale': '1',
      'autoscaling.knative.dev/target': '70',
    });
  });

  test('timeouts, probes, protocol, command, public visibility, service account, resources', () => {
    const { chart } = testChart();
    const sa = kplus.ServiceAccount.fromServiceAccountName(chart, 'SA', 'reader');
    new KnativeFunction(chart, 'fn', {
      image: IMAGE,
      port: 9000,
      protocol: Protocol.H2C,
      command: ['/app'],
      args: ['--serve'],
      timeout: Duration.minutes(2),
      responseStartTimeout: Duration.seconds(30),
      idleTimeout: Duration.seconds(60),
      readiness: FunctionProbe.grpc({ period: Duration.seconds(0) }),
      liveness: FunctionProbe.http('/healthz', { initialDelay: Duration.seconds(3), failureThreshold: 5 }),
      startup: FunctionProbe.tcp({ timeout: Duration.seconds(2) }),
      visibility: Visibility.PUBLIC,
      serviceAccount: sa,
      resources: { cpu: { request: kplus.Cpu.millis(250), limit: kplus.Cpu.units(1) }, memory: { request: Size.mebibytes(64), limit: Size.mebibytes(64) } },
      securityContext: { user: 1001, readOnlyRootFilesystem: false },
      writablePaths: [],
    });
    // A public function with a writable root: a violation of the policy on purpose (PB003, PB008).
    const ksvc = findObject(synthValid(chart, { policy: false }), 'Service', 'fn', 'serving.knative.dev/v1');
    const spec = ksvc.spec.template.spec;
    expect(ksvc.metadata.labels['networking.knative.dev/visibility']).toBeUndefined();
    expect([spec.timeoutSeconds, spec.responseStartTimeoutSeconds, spec.idleTimeoutSeconds]).toEqual([120, 30, 60]);
    expect(container(ksvc).ports).toEqual([{ containerPort: 9000, name: 'h2c' }]);
    expect([container(ksvc).command, container(ksvc).args]).toEqual([['/app'], ['--serve']]);
    expect(container(ksvc).readinessProbe).toEqual({ grpc: { port: 9000 }, periodSeconds: 0 });
    expect(container(ksvc).livenessProbe).toEqual({ httpGet: { path: '/healthz' }, initialDelaySeconds: 3, failureThreshold: 5 });
    expect(container(ksvc).startupProbe).toEqual({ tcpSocket: {}, timeoutSeconds: 2 });
    expect(spec.serviceAccountName).toBe('reader');
    expect(spec.automountServiceAccountToken).toBeUndefined();
    expect(container(ksvc).resources).toEqual({ requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '1', memory: '64Mi' } });
    expect(container(ksvc).securityContext).toMatchObject({ runAsUser: 1001, readOnlyRootFilesystem: false, runAsNonRoot: true });
    expect(spec.volumes).toBeUndefined();
  });

  test('a custom data plane and cluster domain', () => {
    const { chart } = testChart('ns', { [PlatformContext.CLUSTER_DOMAIN]: 'corp.internal' });
    const fn = new KnativeFunction(chart, 'fn', { image: IMAGE, dataPlane: KnativeDataPlane.ISTIO });
    new KnativeFunction(chart, 'fn2', { image: IMAGE, dataPlane: KnativeDataPlane.ISTIO });
    new KnativeFunction(chart, 'fn3', { image: IMAGE });
    const objects = synthValid(chart);
    // One policy per data plane of the namespace, shared by its functions.
    expect(objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => o.metadata.name)).toEqual(['knative-data-plane-istio', 'knative-data-plane']);
    const policy = findObject(objects, 'NetworkPolicy', 'knative-data-plane-istio');
    expect(policy.spec.ingress[0].from.map((f: any) => f.namespaceSelector.matchLabels['kubernetes.io/metadata.name'])).toEqual(['knative-serving', 'istio-system']);
    // A function's own policy, for rules only it needs, exists once asked for.
    fn.ingressPolicy.admitNamespaces(['monitoring'], { ports: [9091] });
    expect(findObject(synthValid(chart), 'NetworkPolicy', 'fn-ingress').spec).toEqual({
      podSelector: { matchLabels: { 'serving.knative.dev/service': 'fn' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: {} }], ports: [{ port: 9091, protocol: 'TCP' }] }],
    });
    expect(fn.url).toBe('http://fn.ns.svc.corp.internal');
  });

  test('a ConfigMap is mounted read-only (Knative requires it) and a revision annotation rolls a new revision', () => {
    const { chart } = testChart();
    const fn = new KnativeFunction(chart, 'fn', { image: IMAGE });
    fn.mountConfigMap(kplus.ConfigMap.fromConfigMapName(chart, 'C', 'settings'), '/etc/app');
    fn.addRevisionAnnotation('example.com/rev', '2');
    const ksvc = findObject(synthValid(chart), 'Service', 'fn', 'serving.knative.dev/v1');
    expect(container(ksvc).volumeMounts).toContainEqual({ name: 'config-1', mountPath: '/etc/app', readOnly: true });
    expect(ksvc.spec.template.spec.volumes).toContainEqual({ name: 'config-1', configMap: { name: 'settings' } });
    expect(ksvc.spec.template.metadata.annotations['example.com/rev']).toBe('2');
  });
});

describe('KnativeFunction bad input', () => {
  const make = (props: any, id = 'fn', namespace: string | null = 'ns') => {
    const { chart } = testChart(namespace);
    return new KnativeFunction(chart, id, { image: IMAGE, ...props });
  };

  test.each([
    ['missing image', { image: undefined }, 'test/fn: image (undefined) is required; give a container image such as "ghcr.io/org/app:1.2.3"'],
    ['image without tag or digest', { image: 'ghcr.io/org/app' }, 'test/fn: image ("ghcr.io/org/app") has neither a tag nor a digest; pin it, e.g. ":1.2.3" or "@sha256:..."'],
    ['invalid image', { image: 'Ghcr.io/Org/App:1' }, 'test/fn: image ("Ghcr.io/Org/App:1") is not a valid image reference'],
    ['invalid name', { name: 'Score_1' }, 'test/fn: name ("Score_1") must be a DNS-1035 label'],
    ['name starting with a digit', { name: '1score' }, 'must be a DNS-1035 label'],
    ['min > max scale', { scale: { min: 5, max: 2 } }, 'test/fn: scale.min (5) must be <= scale.max (2); raise scale.max or lower scale.min'],
    ['negative min scale', { scale: { min: -1 } }, 'test/fn: scale.min (-1) must be >= 0'],
    ['fractional max scale', { scale: { max: 1.5 } }, 'test/fn: scale.max (1.5) must be a whole number'],
    ['zero initial scale', { scale: { initial: 0 } }, 'test/fn: scale.initial (0) must be >= 1'],
    ['activation scale 1', { scale: { activationScale: 1 } }, 'test/fn: scale.activationScale (1) must be >= 2'],
    ['target below 0.01', { scale: { target: 0 } }, 'test/fn: scale.target (0) must be >= 0.01'],
    ['utilization above 100', { scale: { targetUtilizationPercentage: 120 } }, 'scale.targetUtilizationPercentage (120) must be <= 100'],
    ['window below 6s', { scale: { window: Duration.seconds(5) } }, 'test/fn: scale.window ("5s") must be at least 6s'],
    ['scale-down delay above 1h', { scale: { scaleDownDelay: Duration.hours(2) } }, 'scale.scaleDownDelay ("7200s") must be at most 3600s'],
    ['window with the CPU metric', { scale: { metric: ScalingMetric.CPU, window: Duration.seconds(60) } }, 'scale.window ("60s") is not supported with metric cpu (HPA class)'],
    ['scale to zero with the CPU metric', { scale: { metric: ScalingMetric.CPU, min: 0 } }, 'scale.min (0) must be >= 1 with metric cpu'],
    ['port out of range', { port: 70000 }, 'test/fn: port (70000) must be <= 65535'],
    ['reserved queue-proxy port', { port: 8012 }, 'test/fn: port (8012) is reserved by Knative\'s queue-proxy'],
    ['negative container concurrency', { containerConcurrency: -1 }, 'test/fn: containerConcurrency (-1) must be >= 0'],
    ['sub-second timeout', { timeout: Duration.millis(1500) }, 'test/fn: timeout ("1.5s") must be a whole number of seconds'],
    ['response start above timeout', { timeout: Duration.seconds(10), responseStartTimeout: Duration.seconds(20) }, 'responseStartTimeout ("20s") must be <= timeout (10s)'],
    ['bad quantity', { resources: { cpu: { request: kplus.Cpu.millis(-100) } } }, 'test/fn: resources.cpu.request ("-100m") must be greater than zero'],
    ['request above limit', { resources: { memory: { request: Size.gibibytes(1), limit: Size.mebibytes(512) } } }, 'resources.memory.request ("1Gi") must be <= resources.memory.limit (512Mi)'],
    ['relative writable path', { writablePaths: ['tmp'] }, 'test/fn: writablePaths[0] ("tmp") must be an absolute path'],
    ['duplicate writable path', { writablePaths: ['/tmp', '/tmp'] }, 'test/fn: writablePaths ("/tmp") is used more than once'],
    ['invalid env name', { env: { 'MY-VAR': kplus.EnvValue.fromValue('x') } }, 'test/fn: env.MY-VAR ("MY-VAR") is not a valid environment variable name'],
    ['downward API env', { env: { POD: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME) } }, 'requires'],
    ['invalid label', { labels: { team: 'a b' } }, 'test/fn: labels.team ("a b") must be at most 63 characters'],
    ['invalid language', { language: Language.of('C++') }, 'test/fn: language.platform-blueprints.io/language ("C++")'],
    ['probe path', { readiness: FunctionProbe.http('healthz') }, 'test/fn: readiness.path ("healthz") must be an absolute URL path'],
    ['probe threshold', { liveness: FunctionProbe.tcp({ failureThreshold: 0 }) }, 'test/fn: liveness.failureThreshold (0) must be >= 1'],
    ['liveness success threshold', { liveness: FunctionProbe.tcp({ successThreshold: 2 }) }, 'test/fn: liveness.successThreshold (2) must be 1 for liveness and startup probes (Kubernetes)'],
    ['aggressive readiness with timeout', { readiness: FunctionProbe.http('/', { period: Duration.seconds(0), timeout: Duration.seconds(1) }) },
      'test/fn: readiness.timeout ("1s") is disallowed while readiness.period is 0: Knative then probes aggressively until ready and refuses timeoutSeconds; set a period (e.g. Duration.seconds(10)) or leave failureThreshold and timeout unset'],
    // Knative fills in Kubernetes' probe defaults only for a non-zero period; an unset period stays 0.
    ['readiness timeout without a period', { readiness: FunctionProbe.tcp({ timeout: Duration.seconds(2) }) },
      'test/fn: readiness.timeout ("2s") is disallowed while readiness.period is unset: Knative then probes aggressively until ready and refuses timeoutSeconds'],
    ['readiness failureThreshold without a period', { readiness: FunctionProbe.http('/ready', { failureThreshold: 5 }) },
      'test/fn: readiness.failureThreshold (5) is disallowed while readiness.period is unset: Knative then probes aggressively until ready and refuses failureThreshold'],
    ['env set by Knative', { env: { PORT: kplus.EnvValue.fromValue('9000') } }, 'test/fn: env.PORT ("PORT") is set by Knative (PORT, K_SERVICE, K_CONFIGURATION, K_REVISION); read it instead of setting it'],
    ['path reserved by Knative', { writablePaths: ['/dev/'] }, 'test/fn: writablePaths[0] ("/dev/") is reserved by Knative (/, /dev, /dev/log; compared after cleaning the path); mount below it, e.g. "/var/data"'],
    ['root path', { writablePaths: ['/'] }, 'test/fn: writablePaths[0] ("/") is reserved by Knative'],
    ['container concurrency above 1000', { containerConcurrency: 1001 }, 'test/fn: containerConcurrency (1001) must be <= 1000'],
    ['idle timeout above timeout', { timeout: Duration.seconds(10), idleTimeout: Duration.seconds(20) }, 'test/fn: idleTimeout ("20s") must be <= timeout (10s)'],
    ['initial above max', { scale: { initial: 5, max: 2 } }, 'test/fn: scale.initial (5) must be <= scale.max (2)'],
    ['empty exec probe', { liveness: FunctionProbe.exec([]) }, 'test/fn: liveness.command ([]) must not be empty'],
    ['empty name', { name: '' }, 'test/fn: name ("") is required and must be a non-empty string'],
    ['target not a number', { scale: { target: NaN } }, 'test/fn: scale.target (NaN) must be a finite number'],
    ['not a quantity', { resources: { cpu: { request: kplus.Cpu.millis(NaN) } } }, 'test/fn: resources.cpu.request ("NaNm") is not a Kubernetes quantity; use e.g. Cpu.millis(250) or Size.mebibytes(256)'],
    ['CPU target above 100%', { scale: { metric: ScalingMetric.CPU, target: 150 } }, 'test/fn: scale.target (150) must be a percentage (<= 100) with metric cpu'],
  ])('%s', (_case, props, message) => {
    const error = validationError(() => make(props));
    if (message === 'requires') {
      expect(error.message).toMatch(/^test\/fn: env\.POD \("POD"\) uses the downward API, which Knative allows only with the feature flag kubernetes\.podspec-fieldref/);
    } else {
      expect(error.message).toContain(message);
    }
    expect(error.constructPath).toBe('test/fn');
  });

  test('a namespace is required (prop or chart)', () => {
    expect(validationError(() => make({}, 'fn', null)).message)
      .toBe('test/fn: namespace is required: set the namespace prop or the namespace of the enclosing Chart');
  });

  test('a path can be mounted once', () => {
    const fn = make({});
    expect(validationError(() => fn.mountConfigMap(kplus.ConfigMap.fromConfigMapName(fn, 'C', 'settings'), '/tmp')).message)
      .toBe('test/fn: mountPath ("/tmp") is already mounted');
  });

  test('the MEMORY metric takes MiB, not a percentage', () => {
    const { chart } = testChart();
    new KnativeFunction(chart, 'fn', { image: IMAGE, scale: { metric: ScalingMetric.MEMORY, target: 384 } });
    expect(findObject(synthValid(chart), 'Service', 'fn', 'serving.knative.dev/v1').spec.template.metadata.annotations['autoscaling.knative.dev/target']).toBe('384');
  });

  test('an environment variable can be set once', () => {
    const fn = make({ env: { A: kplus.EnvValue.fromValue('1') } });
    expect(validationError(() => fn.addEnv('A', kplus.EnvValue.fromValue('2'))).message)
      .toBe('test/fn: env.A ("A") is already set; each environment variable can be set once; check bind() prefixes');
  });

  test('label and annotation values are strings; a map is a map', () => {
    expect(validationError(() => make({ labels: { team: null as any } })).message)
      .toBe('test/fn: labels.team (null) must be a string (Kubernetes label values are strings); quote it, e.g. "null"');
    expect(validationError(() => make({ labels: { tier: 3 as any } })).message)
      .toBe('test/fn: labels.tier (3) must be a string (Kubernetes label values are strings); quote it, e.g. "3"');
    expect(validationError(() => make({ labels: 'team=a' as any })).message)
      .toBe('test/fn: labels ("team=a") must be a map of names to string values; e.g. { team: "payments" }');
    expect(validationError(() => make({ annotations: { note: 1 as any } })).message)
      .toMatch(/^test\/fn: annotations\.note \(1\) must be a string \(Kubernetes annotation values are strings\)/);
    const fn = make({});
    expect(validationError(() => fn.addRevisionAnnotation(undefined as any, 'x')).message)
      .toBe('test/fn: revision annotation key (undefined) must be a string; e.g. "autoscaling.knative.dev/target"');
  });
});
