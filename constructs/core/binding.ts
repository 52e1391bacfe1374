/**
 * Binding a workload to a backing service (a store, an AMQP user, a claim) by its credentials: the checks every
 * binding shares (the prefix, the Secret's namespace) and one `Wiring.connect` that sets the variables, admits the
 * workload, orders it after the service and records the edge. Idempotent per workload, service and prefix.
 */
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { IAdmitsPeers, IHttpEndpoint, IWorkload, IWorkloadRef, PodPeer } from './contracts';
import { invalid } from './errors';
import { requireEnvName } from './validate';
import { AdmissionSpec, EdgeKind, OrderSpec, Wiring, WiringEdge, connectionKey } from './wiring';

/** The pods of a workload, as a peer a policy can let in. */
export function peerOf(workload: IWorkloadRef): PodPeer {
  return { namespace: workload.namespace, podSelector: workload.podSelector, description: `${workload.namespace}/${workload.name}` };
}

/**
 * A caller of an HTTP target is let in by the target, when the target owns a policy (a Knative Service answers that
 * none is needed: callers come through the data plane, which it admits).
 */
export function httpAdmission(target: IHttpEndpoint, caller: PodPeer): AdmissionSpec[] {
  return typeof (target as Partial<IAdmitsPeers>).admit === 'function' ? [{ into: target as unknown as IAdmitsPeers, peer: caller }] : [];
}

export interface CredentialBindingSpec {
  /** The service bound to (the scope of errors, and the edge's target unless `target` is given). */
  readonly service: IConstruct;
  /** The edge's target. @default - the service */
  readonly target?: IConstruct;
  readonly workload: IWorkload;
  readonly prefix: string;
  /** Namespace of the Secret the variables reference (Secrets cannot be referenced across namespaces). */
  readonly secretNamespace: string;
  /** What lives there, for the message: `the store`, `the connection Secret`, ... */
  readonly secretHolder: string;
  /** How to fix a workload in another namespace. */
  readonly namespaceFix: string;
  /** The variables, without the prefix (`HOST` → `<P>_HOST`), in order. */
  readonly variables: (prefix: string) => { [name: string]: kplus.EnvValue };
  readonly detail: (prefix: string) => string;
  /** @default - none */
  readonly podLabels?: { [key: string]: string };
  /** @default - none */
  readonly admit?: AdmissionSpec[];
  /** @default - none */
  readonly order?: OrderSpec[];
}

/** Binds a workload to a service by its credentials (see the module comment). */
export function bindCredentials(spec: CredentialBindingSpec): WiringEdge {
  const { service, workload } = spec;
  const prefix = requireEnvName(service, 'bind.envPrefix', spec.prefix);
  if (workload.namespace !== spec.secretNamespace) {
    invalid(service, 'bind', workload.node.path, `is in namespace ${workload.namespace}, ${spec.secretHolder} in ${spec.secretNamespace}`, spec.namespaceFix);
  }
  return Wiring.connect({
    kind: EdgeKind.BINDS,
    from: workload,
    to: spec.target ?? service,
    scope: service,
    detail: spec.detail(prefix),
    key: connectionKey('binds', workload, service, prefix),
    env: { workload, variables: spec.variables(prefix), podLabels: spec.podLabels },
    admit: spec.admit,
    order: spec.order,
  });
}
