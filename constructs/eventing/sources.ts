/**
 * Event sources: PingSource (a schedule), ApiServerSource (Kubernetes objects changing), ContainerSource (your own
 * program). Each sends to an IEventSink (a broker or a function), lets its pods through the sink's network policy,
 * and declares in the event catalog what it emits.
 */
import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { IEventSink, IEventSource, PodPeer } from '../core/contracts';
import { DeployHints } from '../core/deploy-hints';
import { CloudEventType, requireEventType } from '../core/event-type';
import { invalid } from '../core/errors';
import { storedSizeProblem, timeZoneProblem, utf8Bytes } from '../core/go-rules';
import { parseMediaType } from '../core/media-type';
import { pluralOf } from '../core/k8s-rules';
import { recommendedLabels, LABEL_PREFIX } from '../core/labels';
import { resourcesToKube } from '../core/quantity';
import { NameFormat, NamespacedResource } from '../core/resource';
import { ContainerSecurityOptions, restrictedContainerSecurityContext } from '../core/security';
import { requireArray, requireEnvName, requireImage, requireInteger, requireName, requireUnique } from '../core/validate';
import { EdgeKind, Wiring } from '../core/wiring';
import {
  ApiServerSource as ApiServerSourceL1,
  ContainerSource as ContainerSourceL1,
  PingSource as PingSourceL1,
} from '../imports/sources.knative.dev';
import { cronProblem } from './cron';

function isJsonObject(text: string): boolean {
  try {
    const value = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

interface SourceBase {
  /** @default - the construct id */
  readonly name?: string;
  /** @default - the namespace of the enclosing Chart */
  readonly namespace?: string;
  /** Where the events go (a broker or a function). */
  readonly sink: IEventSink;
}

/**
 * A source's one connection: its adapter's pods may deliver to the sink, the source object is created after the
 * sink, and the types it emits go into the catalog (and the sink's EventTypes).
 */
function connectSource(source: Construct, resource: ApiObject, via: string, sink: IEventSink, adapter: PodPeer, types: CloudEventType[], eventSource?: string): void {
  Wiring.connect({
    kind: EdgeKind.SENDS_EVENTS,
    from: source,
    to: sink,
    detail: types.map((t) => t.type).join(', '),
    once: true,
    admit: [{ into: sink, peer: adapter }],
    order: [{ waiter: resource, waitsFor: sink.objectRef }],
    events: { via, realizedBy: source, produces: types, source: eventSource },
  });
}

export interface PingSourceProps extends SourceBase {
  /** Cron schedule, e.g. `*\/5 * * * *` or `@hourly`. */
  readonly schedule: string;
  /**
   * IANA time zone of the schedule; an empty string means unset, as in the PingSource spec.
   * @default - UTC
   */
  readonly timezone?: string;
  /**
   * Event data.
   * @default - none
   */
  readonly data?: string;
  /**
   * Media type of the data; `application/json` data must be a JSON object.
   * @default 'application/json' when data is given
   */
  readonly contentType?: string;
}

/** Sends a `dev.knative.sources.ping` event on a schedule (Knative's shared ping adapter in knative-eventing). */
export class PingSource extends NamespacedResource implements IEventSource {
  /** The CloudEvent `source` attribute of its events. */
  public readonly eventSource: string;
  public readonly sink: IEventSink;
  public readonly emits: CloudEventType[] = [CloudEventType.PING];
  public readonly resource: PingSourceL1;

  public constructor(scope: Construct, id: string, props: PingSourceProps) {
    super(scope, id, props, { format: NameFormat.DNS1123_SUBDOMAIN });
    this.sink = props.sink;
    const problem = typeof props.schedule === 'string' ? cronProblem(props.schedule) : 'is required';
    if (problem) invalid(this, 'schedule', props.schedule, problem, 'e.g. "*/5 * * * *" (every 5 minutes)');
    // Knative resolves the zone with Go's time.LoadLocation (robfig/cron's CRON_TZ): tzdata file names, case-sensitive.
    // Knative's field is `omitempty`: "" is the unset zone (UTC), not a zone named "".
    const timezone = props.timezone === '' ? undefined : props.timezone;
    const zoneProblem = timezone !== undefined ? timeZoneProblem(timezone) : undefined;
    if (zoneProblem) invalid(this, 'timezone', props.timezone, zoneProblem, 'name an IANA zone, e.g. "Europe/Madrid", or leave it unset for UTC');
    const contentType = props.contentType ?? (props.data !== undefined ? 'application/json' : undefined);
    const mediaType = contentType !== undefined ? parseMediaType(contentType) : undefined;
    if (contentType !== undefined && !mediaType) invalid(this, 'contentType', contentType, 'is not a media type', 'e.g. "application/json" or "text/plain; charset=utf-8"');
    // Media types compare case-insensitively (RFC 9110): Application/JSON is JSON too.
    if (props.data !== undefined && mediaType?.essence === 'application/json') {
      // Knative decodes JSON data into an object (a map), so arrays and scalars are refused too.
      if (!isJsonObject(props.data)) {
        invalid(this, 'data', props.data, `is not a JSON object, but contentType is ${contentType}`, 'send an object, e.g. {"tick": true}, or set contentType (e.g. text/plain)');
      }
    }
    this.eventSource = `/apis/v1/namespaces/${this.namespace}/pingsources/${this.name}`;
    const metadata = { name: this.name, namespace: this.namespace, labels: recommendedLabels({ name: 'ping-source', instance: this.name, component: 'event-source' }) };
    const spec = { schedule: props.schedule.trim(), timezone, data: props.data, contentType, sink: props.sink.destinationFrom(this.namespace) };
    if (props.data !== undefined) {
      // The PingSource object carries its data: etcd refuses to store it past its request limit.
      const tooBig = storedSizeProblem({ apiVersion: PingSourceL1.GVK.apiVersion, kind: PingSourceL1.GVK.kind, metadata, spec });
      if (tooBig) invalid(this, 'data', `${utf8Bytes(props.data)} bytes`, tooBig, 'send a reference to the data (a URL, an object key) instead of the data');
    }
    this.resource = new PingSourceL1(this, 'Resource', { metadata, spec });
    DeployHints.awaitCondition(this.resource, 'Ready');
    connectSource(this, this.resource, 'PingSource', props.sink, {
      namespace: 'knative-eventing',
      podSelector: { 'eventing.knative.dev/source': 'ping-source-controller', 'sources.knative.dev/role': 'adapter' },
      description: 'knative-eventing ping adapter',
    }, this.emits, this.eventSource);
  }
}

/** What an ApiServerSource sends for each change. */
export enum ApiServerSourceMode {
  /** A reference to the changed object (smaller events; the consumer fetches what it needs). */
  REFERENCE = 'Reference',
  /** The whole changed object. */
  RESOURCE = 'Resource',
}

export interface WatchedResource {
  /** e.g. `v1`, `apps/v1`. */
  readonly apiVersion: string;
  /** e.g. `ConfigMap`. */
  readonly kind: string;
  /**
   * Resource name for RBAC (the plural).
   * @default - known for common kinds (configmaps, pods, deployments, ...); required otherwise
   */
  readonly resource?: string;
  /** Only objects with these labels. @default - all */
  readonly labels?: { [key: string]: string };
}

export interface ApiServerSourceProps extends SourceBase {
  /** The kinds to watch. */
  readonly resources: WatchedResource[];
  /** @default ApiServerSourceMode.REFERENCE */
  readonly mode?: ApiServerSourceMode;
  /**
   * Namespaces to watch; the ServiceAccount gets a Role in each.
   * @default - the source's own namespace
   */
  readonly watchNamespaces?: string[];
}


/**
 * Sends an event for every change of the watched Kubernetes objects. Runs as its own ServiceAccount with a Role that
 * grants exactly get/list/watch on exactly the watched resources, in exactly the watched namespaces.
 */
export class ApiServerSource extends NamespacedResource implements IEventSource {
  public readonly serviceAccount: k8s.KubeServiceAccount;
  public readonly resource: ApiServerSourceL1;
  public readonly sink: IEventSink;
  public readonly emits: CloudEventType[];

  public constructor(scope: Construct, id: string, props: ApiServerSourceProps) {
    super(scope, id, props, { maxLength: 40, maxLengthReason: 'the adapter Deployment\'s name derives from it' });
    this.sink = props.sink;
    if (!Array.isArray(props.resources) || props.resources.length === 0) invalid(this, 'resources', props.resources, 'must list at least one kind to watch');
    const watched = props.watchNamespaces === undefined ? [this.namespace] : requireArray(this, 'watchNamespaces', props.watchNamespaces);
    if (watched.length === 0) invalid(this, 'watchNamespaces', watched, 'must list at least one namespace');
    watched.forEach((ns, i) => requireName(this, `watchNamespaces[${i}]`, ns));
    requireUnique(this, 'watchNamespaces', watched, 'list each namespace once');
    const mode = props.mode ?? ApiServerSourceMode.REFERENCE;
    const rules = new Map<string, Set<string>>();
    const resources = props.resources.map((r, i) => {
      if (typeof r.apiVersion !== 'string' || !/^([a-z0-9.-]+\/)?v[0-9]+((alpha|beta)[0-9]+)?$/.test(r.apiVersion)) {
        invalid(this, `resources[${i}].apiVersion`, r.apiVersion, 'is not an API version', 'e.g. "v1" or "apps/v1"');
      }
      if (typeof r.kind !== 'string' || !/^[A-Z][A-Za-z0-9]*$/.test(r.kind)) invalid(this, `resources[${i}].kind`, r.kind, 'is not a kind', 'e.g. "ConfigMap"');
      const plural = r.resource ?? pluralOf(r.kind);
      if (!plural) invalid(this, `resources[${i}].resource`, undefined, `is required for kind ${r.kind}`, 'give the plural resource name used by RBAC, e.g. "widgets"');
      if (!/^[a-z][a-z0-9]*$/.test(plural)) invalid(this, `resources[${i}].resource`, plural, 'is not a resource name', 'lowercase plural, e.g. "configmaps"');
      const group = r.apiVersion.includes('/') ? r.apiVersion.split('/')[0] : '';
      rules.set(group, (rules.get(group) ?? new Set<string>()).add(plural));
      return { apiVersion: r.apiVersion, kind: r.kind, selector: r.labels ? { matchLabels: { ...r.labels } } : undefined };
    });

    if (mode === ApiServerSourceMode.RESOURCE && (rules.get('') ?? new Set()).has('secrets')) {
      invalid(this, 'mode', mode, 'would send the contents of watched Secrets as events (through the broker, to every subscriber)',
        'watch Secrets in ApiServerSourceMode.REFERENCE, and let the consumer read what it is allowed to');
    }
    const labels = recommendedLabels({ name: 'apiserver-source', instance: this.name, component: 'event-source' });
    const saName = `${this.name}-apiserver-source`;
    this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name: saName, namespace: this.namespace, labels } });
    const policyRules = [...rules.entries()].sort(([a], [b]) => a.localeCompare(b))
      .map(([group, plurals]) => ({ apiGroups: [group], resources: [...plurals].sort(), verbs: ['get', 'list', 'watch'] }));
    const subject = { kind: 'ServiceAccount', name: saName, namespace: this.namespace };
    // Only the adapter's reads need permissions: Knative's controller resolves the namespace selector itself and
    // hands the adapter the list. In other namespaces the Role's name carries the source's namespace ("." cannot
    // appear in a namespace name, so two sources never share one).
    const bindings: ApiObject[] = [];
    for (const ns of watched) {
      const roleName = ns === this.namespace ? saName : `${this.namespace}.${saName}`;
      new k8s.KubeRole(this, `Role-${ns}`, { metadata: { name: roleName, namespace: ns, labels }, rules: policyRules });
      const binding = new k8s.KubeRoleBinding(this, `RoleBinding-${ns}`, {
        metadata: { name: roleName, namespace: ns, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName },
        subjects: [subject],
      });
      DeployHints.references(binding, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', namespace: ns, name: roleName });
      DeployHints.references(binding, { apiVersion: 'v1', kind: 'ServiceAccount', namespace: this.namespace, name: saName });
      bindings.push(binding);
    }
    const beyondOwn = watched.some((ns) => ns !== this.namespace) || watched.length > 1;
    this.resource = new ApiServerSourceL1(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace, labels },
      spec: {
        mode,
        serviceAccountName: saName,
        resources,
        namespaceSelector: beyondOwn
          ? { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...watched].sort() }] }
          : undefined,
        sink: props.sink.destinationFrom(this.namespace),
      },
    });
    DeployHints.awaitCondition(this.resource, 'Ready');
    // The adapter runs as the ServiceAccount and reads with the Roles: it starts once they are bound.
    DeployHints.references(this.resource, { apiVersion: 'v1', kind: 'ServiceAccount', namespace: this.namespace, name: saName });
    for (const binding of bindings) DeployHints.dependsOn(this.resource, binding);
    this.emits = mode === ApiServerSourceMode.REFERENCE
      ? [CloudEventType.API_SERVER_REF_ADD, CloudEventType.API_SERVER_REF_UPDATE, CloudEventType.API_SERVER_REF_DELETE]
      : [CloudEventType.API_SERVER_RESOURCE_ADD, CloudEventType.API_SERVER_RESOURCE_UPDATE, CloudEventType.API_SERVER_RESOURCE_DELETE];
    connectSource(this, this.resource, 'ApiServerSource', props.sink, {
      namespace: this.namespace,
      podSelector: { 'eventing.knative.dev/source': 'apiserver-source-controller', 'eventing.knative.dev/sourceName': this.name },
      description: `apiserver source ${this.namespace}/${this.name}`,
    }, this.emits);
  }
}

export interface ContainerSourceProps extends SourceBase {
  /** Image of the program; it posts CloudEvents to the URL in `K_SINK`. */
  readonly image: string;
  /** The CloudEvent types it emits. */
  readonly emits: CloudEventType[];
  /** @default - the image's entrypoint */
  readonly command?: string[];
  /** @default - none */
  readonly args?: string[];
  /** @default - none */
  readonly env?: { [name: string]: kplus.EnvValue };
  /** @default - cpu request 50m; memory request and limit 64Mi */
  readonly resources?: kplus.ContainerResources;
  /** @default - uid 65532, read-only root filesystem */
  readonly securityContext?: ContainerSecurityOptions;
}

/** Runs a program that emits events (Knative gives it `K_SINK`), hardened like every other pod. */
export class ContainerSource extends NamespacedResource implements IEventSource {
  public readonly resource: ContainerSourceL1;
  public readonly sink: IEventSink;
  public readonly emits: CloudEventType[];

  public constructor(scope: Construct, id: string, props: ContainerSourceProps) {
    super(scope, id, props, { maxLength: 48, maxLengthReason: 'its Deployment\'s name derives from it' });
    this.sink = props.sink;
    const image = requireImage(this, 'image', props.image);
    // A uid Kubernetes stores (int32) that runAsNonRoot lets start (not 0).
    if (props.securityContext?.user !== undefined) requireInteger(this, 'securityContext.user', props.securityContext.user, { min: 1 });
    if (!Array.isArray(props.emits)) invalid(this, 'emits', props.emits, 'must list the CloudEvent types the program emits');
    const emits = props.emits.map((t, i) => requireEventType(this, `emits[${i}]`, t));
    this.emits = emits;
    const env = Object.entries(props.env ?? {}).map(([name, v]) => {
      requireEnvName(this, `env.${name}`, name);
      if (name === 'K_SINK' || name === 'K_CE_OVERRIDES') invalid(this, `env.${name}`, name, 'is set by Knative');
      return { name, value: v.value, valueFrom: v.valueFrom };
    });
    const resources = resourcesToKube(this, 'resources', props.resources ?? {
      cpu: { request: kplus.Cpu.millis(50) },
      memory: { request: Size.mebibytes(64), limit: Size.mebibytes(64) },
    });
    const podLabel = { [`${LABEL_PREFIX}/container-source`]: this.name };
    const labels = recommendedLabels({ name: 'container-source', instance: this.name, component: 'event-source' });
    this.resource = new ContainerSourceL1(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace, labels },
      spec: {
        sink: props.sink.destinationFrom(this.namespace),
        template: {
          metadata: { labels: { ...labels, ...podLabel } },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [{
              name: 'source',
              image,
              command: props.command,
              args: props.args,
              env: env.length ? env : undefined,
              resources,
              securityContext: restrictedContainerSecurityContext(props.securityContext),
            }],
          },
        },
      },
    });
    DeployHints.awaitCondition(this.resource, 'Ready');
    // Knative runs the program as `<name>-deployment`, given K_SINK by `<name>-sinkbinding` (48 + 12 ≤ 63: never hashed).
    const by = 'the Knative ContainerSource controller';
    DeployHints.implies(this.resource, { apiVersion: 'apps/v1', kind: 'Deployment', namespace: this.namespace, name: `${this.name}-deployment` }, by);
    DeployHints.implies(this.resource, { apiVersion: 'sources.knative.dev/v1', kind: 'SinkBinding', namespace: this.namespace, name: `${this.name}-sinkbinding` }, by);
    for (const e of env) {
      const from = e.valueFrom;
      if (from?.secretKeyRef?.name) DeployHints.references(this.resource, { apiVersion: 'v1', kind: 'Secret', namespace: this.namespace, name: from.secretKeyRef.name });
      if (from?.configMapKeyRef?.name) DeployHints.references(this.resource, { apiVersion: 'v1', kind: 'ConfigMap', namespace: this.namespace, name: from.configMapKeyRef.name });
    }
    connectSource(this, this.resource, 'ContainerSource', props.sink, { namespace: this.namespace, podSelector: podLabel, description: `container source ${this.namespace}/${this.name}` }, emits);
  }
}
