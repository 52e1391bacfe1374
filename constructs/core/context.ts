/**
 * Settings a construct reads from its surroundings: its namespace (prop, else the enclosing chart's) and the
 * cluster's DNS domain (construct context, for clusters not using `cluster.local`).
 */
import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ValidationError } from './errors';
import { requireName } from './validate';

/** Context key for the cluster DNS domain: `app.node.setContext(CLUSTER_DOMAIN_CONTEXT, 'corp.local')`. */
export const CLUSTER_DOMAIN_CONTEXT = 'platform-blueprints:cluster-domain';
export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';

/** The namespace a construct deploys into: the prop, else the enclosing chart's; required. */
export function resolveNamespace(scope: IConstruct, explicit: string | undefined): string {
  const namespace = explicit ?? Chart.of(scope).namespace;
  if (namespace === undefined) {
    throw new ValidationError(scope, 'namespace', 'is required: set the namespace prop or the namespace of the enclosing Chart');
  }
  return requireName(scope, 'namespace', namespace);
}

export function clusterDomain(scope: IConstruct): string {
  const domain = scope.node.tryGetContext(CLUSTER_DOMAIN_CONTEXT) ?? DEFAULT_CLUSTER_DOMAIN;
  return requireName(scope, `context ${CLUSTER_DOMAIN_CONTEXT}`, domain, 'dns1123-subdomain');
}
