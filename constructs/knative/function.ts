import { ApiObject, Chart, Duration, Lazy, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { Admission, AdmitOptions, EventDestination, IFunction, IHttpWorkload, ObjectRef, PodPeer, ResourceRef } from '../core/contracts';
import { DeployHints } from '../core/deploy-hints';
import { MAX_GO_DURATION_SECONDS } from '../core/durations';
import { invalid } from '../core/errors';
import {
  RESERVED_ENV_VARS, RESERVED_MOUNT_PATHS, autoscalingAnnotationProblems, cleanPath, functionLabelProblem, revisionAnnotationProblem,
  serviceAnnotationProblem,
} from '../core/knative-rules';
import { LABEL_PREFIX, LANGUAGE_LABEL, recommendedLabels } from '../core/labels';
import { IngressPolicy } from '../core/network';
import { maxRequestTimeoutSeconds } from '../core/plan';
import { resourcesToKube } from '../core/quantity';
import { NameFormat, ResourceProps, WorkloadResource } from '../core/resource';
import { ContainerSecurityOptions, restrictedContainerSecurityContext } from '../core/security';
import { requireAnnotationKeys, requireEnvName, requireImage, requireInteger, requireLabels, requireSeconds, requireUnique } from '../core/validate';
import { ScaleOptions, autoscalingAnnotations } from './autoscaling';
import { FunctionProbe } from './probe';
import { QUEUE_PROXY_PORTS, RESERVED_PORTS } from './ports';
import { KnativeDataPlane, Language, Protocol, Visibility } from './types';

/** Everything about a function except its name (shared by KnativeFunctionProps and the bundles' function specs). */
export interface KnativeFunctionOptions {
  /** Container image, pinned by tag or digest (e.g. `ghcr.io/org/score:1.4.2`). */
  readonly image: string;
  /**
   * Language/runtime, recorded as the label `platform-blueprints.io/language` for the polyglot catalog.
   * @default - no language label
   */
  readonly language?: Language;
  /**
   * Namespace of the Knative Service.
   * @default - the namespace of the enclosing Chart (required if that has none)
   */
  readonly namespace?: string;
  /**
   * Port the container listens on (Knative passes it in `$PORT`).
   * @default 8080
   */
  readonly port?: number;
  /**
   * Protocol on that port.
   * @default Protocol.HTTP1
   */
  readonly protocol?: Protocol;
  /**
   * Environment variables. Use `EnvValue.fromValue`, `EnvValue.fromSecretValue` or `EnvValue.fromConfigMap`.
   * @default - none
   */
  readonly env?: { [name: string]: kplus.EnvValue };
  /**
   * Secrets whose every key becomes an environment variable.
   * @default - none
   */
  readonly envFromSecrets?: kplus.ISecret[];
  /**
   * ConfigMaps whose every key becomes an environment variable.
   * @default - none
   */
  readonly envFromConfigMaps?: kplus.IConfigMap[];
  /** @default - the image's entrypoint */
  readonly command?: string[];
  /** @default - the image's command */
  readonly args?: string[];
  /**
   * Compute resources.
   * @default - cpu request 100m; memory request 128Mi, limit 256Mi; no CPU limit (throttling hurts latency)
   */
  readonly resources?: kplus.ContainerResources;
  /**
   * Autoscaling.
   * @default - scale to zero when idle, concurrency metric, no upper bound
   */
  readonly scale?: ScaleOptions;
  /**
   * Hard limit of in-flight requests per pod (0 = no limit, the autoscaler target still applies).
   * @default 0
   */
  readonly containerConcurrency?: number;
  /**
   * Maximum duration of a request, in whole seconds. Above 600 seconds the cluster's `config-defaults` must allow it
   * (`max-revision-timeout-seconds`), see README "Long requests and WebSockets".
   * @default - the cluster default (`revision-timeout-seconds`, 300s unless changed)
   */
  readonly timeout?: Duration;
  /**
   * Maximum time until the first response byte (whole seconds).
   * @default - the request timeout
   */
  readonly responseStartTimeout?: Duration;
  /**
   * Maximum time a request may be idle (no bytes either way; whole seconds); 0 disables.
   * @default - no idle timeout
   */
  readonly idleTimeout?: Duration;
  /**
   * Who can reach the function.
   * @default Visibility.CLUSTER_LOCAL
   */
  readonly visibility?: Visibility;
  /** @default - Knative's default readiness check (TCP on the port) */
  readonly readiness?: FunctionProbe;
  /** @default - no liveness probe */
  readonly liveness?: FunctionProbe;
  /** @default - no startup probe */
  readonly startup?: FunctionProbe;
  /**
   * ServiceAccount the pods run as; its API token is mounted.
   * @default - the namespace's default ServiceAccount, with no API token mounted
   */
  readonly serviceAccount?: kplus.IServiceAccount;
  /**
   * uid and root filesystem settings that depend on the image (Pod Security "restricted" is always applied).
   * @default - uid 65532, read-only root filesystem
   */
  readonly securityContext?: ContainerSecurityOptions;
  /**
   * Paths the program writes to; each gets an `emptyDir` (the root filesystem is read-only). Knative compares mount
   * paths after cleaning them (`/tmp/` is `/tmp`) and reserves `/`, `/dev` and `/dev/log`.
   * @default ['/tmp']
   */
  readonly writablePaths?: string[];
  /**
   * Size limit of each writable path.
   * @default Size.mebibytes(256)
   */
  readonly writablePathSizeLimit?: Size;
  /**
   * Namespaces of the Knative data plane allowed to reach the pods (default-deny otherwise).
   * @default KnativeDataPlane.KOURIER
   */
  readonly dataPlane?: KnativeDataPlane;
  /**
   * Extra labels on the Knative Service and its pods; not `serving.knative.dev/*` (Knative's own) nor the visibility
   * label (set `visibility`).
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * Extra annotations on the Knative Service; not `autoscaling.knative.dev/*` (set `scale`, or
   * `addRevisionAnnotation` for the others) nor the annotations Knative's webhook writes.
   * @default - none
   */
  readonly annotations?: { [key: string]: string };
}

export interface KnativeFunctionProps extends KnativeFunctionOptions {
  /**
   * Name of the Knative Service (a DNS-1035 label). It is also the in-cluster host name.
   * @default - the construct id
   */
  readonly name?: string;
}

const KNATIVE_FUNCTION = Symbol.for('platform-blueprints.KnativeFunction');
const SERVICE_API_VERSION = 'serving.knative.dev/v1';
/** Requests reach function pods only through the Knative data plane, which every function's own policy admits. */
const THROUGH_DATA_PLANE = Admission.notNeeded('its pods are reached through the Knative data plane (ingress, activator), which its NetworkPolicy admits');

/** A Knative Service created elsewhere (another app, another team, by hand). */
export interface FunctionAttributes {
  /** Name of the Knative Service. */
  readonly name: string;
  /** @default - the namespace of the enclosing Chart */
  readonly namespace?: string;
}

/** What a function of this library and an imported one share: Knative's names, selectors and addresses. Extend KnativeFunction, not this. */
export abstract class KnativeServiceBase extends WorkloadResource implements IFunction {
  public readonly podSelector: { [key: string]: string };
  public readonly resourceRef: ResourceRef;
  public readonly objectRef: ObjectRef;
  public readonly host: string;
  public readonly url: string;

  protected constructor(scope: Construct, id: string, props: ResourceProps) {
    super(scope, id, props, { format: NameFormat.DNS1035_LABEL });
    this.host = this.serviceHost();
    this.url = `http://${this.host}`;
    this.podSelector = { 'serving.knative.dev/service': this.name };
    this.resourceRef = { apiVersion: SERVICE_API_VERSION, kind: 'Service', name: this.name };
    this.objectRef = { ...this.resourceRef, namespace: this.namespace };
  }

  public destinationFrom(fromNamespace: string): EventDestination {
    return fromNamespace === this.namespace ? { ref: { ...this.resourceRef } } : { uri: this.url };
  }

  public admit(_peer: PodPeer, _options?: AdmitOptions): Admission {
    return THROUGH_DATA_PLANE;
  }
}

/** The pod label that names the data plane a function's pods admit (the data-plane policy selects it). */
const DATA_PLANE_LABEL = `${LABEL_PREFIX}/data-plane`;

const DATA_PLANE_POLICIES = new WeakMap<IConstruct, Map<string, IngressPolicy>>();

/**
 * The NetworkPolicy that lets a data plane (ingress gateway, activator) reach the queue-proxy of the functions of a
 * namespace labelled with it: one per app, namespace and data plane, in the chart of the first function that needs it.
 */
function dataPlanePolicy(fn: KnativeFunction, dataPlane: KnativeDataPlane): IngressPolicy {
  const root = fn.node.root;
  let policies = DATA_PLANE_POLICIES.get(root);
  if (!policies) DATA_PLANE_POLICIES.set(root, policies = new Map());
  const name = dataPlane.policyName;
  const key = `${fn.namespace}|${name}`;
  let policy = policies.get(key);
  if (!policy) {
    policy = new IngressPolicy(Chart.of(fn), `KnativeDataPlane-${fn.namespace}-${name}`, {
      name,
      namespace: fn.namespace,
      podSelector: { [DATA_PLANE_LABEL]: name },
      labels: recommendedLabels({ name: 'knative', instance: name, component: 'data-plane-access' }),
      servingPorts: QUEUE_PROXY_PORTS,
    });
    policy.admitNamespaces(dataPlane.namespaces, { ports: QUEUE_PROXY_PORTS });
    policies.set(key, policy);
  }
  return policy;
}

class ImportedFunction extends KnativeServiceBase {
  public constructor(scope: Construct, id: string, attrs: FunctionAttributes) {
    super(scope, id, { name: attrs?.name, namespace: attrs?.namespace });
  }
}

const DEFAULT_RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(100) },
  memory: { request: Size.mebibytes(128), limit: Size.mebibytes(256) },
};

/**
 * A function: a Knative Service running one container, private to the cluster by default, hardened to Pod Security
 * "restricted", with its own ingress NetworkPolicy that admits only the Knative data plane.
 *
 * Wiring: `store.bind(fn)` injects the store's address and credentials; `gateway.route('/api/x', fn)` exposes it.
 */
export class KnativeFunction extends KnativeServiceBase implements IHttpWorkload {
  public static isKnativeFunction(x: unknown): x is KnativeFunction {
    return typeof x === 'object' && x !== null && (x as any)[KNATIVE_FUNCTION] === true;
  }

  /**
   * A Knative Service created elsewhere, to wire to: route to it, call it, subscribe it to a broker, publish from it.
   * Its environment and its NetworkPolicy stay its owner's (it cannot be bound to a store).
   */
  public static fromFunctionAttributes(scope: Construct, id: string, attrs: FunctionAttributes): IFunction {
    return new ImportedFunction(scope, id, attrs);
  }

  /** The longest request timeout (seconds) of the workloads under a construct; undefined when none sets one. */
  public static maxTimeoutSeconds(root: IConstruct): number | undefined {
    return maxRequestTimeoutSeconds(root);
  }

  public readonly port: number;
  public readonly visibility: Visibility;
  public readonly language?: Language;
  /** The request timeout in seconds, when set (else the cluster default applies). */
  public get timeoutSeconds(): number | undefined {
    return this.requestTimeout;
  }
  /** The Knative Service (`serving.knative.dev/v1`). */
  public readonly resource: ApiObject;
  private ownPolicy?: IngressPolicy;

  private readonly env = new Map<string, kplus.EnvValue>();
  private readonly podLabels = new Map<string, string>();
  private readonly volumes: Array<{ name: string; emptyDir?: { sizeLimit: string }; configMap?: { name: string } }> = [];
  private readonly mounts: Array<{ name: string; mountPath: string; readOnly?: boolean }> = [];
  private readonly templateAnnotations: { [key: string]: string };
  /** References made before the Knative Service exists (props), declared on it once it does. */
  private readonly pendingReferences: ObjectRef[] = [];
  private requestTimeout?: number;
  private responseStartSeconds?: number;
  private readonly idleSeconds?: number;
  private readonly sidecars: object[] = [];

  public constructor(scope: Construct, id: string, props: KnativeFunctionProps) {
    super(scope, id, { name: props.name, namespace: props.namespace });
    Object.defineProperty(this, KNATIVE_FUNCTION, { value: true });
    this.port = requireInteger(this, 'port', props.port ?? 8080, { min: 1, max: 65535 });
    if (RESERVED_PORTS.includes(this.port)) {
      invalid(this, 'port', this.port, `is reserved by Knative's queue-proxy (${RESERVED_PORTS.join(', ')})`, 'let the program listen on $PORT, e.g. 8080');
    }
    this.visibility = props.visibility ?? Visibility.CLUSTER_LOCAL;
    this.language = props.language;

    const image = requireImage(this, 'image', props.image);
    requireLabels(this, 'labels', props.labels);
    for (const key of Object.keys(props.labels ?? {})) {
      const problem = functionLabelProblem(key);
      if (problem) invalid(this, `labels.${key}`, props.labels![key], problem);
    }
    requireAnnotationKeys(this, 'annotations', props.annotations);
    for (const [key, value] of Object.entries(props.annotations ?? {})) {
      const problem = serviceAnnotationProblem(key, value);
      if (problem) invalid(this, `annotations.${key}`, value, problem);
    }
    // Knative accepts uids 0..2^31-1 (pkg/apis/serving/k8s_validation.go); runAsNonRoot makes the kubelet refuse 0.
    if (props.securityContext?.user !== undefined) requireInteger(this, 'securityContext.user', props.securityContext.user, { min: 1 });
    if (props.language) requireLabels(this, 'language', { [LANGUAGE_LABEL]: props.language.name });
    const containerConcurrency = requireInteger(this, 'containerConcurrency', props.containerConcurrency ?? 0, { min: 0, max: 1000 });
    // Knative's request timeouts are int64 seconds that it turns into Go durations (MAX_GO_DURATION_SECONDS).
    const timeout = props.timeout !== undefined ? requireSeconds(this, 'timeout', props.timeout, { min: 1, max: MAX_GO_DURATION_SECONDS }) : undefined;
    this.requestTimeout = timeout;
    const responseStart = props.responseStartTimeout !== undefined
      ? requireSeconds(this, 'responseStartTimeout', props.responseStartTimeout, { min: 1, max: MAX_GO_DURATION_SECONDS }) : undefined;
    if (responseStart !== undefined && timeout !== undefined && responseStart > timeout) {
      invalid(this, 'responseStartTimeout', `${responseStart}s`, `must be <= timeout (${timeout}s)`);
    }
    const idle = props.idleTimeout !== undefined ? requireSeconds(this, 'idleTimeout', props.idleTimeout, { min: 0, max: MAX_GO_DURATION_SECONDS }) : undefined;
    if (idle !== undefined && timeout !== undefined && idle > timeout) invalid(this, 'idleTimeout', `${idle}s`, `must be <= timeout (${timeout}s)`);
    this.responseStartSeconds = responseStart;
    this.idleSeconds = idle;
    this.templateAnnotations = autoscalingAnnotations(this, props.scale);
    const resources = resourcesToKube(this, 'resources', props.resources ?? DEFAULT_RESOURCES);

    for (const [envName, value] of Object.entries(props.env ?? {})) this.addEnv(envName, value);
    const envFrom = [
      ...(props.envFromConfigMaps ?? []).map((c) => ({ configMapRef: { name: c.name } })),
      ...(props.envFromSecrets ?? []).map((s) => ({ secretRef: { name: s.name } })),
    ];
    for (const c of props.envFromConfigMaps ?? []) this.reference('ConfigMap', c.name);
    for (const s of props.envFromSecrets ?? []) this.reference('Secret', s.name);
    if (props.serviceAccount) this.reference('ServiceAccount', props.serviceAccount.name);
    this.addWritablePaths(props.writablePaths ?? ['/tmp'], props.writablePathSizeLimit ?? Size.mebibytes(256));

    const labels = {
      ...recommendedLabels({ name: this.name, instance: this.name, component: 'function' }),
      ...(props.language ? { [LANGUAGE_LABEL]: props.language.name } : {}),
      ...props.labels,
    };
    const probe = (field: string, p?: FunctionProbe) => p?._render(this, field, this.port);
    // The Knative Service is a plain ApiObject, its JSON built here: no generated-class conversion pass at every synth
    // (platforms have thousands of functions); the schema tests validate the shape against the Knative CRD.
    const container = {
      name: 'function',
      image,
      command: props.command,
      args: props.args,
      ports: [{ containerPort: this.port, name: props.protocol ?? Protocol.HTTP1 }],
      env: Lazy.any({ produce: () => this.renderEnv() }),
      envFrom: envFrom.length ? envFrom : undefined,
      resources: {
        requests: resources.requests,
        limits: resources.limits,
      },
      readinessProbe: probe('readiness', props.readiness),
      livenessProbe: probe('liveness', props.liveness),
      startupProbe: probe('startup', props.startup),
      securityContext: restrictedContainerSecurityContext(props.securityContext),
      volumeMounts: Lazy.any({ produce: () => (this.mounts.length ? [...this.mounts] : undefined) }),
    };

    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: SERVICE_API_VERSION,
      kind: 'Service',
      metadata: {
        name: this.name,
        namespace: this.namespace,
        labels: {
          ...labels,
          ...(this.visibility === Visibility.CLUSTER_LOCAL ? { 'networking.knative.dev/visibility': 'cluster-local' } : {}),
        },
        annotations: props.annotations,
      },
      spec: {
        template: {
          metadata: {
            labels: Lazy.any({ produce: () => ({ ...labels, ...Object.fromEntries(this.podLabels) }) }),
            annotations: Lazy.any({ produce: () => ({ ...this.templateAnnotations }) }),
          },
          spec: {
            containers: Lazy.any({ produce: () => [container, ...this.sidecars] }),
            containerConcurrency,
            timeoutSeconds: Lazy.any({ produce: () => this.requestTimeout }),
            responseStartTimeoutSeconds: Lazy.any({ produce: () => this.responseStartSeconds }),
            idleTimeoutSeconds: idle,
            serviceAccountName: props.serviceAccount?.name,
            // Knative only accepts `false` here; leaving it unset mounts the token of the given ServiceAccount.
            automountServiceAccountToken: props.serviceAccount ? undefined : false,
            enableServiceLinks: false,
            volumes: Lazy.any({ produce: () => (this.volumes.length ? [...this.volumes] : undefined) }),
          },
        },
      },
    });

    // A Knative Service is done when Ready: its revision runs (image pulled, admitted, probes passing) and routes.
    DeployHints.awaitCondition(this.resource, 'Ready');
    if (timeout !== undefined) DeployHints.requestTimeout(this.resource, timeout);
    for (const ref of this.pendingReferences.splice(0)) DeployHints.references(this.resource, ref);

    // Requests reach the pods only through the Knative data plane (ingress gateway → activator → queue-proxy): one
    // policy per namespace and data plane admits it for the functions labelled with that data plane (not one policy
    // per function); the label keeps each function on its own data plane and leaves other pods alone.
    const dataPlane = props.dataPlane ?? KnativeDataPlane.KOURIER;
    this.addPodLabel(DATA_PLANE_LABEL, dataPlane.policyName);
    dataPlanePolicy(this, dataPlane);
  }

  /**
   * A NetworkPolicy of this function's own, for rules only it needs (e.g. metrics scraping from a monitoring
   * namespace): created on first use. The Knative data plane is admitted by the namespace's data-plane policy.
   */
  public get ingressPolicy(): IngressPolicy {
    this.ownPolicy ??= new IngressPolicy(this, 'IngressPolicy', {
      name: `${this.name}-ingress`,
      namespace: this.namespace,
      podSelector: this.podSelector,
      labels: recommendedLabels({ name: this.name, instance: this.name, component: 'function' }),
      servingPorts: QUEUE_PROXY_PORTS,
    });
    return this.ownPolicy;
  }

  /**
   * Sets the request timeout and the response-start timeout (both to `seconds`, whole seconds the caller has checked)
   * after construction, for an entrypoint whose timeout follows its routes (ApiGateway: a WebSocket needs its first
   * byte as late as its end). An idle timeout must still fit.
   * @internal
   */
  public _setRequestTimeout(seconds: number): void {
    if (this.idleSeconds !== undefined && this.idleSeconds > seconds) invalid(this, 'timeout', `${seconds}s`, `must be >= idleTimeout (${this.idleSeconds}s)`);
    this.requestTimeout = seconds;
    this.responseStartSeconds = seconds;
    DeployHints.requestTimeout(this.resource, seconds);
  }

  /**
   * Adds a container beside the function's own (a Knative sidecar: no ports, no probes unless the cluster enables
   * `multi-container-probing`). The caller builds it hardened (restricted security context, resources).
   * @internal
   */
  public _addSidecar(container: object): void {
    this.sidecars.push(container);
  }

  /** Adds an environment variable; each name can be set once. */
  public addEnv(name: string, value: kplus.EnvValue): void {
    requireEnvName(this, `env.${name}`, name);
    if (RESERVED_ENV_VARS.includes(name)) invalid(this, `env.${name}`, name, `is set by Knative (${RESERVED_ENV_VARS.join(', ')})`, 'read it instead of setting it');
    if (this.env.has(name)) invalid(this, `env.${name}`, name, 'is already set', 'each environment variable can be set once; check bind() prefixes');
    const from = value.valueFrom;
    if (from && (from.fieldRef || from.resourceFieldRef)) {
      invalid(this, `env.${name}`, name, 'uses the downward API, which Knative allows only with the feature flag kubernetes.podspec-fieldref',
        'enable the flag in config-features or pass the value another way');
    }
    this.env.set(name, value);
    if (from?.secretKeyRef?.name) this.reference('Secret', from.secretKeyRef.name);
    if (from?.configMapKeyRef?.name) this.reference('ConfigMap', from.configMapKeyRef.name);
  }

  /**
   * Adds a label to the function's pods (not to the Knative Service), e.g. the label a store's network policy admits.
   * A key can be set once, to one value.
   */
  public addPodLabel(key: string, value: string): void {
    requireLabels(this, `podLabels.${key}`, { [key]: value });
    const problem = functionLabelProblem(key);
    if (problem) invalid(this, `podLabels.${key}`, value, problem);
    const existing = this.podLabels.get(key);
    if (existing !== undefined && existing !== value) invalid(this, `podLabels.${key}`, value, `is already set to "${existing}"`);
    this.podLabels.set(key, value);
  }

  /** Mounts a ConfigMap read-only at a path (Knative requires config volumes to be read-only). */
  public mountConfigMap(configMap: kplus.IConfigMap, mountPath: string): void {
    const name = `config-${this.volumes.length}`;
    this.requireMountPath('mountPath', mountPath);
    this.volumes.push({ name, configMap: { name: configMap.name } });
    this.mounts.push({ name, mountPath, readOnly: true });
    this.reference('ConfigMap', configMap.name);
  }

  /**
   * Adds an annotation to the revision template (a change rolls out a new revision). Held to Knative's rules for
   * revision annotations; the autoscaling annotations that `scale` writes are set through `scale`.
   */
  public addRevisionAnnotation(key: string, value: string): void {
    if (typeof key !== 'string') invalid(this, 'revision annotation key', key, 'must be a string', 'e.g. "autoscaling.knative.dev/target"');
    requireAnnotationKeys(this, 'revision annotation', { [key]: value });
    const problem = revisionAnnotationProblem(key, value, this.templateAnnotations);
    if (problem) invalid(this, `revisionAnnotations.${key}`, value, problem);
    const merged = { ...this.templateAnnotations, [key]: value };
    for (const p of autoscalingAnnotationProblems(merged)) {
      invalid(this, `revisionAnnotations.${p.key}`, merged[p.key], p.problem, 'Knative checks the revision\'s autoscaling annotations together, those written from scale included');
    }
    this.templateAnnotations[key] = value;
  }

  /** Declares an object of the namespace the pods read (the plan creates the function after it). */
  private reference(kind: string, name: string): void {
    const ref = { apiVersion: 'v1', kind, namespace: this.namespace, name };
    if (this.resource) DeployHints.references(this.resource, ref);
    else this.pendingReferences.push(ref);
  }

  private addWritablePaths(paths: string[], sizeLimit: Size): void {
    requireUnique(this, 'writablePaths', paths);
    paths.forEach((p, i) => {
      this.requireMountPath(`writablePaths[${i}]`, p);
      const name = `writable-${i}`;
      this.volumes.push({ name, emptyDir: { sizeLimit: sizeLimit.asString() } });
      this.mounts.push({ name, mountPath: p });
    });
  }

  /** Knative compares mount paths after Go's path.Clean: reserved ones, and two that clean to the same path, are refused. */
  private requireMountPath(field: string, path: string): void {
    if (typeof path !== 'string' || !path.startsWith('/') || /\s|:/.test(path)) invalid(this, field, path, 'must be an absolute path without spaces or ":"');
    const clean = cleanPath(path);
    if (RESERVED_MOUNT_PATHS.includes(clean)) {
      invalid(this, field, path, `is reserved by Knative (${RESERVED_MOUNT_PATHS.join(', ')}; compared after cleaning the path)`, 'mount below it, e.g. "/var/data"');
    }
    const same = this.mounts.find((m) => cleanPath(m.mountPath) === clean);
    if (same?.mountPath === path) invalid(this, field, path, 'is already mounted');
    if (same) invalid(this, field, path, `is the same mount path as "${same.mountPath}" once cleaned (${clean}), which Knative refuses`);
  }

  private renderEnv(): Array<{ name: string; value?: string; valueFrom?: unknown }> | undefined {
    if (this.env.size === 0) return undefined;
    return [...this.env.entries()].map(([name, v]) => ({ name, value: v.value, valueFrom: v.valueFrom }));
  }
}
