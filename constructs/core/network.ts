/**
 * Ingress isolation per workload. A workload that accepts traffic owns one IngressPolicy: it selects the workload's
 * pods (which makes them deny all ingress not allowed by some policy) and gains one rule per wiring call that lets
 * a peer in (`store.bind(fn)` → "fn may reach the store on 6379"). Policies are derived from the wiring, never
 * written by hand.
 */
import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { IWorkload } from './workload';

/** Pods that may be let in by a policy: a label selector in a namespace (a plain description, not a construct). */
export interface PodPeer {
  readonly namespace: string;
  readonly podSelector: { [key: string]: string };
  /** Names the peer in deduplication keys and messages, e.g. `broker functions/game (dispatchers)`. */
  readonly description: string;
}

export interface IngressPolicyProps {
  /** Name of the NetworkPolicy. */
  readonly name: string;
  readonly namespace: string;
  /** Labels of the pods the policy protects. */
  readonly podSelector: { [key: string]: string };
  /** Labels for the NetworkPolicy object. @default - none */
  readonly labels?: { [key: string]: string };
}

export class IngressPolicy extends ApiObject {
  /** The namespace of the policy (and of the pods it protects). */
  public readonly namespace: string;
  private readonly rules = new Map<string, NetworkPolicyRule>();

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
  }

  /** The NetworkPolicy object (the construct itself; kept for code written against earlier versions). */
  public get resource(): ApiObject {
    return this;
  }

  /** Lets the pods of a workload in on the given TCP ports (all ports when empty). Idempotent. */
  public allowFrom(peer: IWorkload, ports: number[] = []): void {
    this.allowFromPods({ namespace: peer.namespace, podSelector: peer.podSelector, description: `${peer.namespace}/${peer.name}` }, ports);
  }

  /** Lets pods matching a selector in; pods of another namespace through a namespace selector too. Idempotent. */
  public allowFromPods(peer: PodPeer, ports: number[] = []): void {
    const key = `pods:${peer.namespace}:${JSON.stringify(peer.podSelector)}:${ports.join(',')}`;
    if (this.rules.has(key)) return;
    const from = peer.namespace !== this.namespace
      ? { namespaceSelector: namespaceNamed(peer.namespace), podSelector: { matchLabels: { ...peer.podSelector } } }
      : { podSelector: { matchLabels: { ...peer.podSelector } } };
    this.rules.set(key, rule([from], ports));
  }

  /** Lets every pod of the named namespaces in on the given TCP ports (all ports when empty). Idempotent. */
  public allowFromNamespaces(namespaces: string[], ports: number[] = []): void {
    const key = `namespaces:${[...namespaces].sort().join(',')}:${ports.join(',')}`;
    if (this.rules.has(key)) return;
    this.rules.set(key, rule(namespaces.map((ns) => ({ namespaceSelector: namespaceNamed(ns), podSelector: {} })), ports));
  }
}

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
