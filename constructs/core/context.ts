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

export function clusterDomain(scope: IConstruct): string {
  const domain = scope.node.tryGetContext(PlatformContext.CLUSTER_DOMAIN) ?? DEFAULT_CLUSTER_DOMAIN;
  return requireName(scope, `context ${PlatformContext.CLUSTER_DOMAIN}`, domain, 'dns1123-subdomain');
}

/** Keeps a cluster-scoped object cluster-scoped: drops the namespace an enclosing Chart would stamp on it. */
export function clusterScoped<T extends ApiObject>(obj: T): T {
  if (Chart.of(obj).namespace !== undefined) obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  return obj;
}
