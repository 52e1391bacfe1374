import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Size, Testing } from 'cdk8s';
import { stringify } from 'yaml';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  CloudEventType, EventDrivenPlatform, EventFilter, FunctionsPlatform, FunctionsPlatformSpec, KeyValueStoreApi, KnativeDataPlane, Language,
  MessageBrokerSpec, Profile, QueueType, RabbitmqCluster, StoreBackend, StoreSize,
} from '../../constructs';
import { BundleRequest, IBundleSpec } from '../../constructs/kratix/bundle-spec';
import { PodSecurityLevel, declareNamespace } from '../../constructs/bundles/namespace';
import { applySchemaDefaults } from '../../constructs/kratix/defaults';
import { synthValid, testChart, validationError, validatorFor } from '../support/k8s';

/** A chart as the pipeline gives one to `buildBundle`: no namespace of its own, stable names. */
function requestChart(): Chart {
  return new Chart(Testing.app(), 'request', { disableResourceNameHashes: true });
}

function buildRequest(spec: IBundleSpec, request: BundleRequest): { chart: Chart; result: ReturnType<IBundleSpec['buildBundle']> } {
  const chart = requestChart();
  return { chart, result: spec.buildBundle(chart, { ...request, spec: applySchemaDefaults(spec.schema, request.spec) as { [field: string]: any } }) };
}

/** The spec's build synthesizes what the bundle built directly does, and reports these outputs. */
function expectSameBuild(built: { chart: Chart; result: ReturnType<IBundleSpec['buildBundle']> }, direct: Chart, outputs: { [key: string]: string }): void {
  expect(Testing.synth(built.chart)).toEqual(Testing.synth(direct));
  expect(built.result.outputs).toEqual(outputs);
}

const SPECS: Array<[string, IBundleSpec]> = [['FunctionsPlatform', new FunctionsPlatformSpec()], ['AmqpBroker', new MessageBrokerSpec()]];

describe.each(SPECS)('%s spec', (_kind, spec) => {
  test('its schema is a sound API schema (structural, defaults fitting their fields)', () => {
    const { chart } = testChart();
    expect(() => spec.schema.check(chart, 'spec')).not.toThrow();
    expect(spec.schema.toOpenApiSchema().type).toBe('object');
  });

  test('build called directly on a request the schema refuses gets the schema\'s problems, never a TypeError', () => {
    const build = (request: any) => validationError(() => spec.buildBundle(requestChart(), request)).message;
    expect(build(null)).toBe('request: request (null) must be a request; e.g. { name: "shop", namespace: "team-a", spec: {...} }');
    expect(build(undefined)).toMatch(/^request: request \(undefined\) must be a request/);
    const example = spec.example as any;
    const broken: any[] = spec.kind === 'FunctionsPlatform'
      ? [{ ...example, functions: [null] }, { ...example, gateway: { routes: 'all' } }, { ...example, eventing: { publishers: 'orders' } },
        { ...example, eventing: { publishers: [{ function: 'orders', types: 'dev.example.order.created' }] } }]
      : [{ ...example, clientNamespaces: 'apps' }, { ...example, tls: 'on' }];
    for (const s of broken) {
      expect(build({ name: 'team-a', namespace: 'default', spec: s })).toMatch(new RegExp(`^request: spec \\("1 problem"\\) is refused by the ${spec.kind} API: spec\\.`));
    }
  });

  test('the schema accepts the example, with and without its defaults applied', () => {
    expect(spec.schema.validate(spec.example, 'spec')).toEqual([]);
    expect(spec.schema.validate(applySchemaDefaults(spec.schema, spec.example), 'spec')).toEqual([]);
  });

  test('the example builds into strictly valid, policy-clean objects', () => {
    const { chart, result } = buildRequest(spec, { name: 'team-a', namespace: 'default', spec: spec.example as any });
    const objects = synthValid(chart);
    expect(objects.length).toBeGreaterThan(3);
    expect(result.message).toMatch(/\S/);
    for (const v of Object.values(result.outputs)) expect(typeof v).toBe('string');
  });

  test('the schema\'s defaults are the bundle\'s: a request with them applied builds the same objects as one without', () => {
    const raw = requestChart();
    spec.buildBundle(raw, { name: 'team-a', namespace: 'default', spec: spec.example as any });
    const { chart } = buildRequest(spec, { name: 'team-a', namespace: 'default', spec: spec.example as any });
    expect(Testing.synth(chart)).toEqual(Testing.synth(raw));
  });

  test('every string, list and map is bounded, and no CEL rule adds to the API server\'s validation cost', () => {
    const unbounded: string[] = [];
    const walk = (n: any, at: string): void => {
      if (n.type === 'string' && n.enum === undefined && n.maxLength === undefined) unbounded.push(at);
      if (n.type === 'array' && n.maxItems === undefined) unbounded.push(at);
      if (n.additionalProperties && n.maxProperties === undefined) unbounded.push(at);
      expect(n['x-kubernetes-validations']).toBeUndefined();
      for (const [k, v] of Object.entries(n.properties ?? {})) walk(v, `${at}.${k}`);
      if (n.items) walk(n.items, `${at}[]`);
      if (n.additionalProperties) walk(n.additionalProperties, `${at}{}`);
    };
    walk(spec.schema.toOpenApiSchema(), 'spec');
    expect(unbounded).toEqual([]);
  });

  test('an API identity Kubernetes accepts', () => {
    expect(spec.kind).toMatch(/^[A-Z][A-Za-z0-9]*$/);
    expect(spec.plural).toBe(`${spec.kind.toLowerCase()}s`);
    expect(spec.group).toBe('platform.platform-blueprints.io');
    expect(spec.version).toBe('v1alpha1');
  });
});

describe('FunctionsPlatformSpec', () => {
  const spec = new FunctionsPlatformSpec();

  test('the example\'s build equals the bundles built directly with the same props', () => {
    const built = buildRequest(spec, { name: 'team-a', namespace: 'default', spec: spec.example as any });

    const direct = requestChart();
    const platform = new FunctionsPlatform(direct, 'Platform', {
      namespace: 'team-a',
      profile: Profile.DEV,
      functions: [
        {
          name: 'orders', image: 'docker.io/mendhak/http-https-echo:37', language: Language.NODEJS, env: { HTTP_PORT: kplus.EnvValue.fromValue('8080') },
          securityContext: { user: 1000 }, scale: { min: 0, max: 5 }, bindStore: true,
        },
        {
          name: 'audit', image: 'docker.io/mendhak/http-https-echo:37', language: Language.NODEJS, env: { HTTP_PORT: kplus.EnvValue.fromValue('8080') },
          securityContext: { user: 1000 }, bindStore: false,
        },
      ],
      gateway: { name: 'gateway', routes: [{ path: '/api/orders', function: 'orders', stripPrefix: true }] },
      dataPlane: KnativeDataPlane.KOURIER,
    });
    const events = new EventDrivenPlatform(direct, 'Events', { namespace: 'team-a-events', profile: Profile.DEV, broker: { name: 'default', queueType: QueueType.QUORUM }, dataPlane: KnativeDataPlane.KOURIER });
    const created = CloudEventType.of('dev.example.order.created');
    events.broker.addPublisher(platform.functionNamed('orders'), { emits: [created], envName: 'BROKER_URL' });
    events.broker.subscribe(platform.functionNamed('audit'), { filters: [EventFilter.type(created)] });

    expectSameBuild(built, direct, {
      namespace: 'team-a',
      gatewayUrl: 'http://gateway.team-a.svc.cluster.local',
      store: 'in-cluster',
      storeName: 'redis',
      storeSecret: platform.redis!.passwordSecret.secretName,
      storeSecretToCreate: 'kubectl create secret generic redis-auth -n team-a --from-literal=password="$(openssl rand -hex 16)"  # before Redis can start; the pipeline writes no secret value',
      functions: 'orders,audit',
      eventsNamespace: 'team-a-events',
      brokerAddress: events.broker.address,
    });
    expect(built.result.message).toBe(`functions platform team-a: 2 functions, gateway http://gateway.team-a.svc.cluster.local, store redis (in-cluster), broker ${events.broker.address}`);
  });

  test('a prod request with a claimed store equals the bundle with the published KeyValueStore API, and its output holds the claim, not the API', () => {
    const request = {
      profile: 'prod',
      namespace: 'shop',
      functions: [{ name: 'cart', image: 'ghcr.io/acme/cart@sha256:' + 'ab'.repeat(32), port: 9000, resources: { cpu: { request: '500m' }, memory: { request: '256Mi', limit: '512Mi' } } }],
      storeClaim: { size: 'large' },
      gateway: { image: 'docker.io/library/nginx@sha256:' + 'cd'.repeat(32), scale: { min: 3 } },
    };
    expect(spec.schema.validate(request, 'spec')).toEqual([]);
    const { chart, result } = buildRequest(spec, { name: 'shop-request', namespace: 'default', spec: request });
    const objects = Testing.synth(chart);

    const direct = requestChart();
    const api = new KeyValueStoreApi(new Chart(new App(), 'platform-apis', { disableResourceNameHashes: true }), 'KeyValueStore');
    new FunctionsPlatform(direct, 'Platform', {
      namespace: 'shop',
      profile: Profile.PROD,
      functions: [{
        name: 'cart', image: 'ghcr.io/acme/cart@sha256:' + 'ab'.repeat(32), port: 9000, bindStore: true,
        resources: { cpu: { request: kplus.Cpu.millis(500) }, memory: { request: Size.mebibytes(256), limit: Size.mebibytes(512) } },
      }],
      storeApi: api,
      storeClaim: { size: StoreSize.LARGE, highAvailability: false },
      gateway: { name: 'gateway', image: 'docker.io/library/nginx@sha256:' + 'cd'.repeat(32), scale: { min: 3 } },
      dataPlane: KnativeDataPlane.KOURIER,
    });
    expect(objects).toEqual(Testing.synth(direct));
    // Strictly valid, claims included (validated against the CRDs the published API implies).
    const validator = validatorFor(api.node.root as App);
    expect(validator.validateAll(objects)).toEqual([]);
    expect(objects.map((o: any) => o.kind)).toContain('KeyValueStore');
    expect(objects.map((o: any) => o.kind)).not.toContain('CompositeResourceDefinition');
    expect(objects.map((o: any) => o.kind)).not.toContain('Composition');
    expect(result.outputs).toMatchObject({ namespace: 'shop', store: StoreBackend.CLAIM, storeName: 'redis', storeSecret: 'redis-connection' });
  });

  test('the README shows the example request as it is', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    const request = { apiVersion: `${spec.group}/${spec.version}`, kind: spec.kind, metadata: { name: 'team-a', namespace: 'default' }, spec: spec.example };
    expect(readme).toContain(`\`\`\`yaml\n${stringify(request)}\`\`\``);
  });

  test('buildDependencies publishes the KeyValueStore API the claims use', () => {
    const { chart } = testChart(null);
    const api = spec.buildDependencies(chart);
    const objects = synthValid(chart);
    expect(objects.filter((o) => o.kind === 'Composition').length).toBe(api.api.allCompositions.length);
    expect(objects.some((o) => o.kind === 'CompositeResourceDefinition' && o.spec.names.kind === 'KeyValueStore')).toBe(true);
  });

  test('the namespace defaults to the request\'s name', () => {
    const { result } = buildRequest(spec, { name: 'payments', namespace: 'default', spec: { functions: [{ name: 'pay', image: 'ghcr.io/acme/pay:1.0.0' }] } });
    expect(result.outputs.namespace).toBe('payments');
    expect(result.outputs.eventsNamespace).toBeUndefined();
    expect(result.message).toBe('functions platform payments: 1 function, gateway http://gateway.payments.svc.cluster.local, store redis (in-cluster)');
  });

  test('the schema states the bundle\'s enums and defaults', () => {
    const s = spec.schema.toOpenApiSchema();
    expect(s.required).toEqual(['functions']);
    expect(s.properties.profile).toMatchObject({ enum: ['dev', 'prod'], default: 'dev' });
    expect(s.properties.store.enum).toEqual(['in-cluster', 'claim']);
    expect(s.properties.functions.items.properties.language.enum).toEqual(['go', 'java', 'nodejs', 'typescript', 'python', 'rust', 'dotnet', 'ruby', 'proxy']);
    expect(s.properties.gateway.properties.name.default).toBe('gateway');
    expect(s.properties.gateway.properties.routes.items.properties.stripPrefix.default).toBe(true);
    expect(s.properties.eventing.properties.broker.properties).toMatchObject({ name: { default: 'default' }, queueType: { enum: ['quorum', 'classic'], default: 'quorum' } });
    expect(s.properties.storeClaim.properties.size.enum).toEqual(['small', 'medium', 'large']);
  });

  describe('refuses what the schema cannot see, naming the field and the fix', () => {
    const fn = { name: 'hello', image: 'ghcr.io/knative/helloworld-go:1.0.0' };
    const refuse = (s: any, name = 'team-a') => validationError(() => spec.buildBundle(requestChart(), { name, namespace: 'default', spec: s })).message;

    test('a route to a function the request does not have', () => {
      expect(refuse({ functions: [fn], gateway: { routes: [{ path: '/api/x', function: 'nope' }] } }))
        .toMatch(/Platform: gateway\.routes\[0\]\.function \("nope"\) is not one of the platform's functions.*use one of: hello/);
    });

    test('two functions of one name', () => {
      expect(refuse({ functions: [fn, fn] })).toMatch(/functions\[1\]\.name \("hello"\) duplicates functions\[0\]\.name/);
    });

    test('a subscription or a publisher naming no function', () => {
      expect(refuse({ functions: [fn], eventing: { subscriptions: [{ function: 'nope', type: 'dev.example.x', external: true }] } }))
        .toMatch(/Platform: eventing\.subscriptions\[0\]\.function \("nope"\) is not one of the platform's functions/);
      expect(refuse({ functions: [fn], eventing: { publishers: [{ function: 'nope', types: ['dev.example.x'] }] } }))
        .toMatch(/eventing\.publishers\[0\]\.function \("nope"\)/);
    });

    test('the event namespace set to the functions\' own', () => {
      expect(refuse({ namespace: 'shop', functions: [fn], eventing: { namespace: 'shop' } }))
        .toMatch(/eventing\.namespace \("shop"\) is the functions' namespace.*<namespace>-events/);
    });

    test('a request name that is no namespace name, when the namespace is left out', () => {
      expect(refuse({ functions: [fn] }, 'team.a')).toMatch(/Platform: namespace \("team\.a"\)/);
    });

    test('scale bounds the wrong way round', () => {
      expect(refuse({ functions: [{ ...fn, scale: { min: 5, max: 2 } }] })).toMatch(/scale\.min \(5\) must be <= scale\.max \(2\)/);
    });

    test('a store composition the published API does not offer', () => {
      expect(refuse({ functions: [fn], store: 'claim', storeClaim: { provider: 'gcp' } }))
        .toMatch(/^request: storeClaim\.provider \("gcp"\) is not offered by the platform's KeyValueStore API \(its compositions: local\).*default composition/);
      // With the gcp composition published, the same request builds.
      const withGcp = new FunctionsPlatformSpec({ storeApi: { gcp: { region: 'europe-west1', authorizedNetwork: 'projects/acme/global/networks/apps' } } });
      const chart = requestChart();
      withGcp.buildBundle(chart, { name: 'team-a', namespace: 'default', spec: { functions: [fn], store: 'claim', storeClaim: { provider: 'gcp' } } });
      expect(Testing.synth(chart).find((o) => o.kind === 'KeyValueStore').spec.crossplane).toEqual({ compositionSelector: { matchLabels: { provider: 'gcp' } } });
    });

    test('an image reference that is none', () => {
      expect(refuse({ functions: [{ ...fn, image: 'Not/An:Image:' }] })).toMatch(/image \("Not\/An:Image:"\)/);
    });

    test('a subscription to a type nothing publishes (at synth)', () => {
      const chart = requestChart();
      spec.buildBundle(chart, { name: 'team-a', namespace: 'default', spec: { functions: [fn], eventing: { subscriptions: [{ function: 'hello', type: 'dev.example.nobody' }] } } });
      expect(validationError(() => Testing.synth(chart)).message).toMatch(/event type "dev\.example\.nobody", which nothing produces.*external/);
    });
  });

  test('the schema refuses out-of-bounds requests with messages naming the field', () => {
    const problems = spec.schema.validate({
      profile: 'staging',
      functions: [{ name: 'Hello', image: 'x', language: 'cobol', port: 70000, scale: { min: -1 } }],
      gateway: { routes: [{ path: 'api', function: 'hello' }] },
      eventing: { rabbitmq: { replicas: 11 } },
      extra: true,
    }, 'spec');
    expect(problems).toEqual(expect.arrayContaining([
      'spec.profile ("staging") must be one of dev, prod',
      expect.stringMatching(/^spec\.functions\[0\]\.name \("Hello"\) must match/),
      expect.stringMatching(/^spec\.functions\[0\]\.language \("cobol"\) must be one of go, java/),
      'spec.functions[0].port (70000) must be <= 65535',
      'spec.functions[0].scale.min (-1) must be >= 0',
      expect.stringMatching(/^spec\.gateway\.routes\[0\]\.path \("api"\) must match/),
      'spec.eventing.rabbitmq.replicas (11) must be <= 9',
      expect.stringMatching(/^spec\.extra is not a field of this API/),
    ]));
    expect(spec.schema.validate({}, 'spec')).toEqual(['spec.functions is required']);
  });
});

describe('MessageBrokerSpec (AmqpBroker)', () => {
  const spec = new MessageBrokerSpec();

  test('the example\'s build equals a RabbitmqCluster built directly, in the namespace the request names', () => {
    const built = buildRequest(spec, { name: 'orders-bus', namespace: 'default', spec: spec.example as any });
    const direct = requestChart();
    // What the bundle does for a namespace it creates (Pod Security "restricted", default-deny ingress).
    declareNamespace(direct as Construct, 'orders-messaging', { podSecurity: PodSecurityLevel.RESTRICTED });
    const cluster = new RabbitmqCluster(direct, 'RabbitMQ', {
      name: 'orders-bus',
      namespace: 'orders-messaging',
      replicas: 3,
      storage: Size.gibibytes(20),
      resources: { cpu: { request: kplus.Cpu.units(1) }, memory: { request: Size.gibibytes(2), limit: Size.gibibytes(2) } },
    });
    cluster.ingressPolicy.admitNamespaces(['orders-messaging', 'orders'], { ports: [5672] });
    expectSameBuild(built, direct, {
      namespace: 'orders-messaging',
      cluster: 'orders-bus',
      host: 'orders-bus.orders-messaging.svc.cluster.local',
      amqpUrl: 'amqp://orders-bus.orders-messaging.svc.cluster.local:5672',
      credentialsSecret: 'orders-bus-default-user',
      clientNamespaces: 'orders-messaging,orders',
    });
  });

  test('an empty request: one node in the request\'s namespace, the construct\'s defaults, reachable from that namespace only', () => {
    const { chart, result } = buildRequest(spec, { name: 'bus', namespace: 'team-a', spec: {} });
    const objects = synthValid(chart);
    const rabbit = objects.find((o) => o.kind === 'RabbitmqCluster');
    expect(rabbit.metadata).toMatchObject({ name: 'bus', namespace: 'team-a' });
    expect(rabbit.spec).toMatchObject({ replicas: 1, persistence: { storage: '10Gi' }, resources: { requests: { cpu: '250m', memory: '1Gi' }, limits: { memory: '1Gi' } } });
    expect(objects.some((o) => o.kind === 'Namespace')).toBe(false);
    const policy = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'bus-rabbitmq-ingress');
    const amqp = policy.spec.ingress.filter((r: any) => r.ports?.some((p: any) => p.port === 5672));
    expect(amqp.flatMap((r: any) => r.from.map((f: any) => f.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name']))).toContain('team-a');
    expect(result.outputs.clientNamespaces).toBe('team-a');
  });

  test('TLS only admits clients on 5671 alone', () => {
    const { chart } = buildRequest(spec, { name: 'bus', namespace: 'team-a', spec: { tls: { secretName: 'bus-tls', disableNonTlsListeners: true }, clientNamespaces: ['apps'] } });
    const objects = synthValid(chart);
    expect(objects.find((o) => o.kind === 'RabbitmqCluster').spec.tls).toEqual({ secretName: 'bus-tls', disableNonTLSListeners: true });
    const policy = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'bus-rabbitmq-ingress');
    const fromApps = policy.spec.ingress.filter((r: any) => r.from.some((f: any) => f.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'apps'));
    expect(fromApps.flatMap((r: any) => r.ports.map((p: any) => p.port))).toEqual([5671]);
  });

  test('refuses what the schema cannot see, naming the field and the fix', () => {
    const refuse = (s: any, name = 'bus') => validationError(() => spec.buildBundle(requestChart(), { name, namespace: 'team-a', spec: s })).message;
    expect(refuse({ replicas: 2 })).toMatch(/RabbitMQ: replicas \(2\) must be odd.*quorum/);
    expect(refuse({}, 'a'.repeat(43))).toMatch(/RabbitMQ: name .* at most 42/);
    // A request that skipped the schema (build called directly) is refused by the schema, not crashed on.
    expect(refuse({ resources: { memory: { request: '1Gi' } } }))
      .toBe('request: spec ("2 problems") is refused by the AmqpBroker API: spec.resources.memory.limit is required; spec.resources.cpu is required; '
        + 'build from a request the API accepts (the pipeline validates and defaults it first)');
    expect(refuse({ clientNamespaces: 'apps' })).toMatch(/^request: spec \("1 problem"\) is refused by the AmqpBroker API: spec\.clientNamespaces \("apps"\) must be a list;/);
  });

  test('the schema refuses out-of-bounds requests', () => {
    expect(spec.schema.validate({ replicas: 0, storage: '10GB', tls: {}, clientNamespaces: ['a', 'a'] }, 'spec')).toEqual([
      'spec.replicas (0) must be >= 1',
      expect.stringMatching(/^spec\.storage \("10GB"\) must match/),
      'spec.tls.secretName is required',
      'spec.clientNamespaces (["a","a"]) lists "a" twice, but its items are a set',
    ]);
  });
});
