import { IConstruct } from 'constructs';
import { PodPeer } from './network';

/** A Knative Destination: a reference resolved by Knative, or an address. */
export interface EventDestination {
  readonly ref?: { readonly apiVersion: string; readonly kind: string; readonly name: string; readonly namespace?: string };
  readonly uri?: string;
}

/**
 * Something CloudEvents can be sent to: a function, a broker, ... Sources, triggers, bindings and dead-letter
 * settings take an IEventSink, never a URL.
 */
export interface IEventSink extends IConstruct {
  /** Name of the sink (for names derived from it and messages). */
  readonly name: string;
  readonly namespace: string;
  /**
   * The Knative Destination an object in `fromNamespace` uses to reach this sink: a `ref` within the namespace,
   * the sink's in-cluster address across namespaces (Knative refuses cross-namespace references by default).
   */
  destinationFrom(fromNamespace: string): EventDestination;
  /** Lets the given pods deliver events to the sink (a network rule where the sink needs one). */
  admitEventsFrom(peer: PodPeer): void;
}
