/**
 * A Tekton pipeline that CloudEvents start: an event sink like any function. `broker.subscribe(pipeline, { filters })`
 * delivers the selected events to a Tekton Triggers EventListener, whose CEL interceptor checks the event type,
 * computes a run name from the event, and extracts the pipeline's parameters; the TriggerTemplate then creates one
 * PipelineRun per event.
 *
 * Facts of tektoncd/triggers v0.37.0 this construct stands on (read from the source):
 * - The EventListener's sink answers every CloudEvent with a `dev.tekton.event.triggers.accepted.v1` CloudEvent, as
 *   soon as it has started the triggers, whatever the interceptors decide (pkg/sink/sink.go HandleEvent;
 *   pkg/reconciler/events/event.go). A Knative subscription posts that answer back into the broker: the pipeline is
 *   an `IReplyingSink`, so the subscription declares the type there and refuses filters that would loop it back.
 * - The CEL interceptor sees `header` (Go http.Header: canonical keys, lists of values), `body` (the request body as
 *   JSON: the event's data in binary mode, the whole event in structured mode) and `extensions` (overlays of earlier
 *   interceptors); its environment adds `match`, `canonical`, `translate`, ... to cel-go's string, encoder, set, list
 *   and math extensions (pkg/interceptors/cel/cel.go makeCelEnv, triggers.go). It has no hash function, and its
 *   `truncate` does not truncate (it slices to max(n, len)), so the run name is cut with `substring`.
 * - The sink (cmd/eventlistenersink, pkg/adapter/adapter.go) watches, in its namespace, eventlisteners, triggers,
 *   triggerbindings, triggertemplates and interceptors, and cluster-wide clustertriggerbindings and
 *   clusterinterceptors (their informers start at boot; it lists ClusterInterceptors for their CA bundles); it records
 *   Kubernetes Events (core `events` create/patch) and creates the TriggerTemplate's resources with its own
 *   ServiceAccount (pkg/resources/create.go). Secrets are read only by interceptors that compare secrets (CEL's
 *   `compareSecret`, GitHub/GitLab tokens), which this construct does not use; `impersonate` is needed only for a
 *   per-Trigger ServiceAccount, which it does not set.
 * - The controller names the listener's Deployment and Service `el-<name>`, labels its pods `eventlistener: <name>`,
 *   serves on container port 8080 behind the Service port (`kubernetesResource.servicePort`), and gives the pod
 *   `runAsNonRoot` + RuntimeDefault seccomp (or the template's pod securityContext) and its container no privilege
 *   escalation, no capabilities, a read-only root filesystem (controller flags `-el-security-context`,
 *   `-el-read-only-root-filesystem`, both on by default: pkg/reconciler/eventlistener/resources/deployment.go,
 *   container.go, service.go, meta.go).
 */
import { ApiObject, Duration } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { clusterScoped } from '../core/context';
import { Admission, AdmitOptions, EventDestination, IReplyingSink, ObjectRef, PodPeer } from '../core/contracts';
import { DeployHints } from '../core/deploy-hints';
import { EventFilter } from '../core/event-filter';
import { CloudEventType, requireEventType } from '../core/event-type';
import { invalid } from '../core/errors';
import { PlatformModel } from '../core/model';
import { IngressPolicy } from '../core/network';
import { DEFAULT_NON_ROOT_UID, restrictedPodSecurityContext } from '../core/security';
import { NameFormat, NamespacedResource, ResourceProps } from '../core/resource';
import { requireInteger, requireName, requireProps } from '../core/validate';
import { EdgeKind } from '../core/wiring';
import { describe } from '../eventing/catalog';
import { EventListener, Trigger, TriggerBinding, TriggerTemplate } from '../imports/triggers.tekton.dev';
import { ITektonPipeline } from './contracts';

/** CloudEvents attribute names: lowercase letters and digits, starting with a letter (at most 20). */
const ATTRIBUTE = /^[a-z][a-z0-9]{0,19}$/;
/** A path into the event's data: dot-separated field names. */
const DATA_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
/** TriggerTemplate parameter names (tektoncd/triggers v0.37.0 trigger_template_validation.go `paramsRegexp`). */
const TT_PARAM = /^[_a-zA-Z][_a-zA-Z0-9.-]*$/;
/** The container port of every EventListener (pkg/reconciler/eventlistener/resources/service.go). */
const LISTENER_PORT = 8080;
/** The Service port this construct gives the listener, so that Knative's address of the Service (no port) reaches it. */
const SERVICE_PORT = 80;
/** The TriggerTemplate parameter that carries the event's run id. */
const RUN_ID_PARAM = 'cloudevent-run-id';
/** Root of the interceptor overlays that carry the event (`$(extensions.cloudevent.<attribute>)`). */
const OVERLAY_ROOT = 'cloudevent';
/** Root of the overlays that make the run name: `full` (first interceptor), `suffix` (second). */
const RUN_NAME_ROOT = 'runname';
/**
 * Longest PipelineRun name: Tekton's webhook refuses names longer than 63 characters or with a "." (tektoncd/pipeline
 * pkg/apis/validate/metadata.go ObjectMetadata), and labels every TaskRun and pod with it.
 */
const MAX_RUN_NAME = 63;
const MAX_RUN_NAME_PREFIX = 30;

/** One value of an event that a pipeline parameter takes. */
export class EventValue {
  /**
   * A CloudEvents context attribute or extension (`id`, `source`, `subject`, `time`, `revision`, ...): the `Ce-<Name>`
   * header of a binary-mode event (how Knative brokers deliver), or the top-level field of a structured one.
   */
  public static attribute(name: string): EventValue {
    return new EventValue('attribute', name);
  }

  /** A field of the event's data (a JSON object), by a dot-separated path, e.g. `subject.content.artifactId`. */
  public static data(path: string): EventValue {
    return new EventValue('data', path);
  }

  private constructor(private readonly kind: 'attribute' | 'data', private readonly key: string) {}

  /** @internal */
  public _check(scope: Construct, field: string): void {
    if (this.kind === 'attribute' && (typeof this.key !== 'string' || !ATTRIBUTE.test(this.key))) {
      invalid(scope, field, this.key, 'is not a CloudEvents attribute name', 'use lowercase letters and digits, starting with a letter, at most 20 (e.g. "id", "subject")');
    }
    if (this.kind === 'data' && (typeof this.key !== 'string' || !DATA_PATH.test(this.key))) {
      invalid(scope, field, this.key, 'is not a path into the event data', 'give dot-separated field names of letters, digits and "_", e.g. "subject.content.artifactId"');
    }
  }

  /** The TriggerBinding value (`$(extensions...)`, filled by the interceptor's overlays). @internal */
  public _binding(): string {
    return this.kind === 'attribute' ? `$(extensions.${OVERLAY_ROOT}.${this.key})` : `$(extensions.${OVERLAY_ROOT}.data.${this.key})`;
  }

  /** The attribute this value needs an overlay for (`data` for the data). @internal */
  public _overlayKey(): string {
    return this.kind === 'attribute' ? this.key : 'data';
  }

  public toString(): string {
    return this.kind === 'attribute' ? `attribute ${this.key}` : `data.${this.key}`;
  }
}

/** One overlay of a CEL interceptor: the extension `key` (dots nest) takes the value of `expression`. */
export interface CelOverlay {
  readonly key: string;
  readonly expression: string;
}

export interface EventTriggeredPipelineProps extends ResourceProps {
  /** The pipeline each event runs (a `TektonPipeline`, or any `ITektonPipeline`), in this construct's namespace. */
  readonly pipeline: ITektonPipeline;
  /**
   * The CloudEvent types that start a run. The listener's CEL filter admits only these, and every subscription of the
   * pipeline must select among them (`EventFilter.type(...)`).
   */
  readonly consumes: CloudEventType[];
  /**
   * The pipeline's parameters and the event value each one takes.
   * @default - none: every parameter keeps the pipeline's default
   */
  readonly params?: { [param: string]: EventValue };
  /**
   * The event attribute the run's name is made from. Events with the same value start one run only: Tekton refuses
   * a second PipelineRun of the same name. The CloudEvents `id` (with `source`) identifies an event, so a redelivered
   * or re-sent event does not run twice.
   * @default 'id'
   */
  readonly runNameAttribute?: string;
  /**
   * The start of every run's name (`<prefix>-<attribute value>`), a DNS label of at most 30 characters.
   * @default - the pipeline's name (its first 30 characters)
   */
  readonly runNamePrefix?: string;
  /**
   * The ServiceAccount the runs' pods use (a run that rolls back traffic needs one that may patch it).
   * @default - the namespace's `default` ServiceAccount
   */
  readonly runServiceAccountName?: string;
  /**
   * Timeout of each run.
   * @default - Tekton's default (60 minutes)
   */
  readonly runTimeout?: Duration;
  /**
   * Replicas of the EventListener's Deployment.
   * @default 1
   */
  readonly replicas?: number;
}

/**
 * A Tekton pipeline started by CloudEvents: EventListener + Trigger + TriggerBinding + TriggerTemplate, a CEL
 * interceptor on the event types, a least-privilege ServiceAccount, and an ingress NetworkPolicy. It is an event sink
 * like a function: `broker.subscribe(pipeline, { filters: [EventFilter.type(t)] })`.
 */
export class EventTriggeredPipeline extends NamespacedResource implements IReplyingSink {
  /** The CloudEvent an EventListener answers every CloudEvent with (tektoncd/triggers pkg/reconciler/events/event.go). */
  public static readonly ACCEPTED = CloudEventType.of('dev.tekton.event.triggers.accepted.v1', {
    description: 'a Tekton EventListener received an event and started its triggers (its reply to every CloudEvent)',
  });

  /** The EventListener. */
  public readonly resource: EventListener;
  public readonly trigger: Trigger;
  public readonly triggerBinding: TriggerBinding;
  public readonly triggerTemplate: TriggerTemplate;
  public readonly serviceAccount: k8s.KubeServiceAccount;
  public readonly ingressPolicy: IngressPolicy;
  public readonly pipeline: ITektonPipeline;
  /** The CloudEvent types that start a run. */
  public readonly consumes: CloudEventType[];
  /** What the listener answers every event with (back into the broker that delivered it). */
  public readonly replyTypes: CloudEventType[] = [EventTriggeredPipeline.ACCEPTED];
  /** The listener's Deployment and Service, as the Triggers controller creates them. */
  public readonly serviceName: string;
  /** The EventListener object: what deployers order by. */
  public readonly objectRef: ObjectRef;
  /** The listener's pods (a NetworkPolicy peer). */
  public readonly podSelector: { [key: string]: string };
  /** The CEL filter of the interceptor (Tekton's CEL dialect). */
  public readonly celFilter: string;
  /** The CEL overlays, in order: `key` → expression (the first interceptor's, then the run name's). */
  public readonly celOverlays: CelOverlay[];

  public constructor(scope: Construct, id: string, props: EventTriggeredPipelineProps) {
    // The controller names its Deployment and Service `el-<name>` (a DNS-1035 label of at most 63).
    super(scope, id, props, { format: NameFormat.DNS1123_LABEL, maxLength: 60, maxLengthReason: 'the listener\'s Service is named el-<name>' });
    requireProps(this, props, 'give at least pipeline and consumes');
    const pipeline = props.pipeline;
    if (!pipeline || typeof pipeline.runTemplate !== 'function' || typeof pipeline.pipelineName !== 'string') {
      invalid(this, 'pipeline', pipeline, 'must be a Tekton pipeline', 'pass a TektonPipeline (or an ITektonPipeline)');
    }
    if (pipeline.namespace !== this.namespace) {
      invalid(this, 'pipeline', `${pipeline.namespace}/${pipeline.pipelineName}`, `is in another namespace than the listener (${this.namespace}): a PipelineRun runs a Pipeline of its own namespace`,
        'create the event-triggered pipeline in the pipeline\'s namespace');
    }
    this.pipeline = pipeline;
    if (!Array.isArray(props.consumes) || props.consumes.length === 0) {
      invalid(this, 'consumes', props.consumes, 'must list at least one CloudEvent type', 'e.g. [CDEvents.SERVICE_DEPLOYED]');
    }
    props.consumes.forEach((t, i) => requireEventType(this, `consumes[${i}]`, t));
    if (props.consumes.some((t) => t.type === EventTriggeredPipeline.ACCEPTED.type)) {
      invalid(this, 'consumes', EventTriggeredPipeline.ACCEPTED.type, 'is the listener\'s own reply to every event: each reply would start a run and be answered again, forever',
        'consume the events that should start a run');
    }
    this.consumes = [...props.consumes];

    const params = props.params ?? {};
    for (const [param, value] of Object.entries(params)) {
      if (!pipeline.paramNames.includes(param)) {
        invalid(this, `params.${param}`, param, `is not a parameter of pipeline ${pipeline.pipelineName} (${pipeline.paramNames.join(', ') || 'none'})`, 'bind the pipeline\'s own parameters');
      }
      if (!TT_PARAM.test(param) || param === RUN_ID_PARAM) {
        invalid(this, `params.${param}`, param, `cannot be a TriggerTemplate parameter (letters, digits, "_", "." and "-", starting with a letter or "_"; not ${RUN_ID_PARAM})`, 'rename the pipeline parameter');
      }
      if (!(value instanceof EventValue)) invalid(this, `params.${param}`, value, 'must be an EventValue', 'e.g. EventValue.attribute("subject") or EventValue.data("subject.id")');
      value._check(this, `params.${param}`);
    }
    const runAttribute = props.runNameAttribute ?? 'id';
    EventValue.attribute(runAttribute)._check(this, 'runNameAttribute');
    const prefix = requireName(this, 'runNamePrefix', props.runNamePrefix ?? pipeline.pipelineName.slice(0, MAX_RUN_NAME_PREFIX).replace(/-+$/, ''), 'dns1123-label');
    if (prefix.length > MAX_RUN_NAME_PREFIX) {
      invalid(this, 'runNamePrefix', prefix, `must be at most ${MAX_RUN_NAME_PREFIX} characters`, 'the rest of the 63 characters of a run name identifies the event');
    }
    const replicas = props.replicas !== undefined ? requireInteger(this, 'replicas', props.replicas, { min: 1, max: 100 }) : undefined;

    this.serviceName = `el-${this.name}`;
    this.objectRef = { apiVersion: EventListener.GVK.apiVersion, kind: EventListener.GVK.kind, namespace: this.namespace, name: this.name };
    this.podSelector = { 'eventlistener': this.name, 'app.kubernetes.io/managed-by': 'EventListener' };

    // The interceptor: filter on the type, then carry the event's attributes and data as extensions for the binding.
    const attributes = [...new Set([runAttribute, ...Object.values(params).map((v) => v._overlayKey())])];
    this.celFilter = celTypeFilter(this.consumes);
    const firstOverlays: CelOverlay[] = attributes.map((a) => ({ key: `${OVERLAY_ROOT}.${a}`, expression: a === 'data' ? celData() : celAttribute(a) }));
    firstOverlays.push({ key: `${RUN_NAME_ROOT}.full`, expression: `${celAttribute(runAttribute)}.lowerAscii().translate('[^a-z0-9]+', '-')` });
    // Overlays of one interceptor all see the same input: the cut to length reads the first one's result.
    const runName: CelOverlay = { key: `${RUN_NAME_ROOT}.suffix`, expression: celFit(`extensions.${RUN_NAME_ROOT}.full`, MAX_RUN_NAME - prefix.length - 1) };
    this.celOverlays = [...firstOverlays, runName];

    const labels = this.recommendedLabels('event-triggered-pipeline', 'pipeline-trigger');
    const metadata = (name: string) => ({ name, namespace: this.namespace, labels });

    this.triggerBinding = new TriggerBinding(this, 'TriggerBinding', {
      metadata: metadata(this.name),
      spec: {
        params: [
          { name: RUN_ID_PARAM, value: `$(extensions.${RUN_NAME_ROOT}.suffix)` },
          ...Object.entries(params).map(([name, value]) => ({ name, value: value._binding() })),
        ],
      },
    });
    const run = pipeline.runTemplate({
      name: `${prefix}-$(tt.params.${RUN_ID_PARAM})`,
      params: Object.fromEntries(Object.keys(params).map((p) => [p, `$(tt.params.${p})`])),
      serviceAccountName: props.runServiceAccountName,
      timeout: props.runTimeout,
    });
    this.triggerTemplate = new TriggerTemplate(this, 'TriggerTemplate', {
      metadata: metadata(this.name),
      spec: {
        params: [
          { name: RUN_ID_PARAM, description: `the event's ${runAttribute}, as a DNS label: a repeated event gets the same run name and is refused` },
          ...Object.entries(params).map(([name, value]) => ({ name, description: `from the event's ${value}` })),
        ],
        resourcetemplates: [run],
      },
    });
    this.trigger = new Trigger(this, 'Trigger', {
      metadata: metadata(this.name),
      spec: {
        interceptors: [
          {
            name: 'event-type',
            ref: { name: 'cel', kind: 'ClusterInterceptor' },
            params: [{ name: 'filter', value: this.celFilter }, { name: 'overlays', value: firstOverlays }],
          },
          {
            name: 'run-name',
            ref: { name: 'cel', kind: 'ClusterInterceptor' },
            params: [{ name: 'overlays', value: [runName] }],
          },
        ],
        bindings: [{ ref: this.name, kind: 'TriggerBinding' }],
        template: { ref: this.name },
      },
    });
    DeployHints.references(this.trigger, { apiVersion: TriggerBinding.GVK.apiVersion, kind: 'TriggerBinding', namespace: this.namespace, name: this.name });
    DeployHints.references(this.trigger, { apiVersion: TriggerTemplate.GVK.apiVersion, kind: 'TriggerTemplate', namespace: this.namespace, name: this.name });
    DeployHints.references(this.triggerTemplate, { apiVersion: 'tekton.dev/v1', kind: 'Pipeline', namespace: this.namespace, name: pipeline.pipelineName });

    // The listener's identity: what the sink reads, and creating PipelineRuns. No Secrets, no impersonation.
    const sa = this.serviceName;
    this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: metadata(sa) });
    const subject = { kind: 'ServiceAccount', name: sa, namespace: this.namespace };
    new k8s.KubeRole(this, 'Role', {
      metadata: metadata(sa),
      rules: [
        { apiGroups: ['triggers.tekton.dev'], resources: ['eventlisteners', 'triggers', 'triggerbindings', 'triggertemplates', 'interceptors'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['tekton.dev'], resources: ['pipelineruns'], verbs: ['create'] },
        { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
      ],
    });
    const roleBinding = new k8s.KubeRoleBinding(this, 'RoleBinding', {
      metadata: metadata(sa),
      subjects: [subject],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: sa },
    });
    DeployHints.references(roleBinding, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', namespace: this.namespace, name: sa });
    // Cluster-scoped kinds the sink's informers list at start (its namespace scope does not apply to them).
    const clusterName = `${this.namespace}-${sa}-cluster-read`;
    clusterScoped(new k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: clusterName, labels },
      rules: [{ apiGroups: ['triggers.tekton.dev'], resources: ['clustertriggerbindings', 'clusterinterceptors'], verbs: ['get', 'list', 'watch'] }],
    }));
    const clusterBinding = clusterScoped(new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: clusterName, labels },
      subjects: [subject],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterName },
    }));
    DeployHints.references(clusterBinding, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: clusterName });

    this.resource = new EventListener(this, 'Resource', {
      metadata: metadata(this.name),
      spec: {
        serviceAccountName: sa,
        triggers: [{ triggerRef: this.name }],
        resources: {
          kubernetesResource: {
            replicas,
            servicePort: SERVICE_PORT,
            spec: {
              template: {
                spec: {
                  // The controller takes the pod securityContext from here, and only resources, env and probes of the
                  // first container; the container's own securityContext it sets itself (restricted by default).
                  securityContext: restrictedPodSecurityContext({ user: DEFAULT_NON_ROOT_UID, group: DEFAULT_NON_ROOT_UID, fsGroup: DEFAULT_NON_ROOT_UID }),
                  containers: [{ name: 'event-listener', resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } } }],
                },
              },
            },
          },
        },
      },
    });
    DeployHints.awaitCondition(this.resource, 'Ready');
    DeployHints.references(this.resource, { apiVersion: 'v1', kind: 'ServiceAccount', namespace: this.namespace, name: sa });
    DeployHints.references(this.resource, { apiVersion: Trigger.GVK.apiVersion, kind: 'Trigger', namespace: this.namespace, name: this.name });
    DeployHints.references(this.resource, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', namespace: this.namespace, name: sa });
    DeployHints.references(this.resource, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', name: clusterName });
    for (const kind of ['Deployment', 'Service']) {
      DeployHints.implies(this.resource, { apiVersion: kind === 'Service' ? 'v1' : 'apps/v1', kind, namespace: this.namespace, name: this.serviceName }, 'Tekton Triggers');
    }

    this.ingressPolicy = new IngressPolicy(this, 'IngressPolicy', {
      name: `${this.serviceName}-ingress`,
      namespace: this.namespace,
      podSelector: this.podSelector,
      labels,
      servingPorts: [LISTENER_PORT],
    });

    // Every subscription of the pipeline must select types it consumes: the listener's filter drops the others.
    PlatformModel.of(this)._addCheck(`event-triggered-pipeline:${this.node.path}`, () => this.checkSubscriptions());
  }

  /**
   * Knative's destination for the listener: within the namespace a reference to its Service (Knative resolves a core
   * Service to `http://<name>.<namespace>.svc.<domain>`, no port: hence Service port 80; its controllers may read
   * Services through Eventing's `service-addressable-resolver` ClusterRole, and the Trigger is not Ready until the
   * Triggers controller has made the Service), across namespaces that address (Knative refuses cross-namespace
   * references by default). A reference to the EventListener itself would need an addressable-resolver ClusterRole for
   * `eventlisteners`, which Tekton Triggers does not ship.
   */
  public destinationFrom(fromNamespace: string): EventDestination {
    return fromNamespace === this.namespace
      ? { ref: { apiVersion: 'v1', kind: 'Service', name: this.serviceName } }
      : { uri: `http://${this.serviceHost(this.serviceName)}` };
  }

  /** Lets pods reach the listener (its container port, 8080, behind the Service's 80). */
  public admit(peer: PodPeer, options?: AdmitOptions): Admission {
    return this.ingressPolicy.admit(peer, options);
  }

  /** The listener's pods as a policy peer. */
  public get peer(): PodPeer {
    return { namespace: this.namespace, podSelector: { ...this.podSelector }, description: `event listener ${this.namespace}/${this.name}` };
  }

  /** The objects of the construct (for tests and bundles). */
  public get objects(): ApiObject[] {
    return this.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
  }

  private checkSubscriptions(): void {
    const consumed = new Set(this.consumes.map((t) => t.type));
    for (const edge of PlatformModel.of(this).edges) {
      if (edge.to !== this || edge.kind !== EdgeKind.DELIVERS_EVENTS || !edge.events?.filters) continue;
      const types = edge.events.filters.flatMap((f: EventFilter) => f._requiredTypes()).map((t) => t.type);
      const dropped = types.filter((t) => !consumed.has(t));
      if (dropped.length) {
        invalid(edge.events.realizedBy, 'filters', dropped.join(', '), `select events ${describe(this)} does not consume (its listener's filter admits ${[...consumed].join(', ')}): they would be delivered and dropped`,
          'add the type to the pipeline\'s consumes, or subscribe it to the types it consumes');
      }
    }
  }
}

/** A CEL string literal. */
function celString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, '\\\'')}'`;
}

/** True in binary mode (how Knative brokers and most senders deliver): the CloudEvent's attributes are headers. */
const BINARY = 'header.canonical(\'Ce-Specversion\') != \'\'';

/** The filter: the event's type is one of these, in binary mode (the `Ce-Type` header) or structured mode (the body). */
function celTypeFilter(types: CloudEventType[]): string {
  const binary = types.map((t) => `header.match('Ce-Type', ${celString(t.type)})`).join(' || ');
  const list = types.map((t) => celString(t.type)).join(', ');
  return `${binary} || (!(${BINARY}) && has(body.specversion) && has(body.type) && body.type in [${list}])`;
}

/** An attribute of the event as a string ('' when absent), in either mode. */
function celAttribute(attribute: string): string {
  const header = `Ce-${attribute.charAt(0).toUpperCase()}${attribute.slice(1)}`;
  return `(${BINARY} ? header.canonical('${header}') : (has(body.${attribute}) ? string(body.${attribute}) : ''))`;
}

/** The event's data: the body in binary mode, its `data` field in structured mode. */
function celData(): string {
  return `${BINARY} ? body : (has(body.data) ? body.data : {})`;
}

/** Characters kept from the start of a value too long for a run name (the head of a UID: what tells objects apart). */
const RUN_NAME_HEAD = 8;

/**
 * A string cut to `length` characters, without leading or trailing '-' (a DNS label's ends). A longer one keeps its
 * first RUN_NAME_HEAD characters and its end, joined by '-': for a lifecycle id `<uid>/<revision>` the start of the
 * Service's UID and the revision, so that two Services of one long name (other namespaces, or deleted and created
 * again) still get runs of their own.
 */
function celFit(value: string, length: number): string {
  const tail = length - RUN_NAME_HEAD - 1;
  const cut = `${value}.substring(0, ${RUN_NAME_HEAD}) + '-' + ${value}.substring(${value}.size() - ${tail})`;
  return `(${value}.size() > ${length} ? ${cut} : ${value}).translate('^-+|-+$', '')`;
}
