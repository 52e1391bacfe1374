/**
 * Settings a construct reads from its surroundings: its namespace (prop, else the enclosing chart's) and the
 * cluster's DNS domain (construct context, for clusters not using `cluster.local`).
 */
import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ValidationError } from './errors';
import { requireName } from './validate';

/** Construct context keys the library reads. */
export class PlatformContext {
  /** The cluster DNS domain: `app.node.setContext(PlatformContext.CLUSTER_DOMAIN, 'corp.local')`; default `cluster.local`. */
  public static readonly CLUSTER_DOMAIN = 'platform-blueprints:cluster-domain';

  private constructor() {}
}

const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';

/** The namespace a construct deploys into: the prop, else the enclosing chart's; required. */
export function resolveNamespace(scope: IConstruct, explicit: string | undefined): string {
  const namespace = explicit ?? Chart.of(scope).namespace;
  if (namespace === undefined) {
    throw new ValidationError(scope, 'namespace', 'is required: set the namespace prop or the namespace of the enclosing Chart');
  }
  return requireName(scope, 'namespace', namespace);
}

/**
 * The domain by parent construct: a construct's context cannot change once it has children, and the constructs ask
 * for it as they are built (before anything could set context on them), so it is read once per parent.
 */
const DOMAINS = new WeakMap<IConstruct, string>();

export function clusterDomain(scope: IConstruct): string {
  const parent = scope.node.scope;
  const known = parent ? DOMAINS.get(parent) : undefined;
  if (known !== undefined) return known;
  const domain = scope.node.tryGetContext(PlatformContext.CLUSTER_DOMAIN) ?? DEFAULT_CLUSTER_DOMAIN;
  const checked = requireName(scope, `context ${PlatformContext.CLUSTER_DOMAIN}`, domain, 'dns1123-subdomain');
  if (parent) DOMAINS.set(parent, checked);
  return checked;
}

const CLUSTER_SCOPED = Symbol.for('platform-blueprints.cluster-scoped');
/** Built-in kinds without a namespace (custom ones are marked by clusterScoped()). */
const CLUSTER_SCOPED_KINDS = new Set(['Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition',
  'StorageClass', 'PriorityClass', 'IngressClass', 'RuntimeClass', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration',
  'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'APIService', 'CSIDriver', 'CSINode', 'VolumeAttachment']);

/** Keeps a cluster-scoped object cluster-scoped: drops the namespace an enclosing Chart would stamp on it. */
export function clusterScoped<T extends ApiObject>(obj: T): T {
  if (Chart.of(obj).namespace !== undefined) obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  Object.defineProperty(obj, CLUSTER_SCOPED, { value: true, configurable: true });
  return obj;
}

/** The namespace an object is synthesized into (undefined for cluster-scoped objects), without synthesizing it. */
export function namespaceOf(obj: ApiObject): string | undefined {
  if ((obj as any)[CLUSTER_SCOPED] === true || CLUSTER_SCOPED_KINDS.has(obj.kind)) return undefined;
  return obj.metadata.namespace;
}
