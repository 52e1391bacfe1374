/**
 * What a change to an object does on a cluster, known from the object itself: which fields the API server, a
 * webhook or an operator refuses to change in place (a change must replace the object), and which objects hold data
 * that a deletion or a replacement loses. One table, read by
 *
 *   - the deployment plan (core/plan.ts): `replaceOnChanges` and `stateful` of each planned object, which the Pulumi
 *     bridge turns into `replaceOnChanges` + `deleteBeforeReplace`, and `protect` + `retainOnDelete`;
 *   - DeployHints.immutableFields / statefulReason (what a construct's object declares);
 *   - `platform-blueprints diff` (src/diff), which has only YAML: so every rule reads the manifest, and what it needs
 *     of other objects (the class of a Trigger's Broker, the XRDs that define claims) it asks an ObjectLookup.
 *
 * Sources, at the versions upstream.yaml pins: Kubernetes' own update validation (apps, batch, core, rbac, storage);
 * Knative Eventing v1.22 webhooks (pkg/apis/eventing/v1/broker_validation.go: a Broker's spec but `delivery`, and its
 * class annotation; trigger_validation.go: `spec.broker`; messaging Subscription and Channel; v1alpha1 EventTransform:
 * the transformation type — an EventType's CheckImmutableFields exists, but its Validate never calls it, so its spec
 * changes in place); eventing-rabbitmq v1.22 (a RabbitMQBroker's whole spec; its Triggers' `spec.filter`, also when
 * the webhook cannot find the Broker; a RabbitmqBrokerConfig's and a RabbitmqSource's spec); Knative Serving v1.22 (a
 * template with its own revision name changes only with a new name); the messaging topology operator v1.20 webhooks
 * (queue, exchange, binding, vhost, user, permission fields); and the `self == oldSelf` CEL rules of the pinned CRDs
 * (Crossplane, Kratix, Gateway API), which a test checks this table against.
 */
import { parseQuantity } from './quantity';
import { groupOf } from './uniqueness';

/** A field path, as segments (`['metadata', 'annotations', 'eventing.knative.dev/broker.class']`). */
export type FieldPath = Array<string | number>;

/** What rules need of the other objects deployed with (or already beside) an object. */
export interface ObjectLookup {
  /** The object of this group, kind, namespace and name, when known. */
  find(group: string, kind: string, namespace: string | undefined, name: string): any | undefined;
  /** Every object known (for definitions: XRDs, Promises). */
  all(): any[];
}

/** A lookup over a list of manifests (later ones do not replace earlier ones). */
export function lookupOf(manifests: any[]): ObjectLookup {
  const byId = new Map<string, any>();
  for (const m of manifests) {
    const id = objectId(m);
    if (!byId.has(id)) byId.set(id, m);
  }
  return {
    find: (group, kind, namespace, name) => byId.get(`${group}|${kind}|${namespace ?? ''}|${name}`),
    all: () => manifests,
  };
}

/** `group|kind|namespace|name`: versions of one kind are one object. */
export function objectId(m: any): string {
  return `${groupOf(String(m?.apiVersion ?? ''))}|${m?.kind}|${m?.metadata?.namespace ?? ''}|${m?.metadata?.name}`;
}

/** One immutable-field rule that applies to an object. */
export interface AppliedRule {
  /** The immutable subtrees, as Pulumi property paths (`spec.filter`, `metadata.annotations["a/b"]`). */
  readonly paths: string[];
  /** Subtrees inside `paths` that may change (a PVC's requested storage). */
  readonly except: string[];
  /** Who refuses the change, and why it matters. */
  readonly because: string;
  /** Enforced by Kubernetes itself for a built-in kind: pulumi-kubernetes replaces on these fields on its own. */
  readonly builtIn: boolean;
  /**
   * Whether an update from `old` to `updated` that touches the paths is refused; undefined when any change of them
   * is (most rules). A rule that depends on both versions (a Knative template keeping its revision name) cannot be
   * told to a deployer ahead of time.
   */
  readonly refuses?: (old: any, updated: any) => boolean;
}

interface Rule {
  readonly group: string;
  readonly kinds: string[];
  readonly paths: string[];
  readonly except?: string[];
  readonly because: string;
  /** Whether the rule applies to this object (its class, its `immutable` flag, ...). @default always */
  readonly when?: (m: any, objects: ObjectLookup) => boolean;
  readonly refuses?: (old: any, updated: any) => boolean;
}

export const BROKER_CLASS_ANNOTATION = 'eventing.knative.dev/broker.class';
const CLASS_PATH = `metadata.annotations[${JSON.stringify(BROKER_CLASS_ANNOTATION)}]`;
const RABBITMQ_BROKER = 'RabbitMQBroker';
const BUILT_IN_GROUPS = new Set(['', 'apps', 'batch', 'rbac.authorization.k8s.io', 'storage.k8s.io', 'policy', 'networking.k8s.io']);

const brokerClassOf = (m: any): string | undefined => m?.metadata?.annotations?.[BROKER_CLASS_ANNOTATION];
const templateName = (m: any): string | undefined => m?.spec?.template?.metadata?.name;

/** Whether a Trigger's Broker is a RabbitMQ broker, or one eventing-rabbitmq's webhook cannot find (it then checks). */
function rabbitTrigger(m: any, objects: ObjectLookup): boolean {
  const broker = objects.find('eventing.knative.dev', 'Broker', m?.metadata?.namespace, m?.spec?.broker);
  return broker === undefined || brokerClassOf(broker) === RABBITMQ_BROKER;
}

const TOPOLOGY = 'the RabbitMQ messaging topology operator\'s webhook';
const CEL = 'the CRD\'s validation rule (self == oldSelf)';

const RULES: Rule[] = [
  // Kubernetes (k8s.io/kubernetes pkg/apis/*/validation, Validate*Update).
  { group: 'apps', kinds: ['Deployment', 'DaemonSet', 'ReplicaSet'], paths: ['spec.selector'], because: 'Kubernetes refuses a change of the selector' },
  {
    group: 'apps', kinds: ['StatefulSet'], paths: ['spec'],
    except: ['spec.replicas', 'spec.ordinals', 'spec.template', 'spec.updateStrategy', 'spec.persistentVolumeClaimRetentionPolicy', 'spec.minReadySeconds'],
    because: 'Kubernetes changes only replicas, template, updateStrategy, ordinals, minReadySeconds and the PVC retention policy of a StatefulSet in place',
  },
  { group: 'batch', kinds: ['Job'], paths: ['spec.selector', 'spec.template', 'spec.completionMode', 'spec.completions'], because: 'Kubernetes refuses a change of a Job\'s pod template, selector, completions and completion mode' },
  {
    group: '', kinds: ['Service'], paths: ['spec.clusterIP', 'spec.clusterIPs'],
    because: 'Kubernetes refuses a change of a Service\'s cluster IP (unless it becomes or stops being an ExternalName Service)',
    refuses: (old, updated) => old?.spec?.type !== 'ExternalName' && updated?.spec?.type !== 'ExternalName',
  },
  {
    group: '', kinds: ['PersistentVolumeClaim'], paths: ['spec'], except: ['spec.resources.requests.storage', 'spec.volumeAttributesClassName'],
    because: 'Kubernetes changes only the requested storage (to grow it) and the volume attributes class of a bound claim',
  },
  {
    group: '', kinds: ['PersistentVolumeClaim'], paths: ['spec.resources.requests.storage'],
    because: 'Kubernetes refuses to shrink a claim\'s requested storage',
    refuses: (old, updated) => (parseQuantity(String(updated?.spec?.resources?.requests?.storage)) ?? Infinity)
      < (parseQuantity(String(old?.spec?.resources?.requests?.storage)) ?? -Infinity),
  },
  {
    group: '', kinds: ['ConfigMap', 'Secret'], paths: ['data', 'binaryData', 'stringData', 'immutable'],
    because: 'the object is immutable (immutable: true)', when: (m) => m?.immutable === true,
  },
  { group: '', kinds: ['Secret'], paths: ['type'], because: 'Kubernetes refuses a change of a Secret\'s type' },
  { group: '', kinds: ['ResourceQuota'], paths: ['spec.scopes'], because: 'Kubernetes refuses a change of a ResourceQuota\'s scopes' },
  { group: 'rbac.authorization.k8s.io', kinds: ['RoleBinding', 'ClusterRoleBinding'], paths: ['roleRef'], because: 'Kubernetes refuses a change of a binding\'s roleRef' },
  { group: 'storage.k8s.io', kinds: ['StorageClass'], paths: ['parameters', 'provisioner', 'reclaimPolicy', 'volumeBindingMode'], because: 'Kubernetes refuses a change of a StorageClass\'s provisioner and parameters' },

  // Knative Eventing and eventing-rabbitmq webhooks.
  {
    group: 'eventing.knative.dev', kinds: ['Broker'], paths: ['spec', CLASS_PATH],
    because: 'eventing-rabbitmq refuses any change of a RabbitMQ Broker\'s spec or class', when: (m) => brokerClassOf(m) === RABBITMQ_BROKER,
  },
  { group: 'eventing.knative.dev', kinds: ['Broker'], paths: ['spec.config', CLASS_PATH], because: 'Knative Eventing refuses a change of a Broker\'s class or spec.config (only spec.delivery changes in place)' },
  { group: 'eventing.knative.dev', kinds: ['Trigger'], paths: ['spec.broker'], because: 'Knative Eventing refuses a change of a Trigger\'s broker' },
  {
    group: 'eventing.knative.dev', kinds: ['Trigger'], paths: ['spec.filter'], when: rabbitTrigger,
    because: 'eventing-rabbitmq refuses a change of the filter of a Trigger on a RabbitMQ broker (its queue\'s header binding)',
  },
  { group: 'eventing.knative.dev', kinds: ['RabbitmqBrokerConfig'], paths: ['spec'], because: 'eventing-rabbitmq refuses any change of a RabbitmqBrokerConfig\'s spec' },
  { group: 'sources.knative.dev', kinds: ['RabbitmqSource'], paths: ['spec'], because: 'eventing-rabbitmq refuses any change of a RabbitmqSource\'s spec' },
  {
    group: 'eventing.knative.dev', kinds: ['EventTransform'], paths: ['spec.jsonata'],
    because: 'Knative Eventing refuses a change of an EventTransform\'s transformation type',
    refuses: (old, updated) => (old?.spec?.jsonata === undefined) !== (updated?.spec?.jsonata === undefined),
  },
  { group: 'messaging.knative.dev', kinds: ['Subscription'], paths: ['spec.channel'], because: 'Knative Eventing changes only a Subscription\'s subscriber, reply and delivery' },
  { group: 'messaging.knative.dev', kinds: ['Channel'], paths: ['spec.channelTemplate'], because: 'Knative Eventing refuses a change of a Channel\'s template' },
  // Knative Serving: a template that names its revision must get a new name with every change.
  {
    group: 'serving.knative.dev', kinds: ['Service', 'Configuration'], paths: ['spec.template'],
    because: 'Knative Serving refuses a change of a template that keeps its revision name (spec.template.metadata.name)',
    when: (m) => templateName(m) !== undefined,
    refuses: (old, updated) => templateName(old) !== undefined && templateName(old) === templateName(updated),
  },

  // RabbitMQ messaging topology operator webhooks (internal/webhook/v1beta1).
  {
    group: 'rabbitmq.com', kinds: ['Queue'],
    paths: ['spec.name', 'spec.vhost', 'spec.rabbitmqClusterReference', 'spec.type', 'spec.autoDelete', 'spec.durable', 'spec.arguments'],
    because: `${TOPOLOGY} refuses changes of a queue (only its deletion policy changes in place)`,
  },
  {
    group: 'rabbitmq.com', kinds: ['Exchange'], paths: ['spec.name', 'spec.vhost', 'spec.rabbitmqClusterReference', 'spec.type', 'spec.autoDelete', 'spec.durable'],
    because: `${TOPOLOGY} refuses changes of an exchange's name, vhost, cluster, type, durability and auto-delete`,
  },
  {
    group: 'rabbitmq.com', kinds: ['Binding'],
    paths: ['spec.vhost', 'spec.rabbitmqClusterReference', 'spec.source', 'spec.destination', 'spec.destinationType', 'spec.routingKey', 'spec.arguments'],
    because: `${TOPOLOGY} refuses changes of a binding`,
  },
  { group: 'rabbitmq.com', kinds: ['Vhost'], paths: ['spec.name', 'spec.rabbitmqClusterReference'], because: `${TOPOLOGY} refuses a change of a vhost's name or cluster` },
  { group: 'rabbitmq.com', kinds: ['User'], paths: ['spec.rabbitmqClusterReference'], because: `${TOPOLOGY} refuses a change of a user's cluster` },
  {
    group: 'rabbitmq.com', kinds: ['Permission'], paths: ['spec.user', 'spec.userReference', 'spec.vhost', 'spec.rabbitmqClusterReference'],
    because: `${TOPOLOGY} refuses a change of a permission's user, vhost or cluster`,
  },

  // `self == oldSelf` rules of the pinned CRDs.
  {
    group: 'apiextensions.crossplane.io', kinds: ['CompositeResourceDefinition'], paths: ['spec.group', 'spec.names', 'spec.claimNames', 'spec.scope', 'spec.enforcedCompositionRef'],
    because: `Crossplane: ${CEL}`,
  },
  { group: 'apiextensions.crossplane.io', kinds: ['Composition', 'CompositionRevision'], paths: ['spec.compositeTypeRef'], because: `Crossplane: ${CEL}` },
  { group: 'apiextensions.crossplane.io', kinds: ['ManagedResourceDefinition'], paths: ['spec.group', 'spec.names', 'spec.scope'], because: `Crossplane: ${CEL}` },
  { group: 'ops.crossplane.io', kinds: ['WatchOperation'], paths: ['spec.watch.apiVersion', 'spec.watch.kind'], because: `Crossplane: ${CEL}` },
  { group: 'platform.kratix.io', kinds: ['Destination'], paths: ['spec.filepath.mode'], because: `Kratix: ${CEL}` },
  { group: 'gateway.networking.k8s.io', kinds: ['GatewayClass'], paths: ['spec.controllerName'], because: `Gateway API: ${CEL}` },
];

/** Every immutable-field rule that applies to an object (what it is, its class, its flags, its Broker's class). */
export function immutableRules(manifest: any, objects: ObjectLookup = lookupOf([])): AppliedRule[] {
  const group = groupOf(String(manifest?.apiVersion ?? ''));
  return RULES
    .filter((r) => r.group === group && r.kinds.includes(manifest?.kind) && (r.when?.(manifest, objects) ?? true))
    .map((r) => ({ paths: r.paths, except: r.except ?? [], because: r.because, builtIn: BUILT_IN_GROUPS.has(group), refuses: r.refuses }));
}

/**
 * The paths a deployer must be told to replace on (Pulumi `replaceOnChanges`): the rules of custom resources that
 * hold for any change (pulumi-kubernetes knows the built-in kinds' own; a rule that depends on both versions cannot be
 * said ahead), without a path inside another.
 */
export function replaceOnChangesOf(manifest: any, objects?: ObjectLookup): string[] {
  const paths = immutableRules(manifest, objects).filter((r) => !r.builtIn && !r.refuses && r.except.length === 0).flatMap((r) => r.paths);
  const unique = [...new Set(paths)];
  return unique.filter((p) => !unique.some((q) => q !== p && isWithin(parsePath(p), parsePath(q))));
}

/**
 * Why an object holds data a deletion (or a replacement) loses, or undefined: a PVC, a StatefulSet with volume claim
 * templates, a RabbitMQ cluster, a CRD (its objects go with it), a Crossplane XRD and its claims (or v2 namespaced
 * composites), a Kratix Promise with an API. A Namespace holds what is in it: see statefulNamespaceReason.
 */
export function statefulReasonOf(manifest: any, objects: ObjectLookup = lookupOf([])): string | undefined {
  const group = groupOf(String(manifest?.apiVersion ?? ''));
  const kind = manifest?.kind;
  if (group === '' && kind === 'PersistentVolumeClaim') return 'holds a volume\'s data';
  if (group === 'apps' && kind === 'StatefulSet' && (manifest?.spec?.volumeClaimTemplates ?? []).length) {
    return 'its pods\' data lives in the PersistentVolumeClaims of its volumeClaimTemplates';
  }
  if (group === 'rabbitmq.com' && kind === 'RabbitmqCluster') return 'holds the queues of the RabbitMQ cluster';
  if (group === 'apiextensions.k8s.io' && kind === 'CustomResourceDefinition') return `deleting it deletes every ${manifest?.spec?.names?.kind} in the cluster`;
  if (group === 'apiextensions.crossplane.io' && kind === 'CompositeResourceDefinition') {
    return `deleting it deletes every ${manifest?.spec?.claimNames?.kind ?? manifest?.spec?.names?.kind} in the cluster`;
  }
  if (group === 'platform.kratix.io' && kind === 'Promise' && manifest?.spec?.api) {
    return `deleting it deletes every ${manifest.spec.api?.spec?.names?.kind} request and what was scheduled for them`;
  }
  if (definesClaim(group, kind, objects) || manifest?.metadata?.labels?.['app.kubernetes.io/component'] === 'platform-api-claim') {
    return `deleting it deletes the ${kind} it requested`;
  }
  return undefined;
}

/** Whether a Crossplane XRD among the objects defines this kind as a claim (v1) or a namespaced composite (v2). */
function definesClaim(group: string, kind: string, objects: ObjectLookup): boolean {
  return objects.all().some((x) => x?.kind === 'CompositeResourceDefinition' && groupOf(String(x.apiVersion)) === 'apiextensions.crossplane.io'
    && x.spec?.group === group
    && (x.spec?.claimNames?.kind === kind || (String(x.apiVersion).endsWith('/v2') && x.spec?.names?.kind === kind && x.spec?.scope !== 'Cluster')));
}

/** Why deleting a Namespace loses data (the stateful objects among `objects` it holds), or undefined. */
export function statefulNamespaceReason(namespace: string, objects: ObjectLookup): string | undefined {
  const held = objects.all().filter((o) => o?.metadata?.namespace === namespace && statefulReasonOf(o, objects) !== undefined);
  if (!held.length) return undefined;
  return `holds stateful objects (${held.map((o) => `${o.kind} ${o.metadata.name}`).join(', ')})`;
}

/** Parses a Pulumi property path (`a.b[0]["c/d"]`) into segments. */
export function parsePath(path: string): FieldPath {
  const out: FieldPath = [];
  const re = /(?:^|\.)([A-Za-z_$][A-Za-z0-9_$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/gy;
  let m: RegExpExecArray | null;
  while (re.lastIndex < path.length && (m = re.exec(path))) {
    out.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : JSON.parse(m[3])));
  }
  if (re.lastIndex !== path.length && path.length) throw new Error(`not a property path: ${path}`);
  return out;
}

/** Formats segments as a Pulumi property path (a key with other characters than letters and digits is quoted). */
export function formatPath(path: FieldPath): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]`
    : /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(s) ? `${i ? '.' : ''}${s}` : `[${JSON.stringify(s)}]`)).join('');
}

/** Whether `path` is `prefix` or inside it. */
export function isWithin(path: FieldPath, prefix: FieldPath): boolean {
  return prefix.length <= path.length && prefix.every((s, i) => s === path[i]);
}
