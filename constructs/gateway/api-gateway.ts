import { createHash } from 'crypto';
import { Duration, Lazy, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { PUBLIC_ENTRYPOINT_ANNOTATION } from '../policy/policy';
import { invalid } from '../core/errors';
import { CONFIG_MAP_MAX_BYTES, showBytes, utf8Bytes } from '../core/go-rules';
import { httpAdmission } from '../core/binding';
import { IHttpEndpoint } from '../core/contracts';
import { EdgeKind, RepeatPolicy, Wiring, connectionKey } from '../core/wiring';
import { CONFIG_HASH_ANNOTATION, recommendedLabels } from '../core/labels';
import { clusterDomain, resolveNamespace } from '../core/context';
import { MAX_GO_DURATION_SECONDS } from '../core/durations';
import { requireInteger, requireName, requireSeconds } from '../core/validate';
import { ScaleOptions } from '../knative/autoscaling';
import { KnativeFunction } from '../knative/function';
import { FunctionProbe } from '../knative/probe';
import { KnativeDataPlane, Language, Visibility } from '../knative/types';
import { AuthMode, JwtAuthOptions, JwtAuthSettings, VERIFIER_PORT, jwtAuthSettings, verifierContainer } from './auth';
import { CorsOptions, corsRules } from './cors';
import { ENTRYPOINT_DEFAULTS, GATEWAY_IMAGE } from './defaults';
import { PublicDomain, PublicDomainOptions } from './domain';
import { HEALTH_PATH, INTERNAL_PREFIX, NginxRoute, READY_PATH, renderNginxConfig } from './nginx-config';
import { isRoutePath, routePathProblem } from './paths';
import { DEFAULT_TRUSTED_PROXIES, RateLimit, rateLimitRule, trustedProxies } from './rate-limit';
import { nginxSize } from './sizes';

/** The public entry of a platform: a Knative Service reachable from outside the cluster. */
export interface IPublicEntrypoint extends IConstruct {
  /** The public Knative Service. */
  readonly service: KnativeFunction;
  /** Its custom domain, when it has one. */
  readonly domain?: PublicDomain;
}

export interface RouteOptions {
  /**
   * Remove the route's path prefix before forwarding (`/api/score/x` → `/x`).
   * @default true
   */
  readonly stripPrefix?: boolean;
  /**
   * How long nginx waits between two reads from the function (whole seconds); for a WebSocket, how long it may be
   * silent. The gateway's Knative request timeout follows the longest route.
   * @default - the gateway's `timeout`
   */
  readonly readTimeout?: Duration;
  /**
   * How long nginx waits between two writes to the function (whole seconds).
   * @default - the gateway's `timeout`
   */
  readonly sendTimeout?: Duration;
  /**
   * How long nginx waits to connect to the function (whole seconds, at most 75 s).
   * @default Duration.seconds(10)
   */
  readonly connectTimeout?: Duration;
  /**
   * Largest request body; larger ones are answered 413.
   * @default - the gateway's `clientMaxBodySize`
   */
  readonly maxBodySize?: Size;
  /**
   * Cross-origin rules, answered by the gateway (preflights never reach the function).
   * @default - no CORS headers: browsers keep cross-origin pages from reading responses
   */
  readonly cors?: CorsOptions;
  /**
   * Requests per client address on this route (per gateway pod); above it, 429 with `Retry-After`.
   * @default - no limit
   */
  readonly rateLimit?: RateLimit;
  /**
   * Whether a valid token is needed (the gateway's `auth` settings).
   * @default - AuthMode.REQUIRED when the gateway has `auth`, else AuthMode.NONE
   */
  readonly auth?: AuthMode;
}

export interface ApiGatewayProps {
  /** @default - the construct id */
  readonly name?: string;
  /** @default - the namespace of the enclosing Chart */
  readonly namespace?: string;
  /**
   * The nginx image; it must run unprivileged (listen on 8080 as a non-root uid).
   * @default GATEWAY_IMAGE - nginx-unprivileged 1.28.0 (alpine), pinned by digest
   */
  readonly image?: string;
  /**
   * uid of the nginx process.
   * @default 101 (the nginx user of the unprivileged image)
   */
  readonly user?: number;
  /**
   * Autoscaling of the gateway.
   * @default - min 1 (never cold), no upper bound
   */
  readonly scale?: ScaleOptions;
  /**
   * Hard limit of in-flight requests (a WebSocket counts for its whole life) per gateway pod.
   * @default 500
   */
  readonly containerConcurrency?: number;
  /**
   * Default read/send timeout of the routes towards their functions (whole seconds). The gateway's Knative request
   * timeout is the longest route's (this value while no route is set); above 600s the cluster must allow it (README).
   * @default Duration.hours(1)
   */
  readonly timeout?: Duration;
  /** @default - cpu request 100m; memory request 64Mi, limit 128Mi */
  readonly resources?: kplus.ContainerResources;
  /**
   * DNS server nginx resolves function hosts with (resolved itself at start); `host` or `host:port`.
   * @default - the cluster DNS Service, `kube-dns.kube-system.svc.<cluster domain>`
   */
  readonly dnsResolver?: string;
  /**
   * Default largest request body of the routes.
   * @default Size.mebibytes(8)
   */
  readonly clientMaxBodySize?: Size;
  /**
   * Authentication of requests with JSON Web Tokens: a verifier sidecar checks each request of the routes whose
   * `auth` is not NONE.
   * @default - no authentication
   */
  readonly auth?: JwtAuthOptions;
  /**
   * Address ranges (CIDR) of the proxies in front of the gateway that may name the client in `X-Forwarded-For`:
   * the Knative ingress and activator (the cluster's pod range) and queue-proxy (loopback). Rate limits and logs count
   * by the address they report.
   * @default - loopback and the private ranges (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7)
   */
  readonly trustedProxies?: string[];
  /** @default 2 */
  readonly workerProcesses?: number;
  /** @default Visibility.PUBLIC */
  readonly visibility?: Visibility;
  /** @default KnativeDataPlane.KOURIER */
  readonly dataPlane?: KnativeDataPlane;
  /**
   * Serve the gateway on a domain of its own over HTTPS (a DomainMapping and a cert-manager Certificate), with HSTS
   * and HTTP redirected to HTTPS.
   * @default - no custom domain: the Knative route's own URL
   */
  readonly domain?: PublicDomainOptions;
}

const CONFIG_DIR = '/etc/nginx/platform';

/** A route of the gateway, as `ApiGateway.routeTable` lists it. */
export interface GatewayRoute {
  /** The path prefix, e.g. `/api/score`. */
  readonly path: string;
  /** The in-cluster host the prefix is proxied to. */
  readonly host: string;
}

/**
 * The managed API gateway: one public Knative Service running nginx, configured from `route(path, fn)` calls.
 * Functions stay cluster-local; the gateway reaches them through the Knative ingress by their in-cluster names.
 */
export class ApiGateway extends Construct implements IPublicEntrypoint {
  public readonly service: KnativeFunction;
  public readonly configMap: k8s.KubeConfigMap;
  /** The custom domain, when the `domain` prop is set. */
  public readonly domain?: PublicDomain;
  private readonly routes = new Map<string, NginxRoute>();
  private readonly defaultTimeoutSeconds: number;
  private readonly authSettings?: JwtAuthSettings;

  public constructor(scope: Construct, id: string, props: ApiGatewayProps = {}) {
    super(scope, id);
    const workerProcesses = requireInteger(this, 'workerProcesses', props.workerProcesses ?? 2, { min: 1, max: 64 });
    const containerConcurrency = requireInteger(this, 'containerConcurrency', props.containerConcurrency ?? 500, { min: 1, max: 1000 });
    const resolver = props.dnsResolver ?? `kube-dns.kube-system.svc.${clusterDomain(this)}`;
    const [resolverHost, resolverPort, ...rest] = resolver.split(':');
    requireName(this, 'dnsResolver', resolverHost, 'dns1123-subdomain');
    if (rest.length || (resolverPort !== undefined && !/^[0-9]{1,5}$/.test(resolverPort))) invalid(this, 'dnsResolver', resolver, 'must be host or host:port');
    const timeout = props.timeout ?? ENTRYPOINT_DEFAULTS.timeout;
    // Knative's request timeout and nginx's upstream timeouts, both in whole seconds.
    const timeoutSeconds = requireSeconds(this, 'timeout', timeout, { min: 1, max: MAX_GO_DURATION_SECONDS });
    this.defaultTimeoutSeconds = timeoutSeconds;
    const user = requireInteger(this, 'user', props.user ?? 101, { min: 1 });
    const bodySize = nginxSize(this, 'clientMaxBodySize', props.clientMaxBodySize ?? Size.mebibytes(8));
    const trusted = trustedProxies(this, 'trustedProxies', props.trustedProxies ?? DEFAULT_TRUSTED_PROXIES);
    this.authSettings = props.auth ? jwtAuthSettings(this, 'auth', props.auth) : undefined;
    const auth = this.authSettings;
    const name = requireName(this, 'name', props.name ?? id, 'dns1035-label');
    const namespace = resolveNamespace(this, props.namespace);
    const port = 8080;
    // Rendered once per set of routes: the ConfigMap and the revision's hash annotation both need it at synth.
    let rendered: { routes: number; text: string } | undefined;
    const render = () => {
      if (rendered?.routes !== this.routes.size) {
        rendered = {
          routes: this.routes.size,
          text: renderNginxConfig({
            port,
            resolver,
            workerProcesses,
            workerConnections: Math.max(1024, containerConcurrency * 4),
            clientMaxBodySize: bodySize,
            upstreamTimeoutSeconds: timeoutSeconds,
            domain: this.domain?.gatewayDirectives,
            trustedProxies: trusted,
            auth: auth ? { verifier: `127.0.0.1:${VERIFIER_PORT}`, claimHeaders: auth.claimHeaders.map((c) => c.header) } : undefined,
          }, [...this.routes.values()]),
        };
      }
      return rendered.text;
    };
    const labels = recommendedLabels({ name: 'nginx', instance: name, component: 'api-gateway' });
    // The ConfigMap comes first so that `kubectl apply` creates it before the revision that mounts it.
    this.configMap = new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: `${name}-nginx`, namespace, labels },
      data: Lazy.any({ produce: () => ({ 'nginx.conf': render() }) }),
    });
    this.service = new KnativeFunction(this, 'Service', {
      name,
      namespace,
      image: props.image ?? GATEWAY_IMAGE,
      language: Language.PROXY,
      port,
      command: ['nginx'],
      // -e stderr: log to the container's stderr from the first line, before the config is read.
      args: ['-e', 'stderr', '-c', `${CONFIG_DIR}/nginx.conf`, '-g', 'daemon off;'],
      visibility: props.visibility ?? Visibility.PUBLIC,
      scale: props.scale ?? ENTRYPOINT_DEFAULTS.scale,
      containerConcurrency,
      timeout,
      // queue-proxy closes a WebSocket once the response-start timeout passes; keep it as long as the request.
      responseStartTimeout: timeout,
      resources: props.resources ?? {
        cpu: { request: kplus.Cpu.millis(100) },
        memory: { request: Size.mebibytes(64), limit: Size.mebibytes(128) },
      },
      // Ready when nginx and (with auth) the verifier are: Knative refuses probes on a sidecar by default.
      readiness: FunctionProbe.http(READY_PATH, { period: Duration.seconds(5) }),
      liveness: FunctionProbe.http(HEALTH_PATH, { period: Duration.seconds(10), failureThreshold: 3 }),
      securityContext: { user },
      writablePaths: ['/tmp', '/var/cache/nginx'],
      dataPlane: props.dataPlane,
      labels: { 'app.kubernetes.io/component': 'api-gateway' },
    });
    // The namespace's one public entrypoint (the platform policy allows no other public Service).
    this.service.resource.metadata.addAnnotation(PUBLIC_ENTRYPOINT_ANNOTATION, 'true');
    if (props.auth) this.service._addSidecar(verifierContainer(this, 'auth', props.auth, this.authSettings!));
    this.service.mountConfigMap(kplus.ConfigMap.fromConfigMapName(this, 'ConfigRef', this.configMap.name), CONFIG_DIR);
    if (props.domain) this.domain = new PublicDomain(this, 'Domain', { ...props.domain, target: this });
    // The API server refuses a ConfigMap whose values pass 1 MiB (in bytes): checked once every route is known.
    this.node.addValidation({
      validate: () => {
        const bytes = utf8Bytes(render());
        if (bytes <= CONFIG_MAP_MAX_BYTES) return [];
        return [`${this.node.path}: the nginx configuration of ${this.routes.size} routes is ${bytes} bytes, more than a ConfigMap holds ` +
          `(${showBytes(CONFIG_MAP_MAX_BYTES)}); spread the routes over two gateways, or route shorter prefixes`];
      },
    });
    // A new config must roll out a new revision: Knative does not watch mounted ConfigMaps.
    this.service.addRevisionAnnotation(CONFIG_HASH_ANNOTATION, Lazy.any({
      produce: () => createHash('sha256').update(render()).digest('hex').slice(0, 16),
    }));
  }

  /** Whether the gateway verifies tokens (ApiGatewayProps.auth). */
  public get authenticates(): boolean {
    return this.authSettings !== undefined;
  }

  /** The routes in path order: `[path, host]`. */
  public get routeTable(): GatewayRoute[] {
    return [...this.routes.values()].sort((a, b) => a.path.localeCompare(b.path)).map((r) => ({ path: r.path, host: r.host }));
  }

  /**
   * Forwards requests under `path` (and WebSocket upgrades) to a function. Paths are prefixes: `/api/score` serves
   * `/api/score` and `/api/score/...`; `/` catches everything no other route matches.
   */
  public route(path: string, target: IHttpEndpoint, options: RouteOptions = {}): void {
    const field = `route(${JSON.stringify(path)})`;
    // nginx normalises a request's path before it matches a location: a route written unnormalised never matches.
    const unreachable = typeof path === 'string' ? routePathProblem(path) : undefined;
    if (unreachable) invalid(this, `${field}.path`, path, unreachable);
    if (typeof path !== 'string' || !isRoutePath(path)) {
      invalid(this, `${field}.path`, path, 'must be "/" or an absolute path of [A-Za-z0-9._~-] segments without a trailing "/"', 'e.g. "/api/score"');
    }
    if (path === HEALTH_PATH) invalid(this, `${field}.path`, path, 'is the gateway\'s own health endpoint', 'choose another path');
    if (path === INTERNAL_PREFIX || path.startsWith(`${INTERNAL_PREFIX}/`)) {
      invalid(this, `${field}.path`, path, `is under ${INTERNAL_PREFIX}, the gateway's own locations (readiness, token checks)`, 'choose another path');
    }
    if (this.routes.has(path)) invalid(this, `${field}.path`, path, `is already routed to ${this.routes.get(path)!.host}`);
    const seconds = (name: string, value: Duration | undefined, max: number) =>
      (value === undefined ? undefined : requireSeconds(this, `${field}.${name}`, value, { min: 1, max }));
    const readTimeoutSeconds = seconds('readTimeout', options.readTimeout, MAX_GO_DURATION_SECONDS);
    const sendTimeoutSeconds = seconds('sendTimeout', options.sendTimeout, MAX_GO_DURATION_SECONDS);
    // nginx: "the timeout cannot usually exceed 75 seconds" (the kernel's connect timeout ends it first).
    const connectTimeoutSeconds = seconds('connectTimeout', options.connectTimeout, 75);
    const auth = options.auth ?? (this.authSettings ? AuthMode.REQUIRED : AuthMode.NONE);
    if (![AuthMode.REQUIRED, AuthMode.OPTIONAL, AuthMode.NONE].includes(auth)) {
      invalid(this, `${field}.auth`, auth, 'must be AuthMode.REQUIRED, AuthMode.OPTIONAL or AuthMode.NONE');
    }
    if (auth !== AuthMode.NONE && !this.authSettings) {
      invalid(this, `${field}.auth`, auth.name, 'needs token verification, but the gateway has no `auth` settings', 'set ApiGatewayProps.auth (issuer, audience), or AuthMode.NONE');
    }
    this.routes.set(path, {
      path,
      host: target.host,
      stripPrefix: options.stripPrefix ?? true,
      readTimeoutSeconds,
      sendTimeoutSeconds,
      connectTimeoutSeconds,
      clientMaxBodySize: options.maxBodySize === undefined ? undefined : nginxSize(this, `${field}.maxBodySize`, options.maxBodySize),
      cors: options.cors === undefined ? undefined : corsRules(this, `${field}.cors`, options.cors),
      rateLimit: options.rateLimit === undefined ? undefined : rateLimitRule(this, `${field}.rateLimit`, options.rateLimit),
      auth: auth.name,
    });
    // Knative ends a request after its revision's timeout: the longest a route may take.
    const longest = Math.max(...[...this.routes.values()].map((r) => Math.max(r.readTimeoutSeconds ?? this.defaultTimeoutSeconds, r.sendTimeoutSeconds ?? this.defaultTimeoutSeconds)));
    this.service._setRequestTimeout(longest);
    Wiring.connect({
      kind: EdgeKind.ROUTES, from: this, to: target, detail: path, key: connectionKey('routes', this, path), repeat: RepeatPolicy.REFUSE,
      admit: httpAdmission(target, this.service.peer),
    });
  }
}
