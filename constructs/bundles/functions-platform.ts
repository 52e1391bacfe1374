import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { invalid } from '../core/errors';
import { requireName } from '../core/validate';
import { ApiGateway, IPublicEntrypoint, RouteOptions } from '../gateway/api-gateway';
import { JwtAuthOptions } from '../gateway/auth';
import { PublicDomainOptions } from '../gateway/domain';
import { Frontend } from '../gateway/frontend';
import { ScaleOptions } from '../knative/autoscaling';
import { KnativeFunction, KnativeFunctionOptions } from '../knative/function';
import { KnativeDataPlane } from '../knative/types';
import { IKeyValueStore } from '../core/contracts';
import { KeyValueStoreApi, KeyValueStoreClaim, StoreProvider, StoreSize } from '../crossplane/key-value-store';
import { Redis, RedisOptions } from '../redis/redis';
import { PodSecurityLevel, declareNamespace, requireProfile } from './namespace';
import { Profile, StoreBackend, profileDefaults } from './profile';
import { PIPELINE_IMAGE } from '../kratix/image';
import { defaultImageFor } from './default-images';

export interface PlatformFunctionProps extends KnativeFunctionOptions {
  /** Name of the function: its Knative Service and in-cluster host name (DNS-1035 label). */
  readonly name: string;
  /**
   * Bind the platform's Redis into the function (`REDIS_HOST`, `REDIS_PORT`, `REDIS_ADDR`, `REDIS_PASSWORD` and a
   * network allow-rule).
   * @default true
   */
  readonly bindStore?: boolean;
}

/** A route of the managed proxy: its path, its function and its settings (timeouts, CORS, rate limit, auth, ...). */
export interface GatewayRouteSpec extends RouteOptions {
  /** Path prefix, e.g. `/api/score`. */
  readonly path: string;
  /** Name of the function (one of `functions[].name`). */
  readonly function: string;
}

export interface PlatformFrontendProps extends KnativeFunctionOptions {
  /**
   * Functions the frontend calls; each URL is given in `<NAME>_URL`.
   * @default - every function
   */
  readonly connect?: string[];
}

export interface PlatformGatewayProps {
  /**
   * Name of the public Knative Service.
   * @default 'gateway'
   */
  readonly name?: string;
  /**
   * Routes of the managed proxy.
   * @default - every function at `/api/<name>`
   */
  readonly routes?: GatewayRouteSpec[];
  /**
   * Bring your own frontend image instead of the managed proxy. It receives the functions' URLs and calls them.
   * @default - the managed nginx proxy
   */
  readonly frontend?: PlatformFrontendProps;
  /** Proxy image. @default - see ApiGateway */
  readonly image?: string;
  /** @default - the profile's gateway scale (dev: 1..3, prod: 2..10) */
  readonly scale?: ScaleOptions;
  /** @default - the profile's gateway resources */
  readonly resources?: kplus.ContainerResources;
  /**
   * A domain of its own for the gateway (or the frontend), served over HTTPS with a cert-manager certificate.
   * @default - no custom domain
   */
  readonly domain?: PublicDomainOptions;
  /**
   * Settings every route of the managed proxy starts from (the default routes too); a route's own settings win,
   * field by field.
   * @default - none: see RouteOptions
   */
  readonly routeDefaults?: RouteOptions;
  /** Default read/send timeout of the routes. @default - see ApiGateway (1 hour) */
  readonly timeout?: Duration;
  /** Default largest request body of the routes. @default - see ApiGateway (8 MiB) */
  readonly clientMaxBodySize?: Size;
  /** Token authentication of the managed proxy's routes. @default - none */
  readonly auth?: JwtAuthOptions;
  /** Proxies trusted to name the client in X-Forwarded-For. @default - see ApiGateway */
  readonly trustedProxies?: string[];
}

/** Settings of PlatformGatewayProps that configure the managed proxy, refused with a frontend. */
const PROXY_ONLY: Array<keyof PlatformGatewayProps> = ['routeDefaults', 'timeout', 'clientMaxBodySize', 'auth', 'trustedProxies'];

export interface FunctionsPlatformProps {
  /** Namespace everything is created in; the bundle creates it, labelled for Pod Security "restricted". */
  readonly namespace: string;
  /**
   * Sizing profile.
   * @default Profile.DEV
   */
  readonly profile?: Profile;
  /** The functions. Names must be unique. */
  readonly functions: PlatformFunctionProps[];
  /**
   * Where the key/value store comes from: an in-cluster Redis, or a KeyValueStore claimed from the platform API
   * `storeApi` (its compositions decide where it runs). Functions bind either the same way.
   * @default - the profile's: DEV StoreBackend.IN_CLUSTER, PROD StoreBackend.CLAIM
   */
  readonly store?: StoreBackend;
  /**
   * The in-cluster Redis (StoreBackend.IN_CLUSTER).
   * @default - Redis named `redis`, sized by the profile, password generated at deploy time
   */
  readonly redis?: PlatformRedisProps;
  /** The KeyValueStore API to claim from (required with StoreBackend.CLAIM). @default - none */
  readonly storeApi?: KeyValueStoreApi;
  /** The claim (StoreBackend.CLAIM). @default - named `redis`, sized by the profile, the API's default composition */
  readonly storeClaim?: PlatformStoreClaimProps;
  /** @default - the managed proxy named `gateway`, every function at `/api/<name>` */
  readonly gateway?: PlatformGatewayProps;
  /** @default KnativeDataPlane.KOURIER */
  readonly dataPlane?: KnativeDataPlane;
  /** Extra labels on the namespace. @default - none */
  readonly namespaceLabels?: { [key: string]: string };
  /**
   * Share the namespace with another construct of the app that creates it (an EventDrivenPlatform, a TeamSpace on
   * the same namespace): one Namespace object then serves both.
   * @default false - the bundle creates the namespace, and another construct creating it is an error
   */
  readonly shareNamespace?: boolean;
}

export interface PlatformRedisProps extends RedisOptions {
  /** @default 'redis' */
  readonly name?: string;
}

export interface PlatformStoreClaimProps {
  /** @default 'redis' */
  readonly name?: string;
  /** @default - the profile's (dev small, prod medium) */
  readonly size?: StoreSize;
  /** @default - the API's default composition */
  readonly provider?: StoreProvider;
  /** @default false */
  readonly highAvailability?: boolean;
}

/**
 * The functions platform in one construct: a namespace under Pod Security "restricted" with default-deny ingress,
 * an in-cluster Redis, N functions (cluster-local Knative Services) bound to it, and one public gateway or frontend
 * in front of them. Every network allow-rule comes from the wiring (bindings and the Knative data plane).
 */
export class FunctionsPlatform extends Construct {
  public readonly namespace: string;
  public readonly profile: Profile;
  public readonly functions: KnativeFunction[];
  /** The store the functions bind (a Redis or a KeyValueStoreClaim). */
  public readonly store: IKeyValueStore;
  public readonly storeBackend: StoreBackend;
  /** The in-cluster Redis (StoreBackend.IN_CLUSTER). */
  public readonly redis?: Redis;
  /** The claim (StoreBackend.CLAIM). */
  public readonly storeClaim?: KeyValueStoreClaim;
  public readonly gateway: IPublicEntrypoint;
  private byName?: Map<string, KnativeFunction>;

  public constructor(scope: Construct, id: string, props: FunctionsPlatformProps) {
    super(scope, id);
    this.namespace = requireName(this, 'namespace', props.namespace);
    this.profile = requireProfile(this, props.profile);
    const defaults = profileDefaults(this.profile);
    this.storeBackend = props.store ?? defaults.storeBackend;
    if (!Object.values(StoreBackend).includes(this.storeBackend)) invalid(this, 'store', this.storeBackend, `must be one of ${Object.values(StoreBackend).join(', ')}`);
    const claimed = this.storeBackend === StoreBackend.CLAIM;
    if (claimed && props.redis !== undefined) invalid(this, 'redis', Object.keys(props.redis), 'configures the in-cluster Redis, but the store is claimed', 'use storeClaim, or store: StoreBackend.IN_CLUSTER');
    if (!claimed && props.storeClaim !== undefined) invalid(this, 'storeClaim', Object.keys(props.storeClaim), 'configures a claim, but the store is in-cluster', 'use redis, or store: StoreBackend.CLAIM');
    if (claimed && !KeyValueStoreApi.isKeyValueStoreApi(props.storeApi)) {
      invalid(this, 'storeApi', props.storeApi, `is required when the store is claimed (profile ${this.profile})`,
        'pass the KeyValueStoreApi your platform publishes, or store: StoreBackend.IN_CLUSTER');
    }
    const storeName = requireName(this, claimed ? 'storeClaim.name' : 'redis.name', (claimed ? props.storeClaim?.name : props.redis?.name) ?? 'redis', 'dns1035-label');
    const gatewayName = requireName(this, 'gateway.name', props.gateway?.name ?? 'gateway', 'dns1035-label');
    this.checkFunctionNames(props.functions, [storeName, `${storeName}-headless`, gatewayName]);

    declareNamespace(this, this.namespace, {
      podSecurity: PodSecurityLevel.RESTRICTED, profile: this.profile, labels: props.namespaceLabels, shared: props.shareNamespace,
    });

    if (claimed) {
      this.storeClaim = new KeyValueStoreClaim(this, 'Store', {
        api: props.storeApi!,
        name: storeName,
        namespace: this.namespace,
        size: props.storeClaim?.size ?? defaults.storeSize,
        provider: props.storeClaim?.provider,
        highAvailability: props.storeClaim?.highAvailability,
      });
      this.store = this.storeClaim;
    } else {
      this.redis = new Redis(this, 'Redis', {
        ...props.redis,
        name: storeName,
        namespace: this.namespace,
        resources: props.redis?.resources ?? defaults.redisResources,
        storage: props.redis?.storage ?? defaults.redisStorage,
        podDisruptionBudget: props.redis?.podDisruptionBudget ?? defaults.redisDisruptionBudget,
      });
      this.store = this.redis;
    }

    const functionsScope = new Construct(this, 'Functions');
    this.functions = props.functions.map((spec) => {
      const { bindStore, ...options } = spec;
      const fn = new KnativeFunction(functionsScope, spec.name, {
        ...options,
        namespace: this.namespace,
        scale: overProfile(defaults.functionScale, spec.scale),
        resources: spec.resources ?? defaults.functionResources,
        dataPlane: spec.dataPlane ?? props.dataPlane,
      });
      if (bindStore ?? true) this.store.bind(fn);
      return fn;
    });

    this.gateway = props.gateway?.frontend
      ? this.createFrontend(gatewayName, props.gateway, props.dataPlane)
      : this.createGateway(gatewayName, props.gateway ?? {}, props.dataPlane);
  }

  /** The function of that name; throws a ValidationError listing the names when there is none. */
  public functionNamed(name: string): KnativeFunction {
    return this.lookup('function', name);
  }

  /** The function a props field names; the error names the field and the valid choices. */
  private lookup(field: string, name: string): KnativeFunction {
    // An index, not a scan: platforms route thousands of functions.
    this.byName ??= new Map(this.functions.map((f) => [f.name, f]));
    const fn = this.byName.get(name);
    if (!fn) invalid(this, field, name, 'is not one of the platform\'s functions', `use one of: ${this.functions.map((f) => f.name).join(', ')}`);
    return fn;
  }

  private checkFunctionNames(functions: PlatformFunctionProps[], reserved: string[]): void {
    if (!Array.isArray(functions) || functions.length === 0) {
      invalid(this, 'functions', functions, 'must list at least one function');
    }
    const seen = new Map<string, number>();
    functions.forEach((f, i) => {
      requireName(this, `functions[${i}].name`, f.name, 'dns1035-label');
      if (seen.has(f.name)) {
        invalid(this, `functions[${i}].name`, f.name, `duplicates functions[${seen.get(f.name)}].name`, 'function names must be unique');
      }
      if (reserved.includes(f.name)) {
        invalid(this, `functions[${i}].name`, f.name, 'collides with the name of the platform\'s store or gateway', 'rename the function or set redis.name / storeClaim.name / gateway.name');
      }
      seen.set(f.name, i);
    });
  }



  private createGateway(name: string, props: PlatformGatewayProps, dataPlane?: KnativeDataPlane): ApiGateway {
    const defaults = profileDefaults(this.profile);
    const gateway = new ApiGateway(this, 'Gateway', {
      name,
      namespace: this.namespace,
      image: props.image,
      scale: overProfile(defaults.gatewayScale, props.scale),
      resources: props.resources ?? defaults.gatewayResources,
      dataPlane,
      domain: props.domain,
      timeout: props.timeout,
      clientMaxBodySize: props.clientMaxBodySize,
      // The verifier sidecar's default is this package's image, published per release by version tag only: a prod
      // namespace names its digest (gateway.auth.image), like every other default that is not pinned by digest.
      auth: props.auth && { ...props.auth, image: defaultImageFor(this, this.profile, 'gateway.auth.image', props.auth.image, PIPELINE_IMAGE) },
      trustedProxies: props.trustedProxies,
    });
    const routes: GatewayRouteSpec[] = props.routes ?? this.functions.map((f) => ({ path: `/api/${f.name}`, function: f.name }));
    const paths = new Map<string, number>();
    routes.forEach((r, i) => {
      if (paths.has(r.path)) invalid(this, `gateway.routes[${i}].path`, r.path, `duplicates gateway.routes[${paths.get(r.path)}].path`);
      paths.set(r.path, i);
      const { path, function: fnName, ...options } = r;
      const settings: { [key: string]: unknown } = { ...props.routeDefaults };
      for (const [key, value] of Object.entries(options)) if (value !== undefined) settings[key] = value;
      gateway.route(path, this.lookup(`gateway.routes[${i}].function`, fnName), settings as RouteOptions);
    });
    return gateway;
  }

  private createFrontend(name: string, props: PlatformGatewayProps, dataPlane?: KnativeDataPlane): Frontend {
    if (props.routes) {
      invalid(this, 'gateway.routes', props.routes.map((r) => r.path), 'apply to the managed proxy only', 'with gateway.frontend, list the functions to call in gateway.frontend.connect');
    }
    for (const key of PROXY_ONLY) {
      if (props[key] !== undefined) invalid(this, `gateway.${key}`, props[key], 'configures the managed proxy, not a frontend', 'remove it, or drop gateway.frontend to use the managed proxy');
    }
    const defaults = profileDefaults(this.profile);
    const { connect, ...options } = props.frontend as PlatformFrontendProps;
    const frontend = new Frontend(this, 'Gateway', {
      ...options,
      name,
      namespace: this.namespace,
      scale: overProfile(defaults.gatewayScale, options.scale),
      resources: options.resources ?? props.resources ?? defaults.gatewayResources,
      dataPlane: options.dataPlane ?? dataPlane,
      domain: props.domain,
    });
    (connect ?? this.functions.map((f) => f.name)).forEach((fnName, i) => {
      frontend.connect(this.lookup(`gateway.frontend.connect[${i}]`, fnName));
    });
    return frontend;
  }
}

/**
 * Explicit scale settings over the profile's. A minimum above the profile's maximum raises the maximum with it
 * (asking for 4 pods on a profile capped at 3 means 4); an explicit maximum is kept and checked as given.
 */
function overProfile(profile: ScaleOptions, given: ScaleOptions | undefined): ScaleOptions {
  const merged = { ...profile, ...given };
  if (given?.max === undefined && given?.min !== undefined && profile.max !== undefined && given.min > profile.max) {
    return { ...merged, max: given.min };
  }
  return merged;
}
