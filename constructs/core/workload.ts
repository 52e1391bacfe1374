import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';

/**
 * Something that runs pods and can be wired to other parts of the platform: a store binds into it, a gateway
 * routes to it, a network policy admits it. Wiring methods take an IWorkload, never a name or a URL.
 */
export interface IWorkload extends IConstruct {
  /** Name of the workload (unique among the workloads of its namespace). */
  readonly name: string;
  /** Namespace the workload runs in. */
  readonly namespace: string;
  /** Labels that select exactly this workload's pods (for NetworkPolicy peers). */
  readonly podSelector: { [key: string]: string };
  /** Adds an environment variable to the workload's main container; a name can be set once. */
  addEnv(name: string, value: kplus.EnvValue): void;
}

/** A workload reachable over HTTP inside the cluster. */
export interface IHttpWorkload extends IWorkload {
  /** In-cluster base URL, e.g. `http://score.functions.svc.cluster.local`. */
  readonly url: string;
  /** Fully qualified in-cluster host name, e.g. `score.functions.svc.cluster.local`. */
  readonly host: string;
}
