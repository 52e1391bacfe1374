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
import { ENTRYPOINT_DEFAULTS, GATEWAY_IMAGE } from './defaults';
import { PublicDomain, PublicDomainOptions } from './domain';
import { HEALTH_PATH, NginxRoute, renderNginxConfig } from './nginx-config';
import { isRoutePath, routePathProblem } from './paths';

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
   * Request timeout (whole seconds), also nginx's upstream read/send timeout. Above 600s the cluster must allow it
   * (README).
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
  /** @default Size.mebibytes(8) */
  readonly clientMaxBodySize?: Size;
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
    const user = requireInteger(this, 'user', props.user ?? 101, { min: 1 });
    const bodySize = props.clientMaxBodySize ?? Size.mebibytes(8);
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
            clientMaxBodySize: `${bodySize.toKibibytes()}k`,
            upstreamTimeoutSeconds: timeoutSeconds,
            domain: this.domain?.gatewayDirectives,
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
      readiness: FunctionProbe.http(HEALTH_PATH, { period: Duration.seconds(5) }),
      liveness: FunctionProbe.http(HEALTH_PATH, { period: Duration.seconds(10), failureThreshold: 3 }),
      securityContext: { user },
      writablePaths: ['/tmp', '/var/cache/nginx'],
      dataPlane: props.dataPlane,
      labels: { 'app.kubernetes.io/component': 'api-gateway' },
    });
    // The namespace's one public entrypoint (the platform policy allows no other public Service).
    this.service.resource.metadata.addAnnotation(PUBLIC_ENTRYPOINT_ANNOTATION, 'true');
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
    if (this.routes.has(path)) invalid(this, `${field}.path`, path, `is already routed to ${this.routes.get(path)!.host}`);
    this.routes.set(path, { path, host: target.host, stripPrefix: options.stripPrefix ?? true });
    Wiring.connect({
      kind: EdgeKind.ROUTES, from: this, to: target, detail: path, key: connectionKey('routes', this, path), repeat: RepeatPolicy.REFUSE,
      admit: httpAdmission(target, this.service.peer),
    });
  }
}
