/**
 * The functions platform offered as an API (`FunctionsPlatform`, platform.platform-blueprints.io/v1alpha1): one
 * small request gives a team a namespace with functions, a store, a public gateway and, when asked, an event broker
 * its functions publish to and subscribe from. The schema mirrors FunctionsPlatformProps (and EventDrivenPlatformProps
 * under `eventing`) field by field — same names, same defaults, same enums — and `buildBundle` hands the values to those
 * bundles unchanged, so the API and the bundles cannot drift. Bounds the API server can check are in the schema;
 * rules across fields (unique names, routes to existing functions, scale.min <= scale.max) are the constructs',
 * whose ValidationError is the refusal.
 */
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { CloudEventType } from '../../core/event-type';
import { EventFilter } from '../../core/event-filter';
import { invalid } from '../../core/errors';
import { KeyValueStoreApi, KeyValueStoreApiProps, StoreProvider, StoreSize } from '../../crossplane/key-value-store';
import { SchemaField } from '../../crossplane/schema';
import { QueueType } from '../../eventing/broker';
import { KnativeDataPlane, Language } from '../../knative/types';
import { EventDrivenPlatform, EventDrivenPlatformProps } from '../../bundles/event-driven-platform';
import { FunctionsPlatform, FunctionsPlatformProps, PlatformFunctionProps } from '../../bundles/functions-platform';
import { Profile, StoreBackend } from '../../bundles/profile';
import { BundleBuildResult, BundleRequest, IBundleSpec } from '../bundle-spec';
import {
  DNS1123_LABEL, defined, imageField, nameField, requestSpec, resourcesField, scaleField, storageClassField, storageField, toResources, toScale, toSize,
} from './fields';

/** The languages a function may declare (the library's Language values). */
export const FUNCTION_LANGUAGES: string[] = [
  Language.GO, Language.JAVA, Language.NODEJS, Language.TYPESCRIPT, Language.PYTHON, Language.RUST, Language.DOTNET, Language.RUBY, Language.PROXY,
].map((l) => l.name);

const DATA_PLANES: { [name: string]: KnativeDataPlane } = {
  kourier: KnativeDataPlane.KOURIER,
  istio: KnativeDataPlane.ISTIO,
  contour: KnativeDataPlane.CONTOUR,
};

/** A CloudEvents `type`: printable ASCII without spaces (what the constructs accept), bounded for the API server. */
const EVENT_TYPE = SchemaField.string({ description: 'CloudEvents type, e.g. dev.example.game.score.', minLength: 1, maxLength: 250, pattern: '^[\\x21-\\x7e]+$' });
const ROUTE_PATH = '^/([A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*)?$';
const ENV_VALUE = SchemaField.string({ maxLength: 4096 });

/** Limits of a request (each bounds what one request may create, and the API server's validation cost). */
export const FUNCTIONS_PLATFORM_LIMITS = {
  functions: 50,
  routes: 100,
  env: 64,
  subscriptions: 100,
  publishers: 50,
  typesPerPublisher: 20,
  namespaceLabels: 16,
};

function functionSchema(): SchemaField {
  return SchemaField.object({
    name: nameField('Name of the function: its Knative Service and in-cluster host name (DNS-1035 label).', { required: true }),
    image: imageField('Container image, pinned by tag or digest.', true),
    language: SchemaField.string({ description: 'Language or runtime (label platform-blueprints.io/language).', enum: FUNCTION_LANGUAGES }),
    port: SchemaField.integer({ description: 'Port the container listens on (default 8080).', minimum: 1, maximum: 65535 }),
    env: SchemaField.map(ENV_VALUE, { description: 'Environment variables (name → value).', maxProperties: FUNCTIONS_PLATFORM_LIMITS.env }),
    scale: scaleField('Scale bounds (default: the profile\'s: dev scales to zero, prod keeps one pod).'),
    resources: resourcesField('CPU and memory (default: the profile\'s).'),
    securityContext: SchemaField.object({
      user: SchemaField.integer({ description: 'uid the container runs as (default 65532, the nonroot uid of distroless images); set the image\'s own when it has one.', minimum: 1, maximum: 2147483647 }),
    }, { description: 'How the container runs: always non-root, read-only root filesystem, no privilege escalation, no capabilities (the platform policy holds for requests; a writable root filesystem is not offered).' }),
    bindStore: SchemaField.boolean({ description: 'Give the function the store\'s address and password (REDIS_*).', default: true }),
  });
}

function schema(): SchemaField {
  const L = FUNCTIONS_PLATFORM_LIMITS;
  return SchemaField.object({
    namespace: nameField('Namespace the platform is created in (default: the request\'s name).', { pattern: DNS1123_LABEL }),
    profile: SchemaField.string({ description: 'Sizing profile.', enum: Object.values(Profile), default: Profile.DEV }),
    functions: SchemaField.array(functionSchema(), { description: 'The functions; names are unique.', required: true, minItems: 1, maxItems: L.functions }),
    store: SchemaField.string({ description: 'Where the key/value store comes from (default: the profile\'s: dev in-cluster, prod claim).', enum: Object.values(StoreBackend) }),
    redis: SchemaField.object({
      name: nameField('Name of the Redis (default redis).', { maxLength: 40 }),
      image: imageField('Redis image (default: the library\'s).'),
      storage: storageField('Volume size (default: the profile\'s: dev 1Gi, prod 10Gi).'),
      storageClassName: storageClassField(),
      resources: resourcesField('CPU and memory (default: the profile\'s).'),
    }, { description: 'The in-cluster Redis (store: in-cluster).' }),
    storeClaim: SchemaField.object({
      name: nameField('Name of the KeyValueStore claim (default redis).', { maxLength: 40 }),
      size: SchemaField.string({ description: 'Size (default: the profile\'s: dev small, prod medium).', enum: Object.values(StoreSize) }),
      provider: SchemaField.string({ description: 'Composition (default: the API\'s default).', enum: Object.values(StoreProvider) }),
      highAvailability: SchemaField.boolean({ description: 'A replica that takes over (cloud compositions only).', default: false }),
    }, { description: 'The KeyValueStore claim (store: claim).' }),
    gateway: SchemaField.object({
      name: nameField('Name of the public Knative Service.', { default: 'gateway' }),
      image: imageField('Proxy image (default: the library\'s nginx).'),
      routes: SchemaField.array(SchemaField.object({
        path: SchemaField.string({ description: 'Path prefix, e.g. /api/score.', required: true, minLength: 1, maxLength: 256, pattern: ROUTE_PATH }),
        function: nameField('Name of the function (one of functions[].name).', { required: true }),
        stripPrefix: SchemaField.boolean({ description: 'Remove the prefix before forwarding.', default: true }),
      }), { description: 'Routes (default: every function at /api/<name>).', maxItems: L.routes }),
      scale: scaleField('Scale bounds (default: the profile\'s: dev 1..3, prod 2..10).'),
      resources: resourcesField('CPU and memory (default: the profile\'s).'),
    }, { description: 'The public API gateway (an nginx proxy in front of the functions).' }),
    dataPlane: SchemaField.string({ description: 'Knative networking layer whose pods reach the functions.', enum: Object.keys(DATA_PLANES), default: 'kourier' }),
    namespaceLabels: SchemaField.map(SchemaField.string({ maxLength: 63 }), { description: 'Extra labels on the namespace.', maxProperties: L.namespaceLabels }),
    eventing: SchemaField.object({
      namespace: nameField('Namespace of the event infrastructure (default: <namespace>-events).', { pattern: DNS1123_LABEL }),
      rabbitmq: SchemaField.object({
        name: nameField('Name of the RabbitMQ cluster (default rabbitmq).', { maxLength: 42 }),
        replicas: SchemaField.integer({ description: 'Nodes, odd (default: the profile\'s: dev 1, prod 3).', minimum: 1, maximum: 9 }),
        storage: storageField('Volume size per node (default: the profile\'s: dev 2Gi, prod 20Gi).'),
        storageClassName: storageClassField(),
        image: imageField('RabbitMQ image (default: the cluster operator\'s).'),
        resources: resourcesField('CPU and memory per node (default: the profile\'s); a memory limit is required.'),
      }, { description: 'The RabbitMQ cluster behind the broker.' }),
      broker: SchemaField.object({
        name: nameField('Name of the Knative Broker.', { default: 'default' }),
        queueType: SchemaField.string({ description: 'RabbitMQ queue type.', enum: Object.values(QueueType), default: QueueType.QUORUM }),
        retry: SchemaField.integer({ description: 'Delivery attempts before the dead-letter sink (default 3).', minimum: 0, maximum: 100 }),
      }, { description: 'The RabbitMQ-backed Knative Broker.' }),
      deadLetterImage: imageField('Image of the dead-letter function (default: Knative\'s event_display).'),
      subscriptions: SchemaField.array(SchemaField.object({
        function: nameField('Subscriber (one of functions[].name).', { required: true }),
        type: EVENT_TYPE,
        external: SchemaField.boolean({ description: 'The type is produced outside this platform (no publisher here).', default: false }),
      }), { description: 'Functions that receive events (of one type, or every event when type is left out).', maxItems: L.subscriptions }),
      publishers: SchemaField.array(SchemaField.object({
        function: nameField('Publisher (one of functions[].name); it receives the broker\'s address in K_SINK.', { required: true }),
        types: SchemaField.array(EVENT_TYPE, { description: 'CloudEvents types it sends.', required: true, minItems: 1, maxItems: L.typesPerPublisher, set: true }),
        envName: SchemaField.string({ description: 'Also give the broker\'s address in this variable.', maxLength: 128, pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }),
      }), { description: 'Functions that send events to the broker.', maxItems: L.publishers }),
    }, { description: 'An event broker (Knative Eventing on RabbitMQ) the functions publish to and subscribe from.' }),
  });
}

export interface FunctionsPlatformSpecProps {
  /**
   * The KeyValueStore API that claimed stores (`store: claim`) come from. The API itself is a prerequisite the
   * platform publishes once (see `buildDependencies`), not part of any request's output.
   * @default - the library's KeyValueStoreApi with its defaults (namespaced, local composition)
   */
  readonly storeApi?: KeyValueStoreApiProps;
}

/** The functions platform as a self-service API (see the module comment). */
export class FunctionsPlatformSpec implements IBundleSpec {
  public readonly kind = 'FunctionsPlatform';
  public readonly group = 'platform.platform-blueprints.io';
  public readonly version = 'v1alpha1';
  public readonly plural = 'functionsplatforms';
  public readonly description = 'A functions platform for a team: Knative functions in a namespace of their own, a Redis key/value store '
    + '(in-cluster or claimed), a public API gateway and, optionally, a RabbitMQ-backed event broker.';
  public readonly schema: SchemaField = schema();
  public readonly example: { [field: string]: unknown } = {
    profile: 'dev',
    // An HTTP echo server (Node.js, uid 1000) stands in for both: it logs what it receives.
    functions: [
      { name: 'orders', image: 'docker.io/mendhak/http-https-echo:37', language: 'nodejs', env: { HTTP_PORT: '8080' }, securityContext: { user: 1000 }, scale: { min: 0, max: 5 } },
      { name: 'audit', image: 'docker.io/mendhak/http-https-echo:37', language: 'nodejs', env: { HTTP_PORT: '8080' }, securityContext: { user: 1000 }, bindStore: false },
    ],
    gateway: { routes: [{ path: '/api/orders', function: 'orders' }] },
    eventing: {
      publishers: [{ function: 'orders', types: ['dev.example.order.created'], envName: 'BROKER_URL' }],
      subscriptions: [{ function: 'audit', type: 'dev.example.order.created' }],
    },
  };

  private readonly storeApiProps: KeyValueStoreApiProps;

  public constructor(props: FunctionsPlatformSpecProps = {}) {
    this.storeApiProps = props.storeApi ?? {};
  }

  /**
   * The platform-level prerequisites of the requests (the KeyValueStore API their claims use), built into `scope`
   * — for a Promise's `dependencies`, installed once rather than with each request.
   */
  public buildDependencies(scope: Construct): KeyValueStoreApi {
    return new KeyValueStoreApi(scope, 'KeyValueStore', this.storeApiProps);
  }

  /**
   * The bundle props a request stands for (`storeApi` set when the store is claimed), for a request spec the schema
   * accepted (`buildBundle` checks that first); what the schema cannot express, the bundles refuse with a ValidationError.
   */
  public props(request: BundleRequest, storeApi?: KeyValueStoreApi): FunctionsPlatformProps {
    const s = request.spec ?? {};
    const profile = s.profile as Profile | undefined;
    return defined({
      namespace: s.namespace ?? request.name,
      profile,
      functions: Array.isArray(s.functions) ? s.functions.map(toFunction) : s.functions,
      store: s.store as StoreBackend | undefined,
      redis: s.redis === undefined ? undefined : defined({
        name: s.redis.name,
        image: s.redis.image,
        storage: toSize(s.redis.storage),
        storageClassName: s.redis.storageClassName,
        resources: toResources(s.redis.resources),
      }),
      storeApi,
      storeClaim: s.storeClaim === undefined ? undefined : defined({
        name: s.storeClaim.name,
        size: s.storeClaim.size as StoreSize | undefined,
        provider: s.storeClaim.provider as StoreProvider | undefined,
        highAvailability: s.storeClaim.highAvailability,
      }),
      gateway: s.gateway === undefined ? undefined : defined({
        name: s.gateway.name,
        image: s.gateway.image,
        routes: s.gateway.routes?.map((r: any) => defined({ path: r.path, function: r.function, stripPrefix: r.stripPrefix })),
        scale: toScale(s.gateway.scale),
        resources: toResources(s.gateway.resources),
      }),
      dataPlane: s.dataPlane === undefined ? undefined : DATA_PLANES[s.dataPlane],
      namespaceLabels: s.namespaceLabels,
    }) as FunctionsPlatformProps;
  }

  public buildBundle(scope: Construct, request: BundleRequest): BundleBuildResult {
    const s = requestSpec(scope, this, request);
    const claimed = (s.store ?? (s.profile === Profile.PROD ? StoreBackend.CLAIM : StoreBackend.IN_CLUSTER)) === StoreBackend.CLAIM;
    const storeApi = claimed ? this.publishedStoreApi() : undefined;
    const provider = s.storeClaim?.provider;
    if (storeApi && provider !== undefined && !storeApi.api.allCompositions.some((c) => c.labels.provider === provider)) {
      // The claim would check this at synth only, with cdk8s's generic error: refused here, with the field.
      const offered = storeApi.api.compositionLabels().provider ?? [];
      invalid(scope, 'storeClaim.provider', provider, `is not offered by the platform's KeyValueStore API (its compositions: ${offered.join(', ')})`,
        'leave it out for the API\'s default composition');
    }
    const platform = new FunctionsPlatform(scope, 'Platform', this.props(request, storeApi));
    const outputs: { [key: string]: string } = {
      namespace: platform.namespace,
      gatewayUrl: platform.gateway.service.url,
      store: platform.storeBackend,
      storeName: platform.redis?.name ?? platform.storeClaim!.name,
      storeSecret: platform.redis?.passwordSecret.secretName ?? platform.storeClaim!.connectionSecretName,
      functions: platform.functions.map((f) => f.name).join(','),
    };
    if (platform.redis) {
      // The password is never in the output (it would sit in the state store): the requester creates its Secret.
      const secret = platform.redis.passwordSecret;
      outputs.storeSecretToCreate = `kubectl create secret generic ${secret.secretName} -n ${platform.namespace} ` +
        `--from-literal=${secret.key}="$(openssl rand -hex 16)"  # before Redis can start; the pipeline writes no secret value`;
    }
    let events = '';
    if (s.eventing !== undefined) {
      const eventing = buildEventing(scope, platform, s.eventing, s.dataPlane);
      outputs.eventsNamespace = eventing.namespace;
      outputs.brokerAddress = eventing.broker.address;
      events = `, broker ${eventing.broker.address}`;
    }
    const n = platform.functions.length;
    return {
      message: `functions platform ${platform.namespace}: ${n} function${n === 1 ? '' : 's'}, gateway ${platform.gateway.service.url}, `
        + `store ${outputs.storeName} (${platform.storeBackend})${events}`,
      outputs,
    };
  }

  /**
   * The KeyValueStore API as the platform publishes it, in a tree of its own: claims are checked against its
   * schema and compositions, and none of its objects (XRD, compositions) is part of the request's output.
   */
  private publishedStoreApi(): KeyValueStoreApi {
    return this.buildDependencies(new Chart(new App(), 'platform-apis', { disableResourceNameHashes: true }));
  }
}

function toFunction(f: any): PlatformFunctionProps {
  if (typeof f !== 'object' || f === null) return f;
  return defined({
    name: f.name,
    image: f.image,
    language: f.language === undefined ? undefined : Language.of(f.language),
    port: f.port,
    env: f.env === undefined ? undefined : Object.fromEntries(Object.entries(f.env).map(([k, v]) => [k, kplus.EnvValue.fromValue(v as string)])),
    scale: toScale(f.scale),
    resources: toResources(f.resources),
    securityContext: f.securityContext === undefined ? undefined : defined({ user: f.securityContext.user }),
    bindStore: f.bindStore,
  }) as PlatformFunctionProps;
}

/** The EventDrivenPlatform props of a request's `eventing` (its namespace defaults to `<namespace>-events`). */
export function eventingProps(platform: FunctionsPlatform, e: any, dataPlane: string | undefined): EventDrivenPlatformProps {
  return defined({
    namespace: e.namespace ?? `${platform.namespace}-events`,
    profile: platform.profile,
    rabbitmq: e.rabbitmq === undefined ? undefined : defined({
      name: e.rabbitmq.name,
      replicas: e.rabbitmq.replicas,
      storage: toSize(e.rabbitmq.storage),
      storageClassName: e.rabbitmq.storageClassName,
      image: e.rabbitmq.image,
      resources: toResources(e.rabbitmq.resources),
    }),
    broker: e.broker === undefined ? undefined : defined({ name: e.broker.name, queueType: e.broker.queueType as QueueType | undefined, retry: e.broker.retry }),
    deadLetterImage: e.deadLetterImage,
    dataPlane: dataPlane === undefined ? undefined : DATA_PLANES[dataPlane],
  }) as EventDrivenPlatformProps;
}

function buildEventing(scope: Construct, platform: FunctionsPlatform, e: any, dataPlane: string | undefined): EventDrivenPlatform {
  const props = eventingProps(platform, e, dataPlane);
  if (props.namespace === platform.namespace) {
    // Functions need "restricted", eventing-rabbitmq's pods "baseline": a namespace of their own keeps the functions' strict.
    invalid(platform, 'eventing.namespace', props.namespace, 'is the functions\' namespace', 'leave it out (default <namespace>-events) or name another namespace');
  }
  const events = new EventDrivenPlatform(scope, 'Events', props);
  (e.publishers ?? []).forEach((p: any, i: number) => {
    const fn = lookup(platform, `eventing.publishers[${i}].function`, p.function);
    events.broker.addPublisher(fn, defined({ emits: (p.types ?? []).map((t: string) => CloudEventType.of(t)), envName: p.envName }));
  });
  (e.subscriptions ?? []).forEach((sub: any, i: number) => {
    const fn = lookup(platform, `eventing.subscriptions[${i}].function`, sub.function);
    const type = sub.type === undefined ? undefined : (sub.external ? CloudEventType.external(sub.type) : CloudEventType.of(sub.type));
    events.broker.subscribe(fn, type ? { filters: [EventFilter.type(type)] } : {});
  });
  return events;
}

function lookup(platform: FunctionsPlatform, field: string, name: unknown) {
  const fn = platform.functions.find((f) => f.name === name);
  if (!fn) invalid(platform, field, name, 'is not one of the platform\'s functions', `use one of: ${platform.functions.map((f) => f.name).join(', ')}`);
  return fn;
}
