/**
 * Settings a construct reads from its surroundings: its namespace (prop, else the enclosing chart's) and the
 * cluster's DNS domain (construct context, for clusters not using `cluster.local`).
 */
import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ValidationError } from './errors';
import { requireName } from './validate';
import { CLUSTER_SCOPED_CUSTOM_KINDS } from '../imports/scopes';

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
/**
 * Kinds without a namespace, as `group/Kind` (a kind's name alone says nothing: any group may define a `Node`):
 * Kubernetes' own, cert-manager's ClusterIssuer (installed, not imported), and every imported CRD whose scope is
 * Cluster (generated from the pinned CRDs). Objects of other kinds are marked by clusterScoped().
 */
const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  '/Namespace', '/Node', '/PersistentVolume', '/ComponentStatus',
  'rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/ClusterRoleBinding',
  'apiextensions.k8s.io/CustomResourceDefinition', 'apiregistration.k8s.io/APIService',
  'storage.k8s.io/StorageClass', 'storage.k8s.io/CSIDriver', 'storage.k8s.io/CSINode', 'storage.k8s.io/VolumeAttachment',
  'scheduling.k8s.io/PriorityClass', 'networking.k8s.io/IngressClass', 'networking.k8s.io/IPAddress', 'networking.k8s.io/ServiceCIDR',
  'node.k8s.io/RuntimeClass', 'certificates.k8s.io/CertificateSigningRequest',
  'flowcontrol.apiserver.k8s.io/FlowSchema', 'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration', 'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy', 'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'cert-manager.io/ClusterIssuer',
  ...CLUSTER_SCOPED_CUSTOM_KINDS,
]);

/** Whether objects of an API version and kind are cluster-scoped, by group and kind. */
export function isClusterScopedKind(apiVersion: string, kind: string): boolean {
  const slash = apiVersion.lastIndexOf('/');
  return CLUSTER_SCOPED_KINDS.has(`${slash < 0 ? '' : apiVersion.slice(0, slash)}/${kind}`);
}

/** Keeps a cluster-scoped object cluster-scoped: drops the namespace an enclosing Chart would stamp on it. */
export function clusterScoped<T extends ApiObject>(obj: T): T {
  if (Chart.of(obj).namespace !== undefined) obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  Object.defineProperty(obj, CLUSTER_SCOPED, { value: true, configurable: true });
  return obj;
}

/** The namespace an object is synthesized into (undefined for cluster-scoped objects), without synthesizing it. */
export function namespaceOf(obj: ApiObject): string | undefined {
  if ((obj as any)[CLUSTER_SCOPED] === true || isClusterScopedKind(obj.apiVersion, obj.kind)) return undefined;
  return obj.metadata.namespace;
}
