import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';

/** The cdk8s-plus pod selector of pods with these labels in one namespace (for INetworkPolicyPeer/IPodSelector). */
export function podSelectorConfig(namespace: string, labels: { [key: string]: string }): kplus.PodSelectorConfig {
  return { labelSelector: kplus.LabelSelector.of({ labels }), namespaces: { names: [namespace] } };
}

/** An object by API version, kind and name (in the referrer's namespace). */
export interface ResourceRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
}

/**
 * Something that runs pods and can be wired to other parts of the platform: a store binds into it, a gateway
 * routes to it, a network policy admits it. Wiring methods take an IWorkload, never a name or a URL.
 * It is also a cdk8s-plus network policy peer and pod selector, so hand-written `kplus.NetworkPolicy` rules can name it.
 */
export interface IWorkload extends IConstruct, kplus.INetworkPolicyPeer, kplus.IPodSelector {
  /** Name of the workload (unique among the workloads of its namespace). */
  readonly name: string;
  /** Namespace the workload runs in. */
  readonly namespace: string;
  /** Labels that select exactly this workload's pods (for NetworkPolicy peers). */
  readonly podSelector: { [key: string]: string };
  /** The object that owns the pod template (e.g. the Knative Service), for bindings that mutate it. */
  readonly resourceRef: ResourceRef;
  /** That object itself (bindings declare deploy-order dependencies on it). */
  readonly resource: ApiObject;
  /** Adds an environment variable to the workload's main container; a name can be set once. */
  addEnv(name: string, value: kplus.EnvValue): void;
  /** Adds a label to the workload's pods (e.g. one a network policy admits); a key can be set once. */
  addPodLabel(key: string, value: string): void;
}

/** A workload reachable over HTTP inside the cluster. */
export interface IHttpWorkload extends IWorkload {
  /** In-cluster base URL, e.g. `http://score.functions.svc.cluster.local`. */
  readonly url: string;
  /** Fully qualified in-cluster host name, e.g. `score.functions.svc.cluster.local`. */
  readonly host: string;
}
