/**
 * Ingress isolation per workload. A workload that accepts traffic owns one IngressPolicy: it selects the workload's
 * pods (which makes them deny all ingress not allowed by some policy) and gains one rule per wiring call that lets
 * a peer in (`store.bind(fn)` → "fn may reach the store on 6379"). Policies are derived from the wiring, never
 * written by hand.
 */
import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { Admission, AdmitOptions, IAdmitsPeers, PodPeer } from './contracts';
import { requirePort } from './numbers';

export interface IngressPolicyProps {
  /** Name of the NetworkPolicy. */
  readonly name: string;
  readonly namespace: string;
  /** Labels of the pods the policy protects. */
  readonly podSelector: { [key: string]: string };
  /** Labels for the NetworkPolicy object. @default - none */
  readonly labels?: { [key: string]: string };
  /** The ports peers are let in on when an admission names none. @default - every port */
  readonly servingPorts?: number[];
}

export class IngressPolicy extends ApiObject implements IAdmitsPeers {
  /** The namespace of the policy (and of the pods it protects). */
  public readonly namespace: string;
  private readonly rules = new Map<string, NetworkPolicyRule>();
  private readonly servingPorts: number[];

  public constructor(scope: Construct, id: string, props: IngressPolicyProps) {
    // The construct is the `networking.k8s.io/v1` NetworkPolicy itself, as plain JSON: no wrapper construct and no
    // L1 conversion pass at synth (platforms have thousands of these); the schema test suite validates the shape.
    super(scope, id, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: props.name, namespace: props.namespace, ...(props.labels ? { labels: props.labels } : {}) },
      spec: {
        podSelector: { matchLabels: { ...props.podSelector } },
        policyTypes: ['Ingress'],
        ingress: Lazy.any({ produce: () => (this.rules.size ? [...this.rules.values()] : undefined) }),
      },
    });
    this.namespace = props.namespace;
    this.servingPorts = checkPorts(this, 'servingPorts', props.servingPorts ?? []);
  }

  /** The NetworkPolicy object (the construct itself; kept for code written against earlier versions). */
  public get resource(): ApiObject {
    return this;
  }

  /**
   * Lets pods matching a selector in on the given TCP ports (the serving ports when none are given; every port when
   * there are none); pods of another namespace through a namespace selector too. Idempotent. The one implementation
   * of network admission: every wiring call that lets pods in ends here.
   */
  public admit(peer: PodPeer, options: AdmitOptions = {}): Admission {
    const ports = options.ports ?? this.servingPorts;
    const key = `pods:${peer.namespace}:${JSON.stringify(peer.podSelector)}:${ports.join(',')}`;
    if (!this.rules.has(key)) {
      checkPorts(this, 'ports', ports);
      const from = peer.namespace !== this.namespace
        ? { namespaceSelector: namespaceNamed(peer.namespace), podSelector: { matchLabels: { ...peer.podSelector } } }
        : { podSelector: { matchLabels: { ...peer.podSelector } } };
      this.rules.set(key, rule([from], ports));
    }
    return Admission.applied();
  }

  /** Lets every pod of the named namespaces in (e.g. the Knative data plane, an operator). Idempotent. */
  public admitNamespaces(namespaces: string[], options: AdmitOptions = {}): Admission {
    const ports = options.ports ?? this.servingPorts;
    // Every function admits the same data plane: the rule (and its key) is made once per list of namespaces and ports.
    let byPorts = NAMESPACE_RULES.get(namespaces);
    if (!byPorts) NAMESPACE_RULES.set(namespaces, byPorts = new Map());
    let made = byPorts.get(ports);
    if (!made) {
      checkPorts(this, 'ports', ports);
      made = {
        key: `namespaces:${[...namespaces].sort().join(',')}:${ports.join(',')}`,
        rule: rule(namespaces.map((ns) => ({ namespaceSelector: namespaceNamed(ns), podSelector: {} })), ports),
      };
      byPorts.set(ports, made);
    }
    if (!this.rules.has(made.key)) this.rules.set(made.key, made.rule);
    return Admission.applied();
  }
}

/** NetworkPolicy ports are TCP port numbers (1..65535); checked once per list of ports. */
function checkPorts(policy: IngressPolicy, field: string, ports: number[]): number[] {
  ports.forEach((port, i) => requirePort(policy, `${field}[${i}]`, port));
  return [...ports];
}

/** Namespace rules by the identity of their namespace and port lists (shared JSON: it is only read). */
const NAMESPACE_RULES = new WeakMap<string[], Map<number[], { key: string; rule: NetworkPolicyRule }>>();

/** A label selector, `networking.k8s.io/v1` JSON. */
interface LabelSelector {
  readonly matchLabels: { [key: string]: string };
}

/** A NetworkPolicy ingress rule, `networking.k8s.io/v1` JSON. */
interface NetworkPolicyRule {
  readonly from: Array<{ readonly namespaceSelector?: LabelSelector; readonly podSelector: LabelSelector | Record<string, never> }>;
  readonly ports?: Array<{ readonly port: number; readonly protocol: 'TCP' }>;
}

function namespaceNamed(name: string): LabelSelector {
  return { matchLabels: { 'kubernetes.io/metadata.name': name } };
}

function rule(from: NetworkPolicyRule['from'], ports: number[]): NetworkPolicyRule {
  return { from, ...(ports.length ? { ports: ports.map((port) => ({ port, protocol: 'TCP' as const })) } : {}) };
}
