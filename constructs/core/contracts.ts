/**
 * The contracts: the small interfaces everything that can be wired implements. Props and wiring verbs take these,
 * never concrete classes, so a construct of this app, an object imported from another app (`fromXxx`), or one a team
 * wrote by hand can stand on either end of a connection.
 *
 *   INamespacedResource   a named object in a namespace (objectRef: the object deployers order by)
 *   IAdmitsPeers          owns a NetworkPolicy and can let pods in (`admit`), or says why it cannot
 *   IWorkloadRef          runs pods one can select (network peers, SinkBinding subjects)
 *   IWorkload             … and is ours to configure: env, pod labels (stores bind into it)
 *   IHttpEndpoint         reachable over HTTP in the cluster (gateways route to it, frontends call it)
 *   IFunction             an HTTP workload that also receives events (a Knative Service, ours or imported)
 *   IEventSink            CloudEvents can be delivered to it (functions, brokers)
 *   IEventSource          produces CloudEvents into a sink (sources, publishers)
 *   IBroker               an event mesh: subscribe sinks, add publishers
 *   IKeyValueStore        a Redis-compatible store workloads bind to
 *   IAmqpBroker           an AMQP 0-9-1 service workloads bind to (a RabbitMQ user, a claimed MessageBroker)
 *   IRabbitmqCluster      an operator-run RabbitMQ cluster brokers and topology objects refer to
 */
import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { DeliveryOptions } from './delivery';
import { EventFilter } from './event-filter';
import { CloudEventType } from './event-type';

/** An object by API version, kind and name (in the referrer's namespace). */
export interface ResourceRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
}

/** An object by API version, kind, namespace and name: what deployers order by and what references point at. */
export interface ObjectRef extends ResourceRef {
  /** @default - cluster-scoped */
  readonly namespace?: string;
}

/** Pods that may be let in by a policy: a label selector in a namespace (a plain description, not a construct). */
export interface PodPeer {
  readonly namespace: string;
  readonly podSelector: { [key: string]: string };
  /** Names the peer in deduplication keys and messages, e.g. `broker functions/game (dispatchers)`. */
  readonly description: string;
}

/** A Knative Destination: a reference resolved by Knative, or an address. */
export interface EventDestination {
  readonly ref?: ObjectRef;
  readonly uri?: string;
}

/** A named object in a namespace. */
export interface INamespacedResource extends IConstruct {
  readonly name: string;
  readonly namespace: string;
}

/** What became of a request to let pods in. */
export class Admission {
  private static readonly APPLIED = new Admission(true, undefined);

  /** A rule now lets the pods in (or already did). */
  public static applied(): Admission {
    return Admission.APPLIED;
  }

  /** No rule is needed: the pods reach the target another way, which is already open (e.g. the Knative data plane). */
  public static notNeeded(reason: string): Admission {
    return new Admission(true, reason);
  }

  /** No rule could be added (e.g. the target's policy belongs to another team); `reason` says what to do instead. */
  public static notPossible(reason: string): Admission {
    return new Admission(false, reason);
  }

  /**
   * @param admitted whether the pods can reach the target now
   * @param reason why no rule was written (undefined when one was)
   */
  private constructor(public readonly admitted: boolean, public readonly reason: string | undefined) {}
}

/** Options of an admission. */
export interface AdmitOptions {
  /**
   * TCP ports the pods may reach.
   * @default - the ports the target serves its clients on (a store its port, a broker its ingress, ...)
   */
  readonly ports?: number[];
}

/** Something that owns an ingress NetworkPolicy and can let pods through it. */
export interface IAdmitsPeers extends IConstruct {
  /** Lets the pods in. Idempotent. Says whether a rule was written, was not needed, or could not be. */
  admit(peer: PodPeer, options?: AdmitOptions): Admission;
}

/** A workload whose pods can be selected: a network policy peer, a SinkBinding subject. Ours or imported. */
export interface IWorkloadRef extends INamespacedResource, kplus.INetworkPolicyPeer, kplus.IPodSelector {
  /** Labels that select exactly this workload's pods. */
  readonly podSelector: { [key: string]: string };
  /** The object that owns the pod template (e.g. the Knative Service), in the workload's namespace. */
  readonly resourceRef: ResourceRef;
  /** The same object with its namespace: what deployers order by. */
  readonly objectRef: ObjectRef;
}

/**
 * A workload of this app: something that runs pods and that wiring may configure — a store binds into it (env, pod
 * labels), a gateway routes to it, a network policy admits it. Wiring methods take an IWorkload, never a name or URL.
 * It is also a cdk8s-plus network policy peer and pod selector, so hand-written `kplus.NetworkPolicy` rules can name it.
 */
export interface IWorkload extends IWorkloadRef {
  /** That object itself (bindings declare deploy-order dependencies on it). */
  readonly resource: ApiObject;
  /** Adds an environment variable to the workload's main container; a name can be set once. */
  addEnv(name: string, value: kplus.EnvValue): void;
  /** Adds a label to the workload's pods (e.g. one a network policy admits); a key can be set once. */
  addPodLabel(key: string, value: string): void;
}

/** Something reachable over HTTP inside the cluster. */
export interface IHttpEndpoint extends INamespacedResource {
  /** In-cluster base URL, e.g. `http://score.functions.svc.cluster.local`. */
  readonly url: string;
  /** Fully qualified in-cluster host name, e.g. `score.functions.svc.cluster.local`. */
  readonly host: string;
}

/** A workload of this app reachable over HTTP inside the cluster. */
export interface IHttpWorkload extends IWorkload, IHttpEndpoint {}

/** Something CloudEvents can be sent to: a function, a broker, ... Sources, triggers and bindings take an IEventSink. */
export interface IEventSink extends INamespacedResource, IAdmitsPeers {
  /** The object Knative resolves when it delivers to the sink (deployers create senders after it). */
  readonly objectRef: ObjectRef;
  /**
   * The Knative Destination an object in `fromNamespace` uses to reach this sink: a `ref` within the namespace,
   * the sink's in-cluster address across namespaces (Knative refuses cross-namespace references by default).
   */
  destinationFrom(fromNamespace: string): EventDestination;
}

/**
 * A sink that answers every delivery with an event of its own (a Tekton EventListener's `accepted` event, an
 * EventTransform without a sink of its own). A broker's subscription posts that reply back into the broker, so the
 * subscription records the reply types as produced into the broker (event catalog, EventTypes), and is refused when
 * its filters would deliver a reply back to the sink that made it (a loop).
 */
export interface IReplyingSink extends IEventSink {
  /** The CloudEvent types of the replies. */
  readonly replyTypes: CloudEventType[];
}

/** A function: an HTTP workload that also receives events (a Knative Service of this app, or imported). */
export interface IFunction extends IWorkloadRef, IHttpEndpoint, IEventSink {}

/** Something that produces CloudEvents into a sink (a source, a publishing workload's SinkBinding). */
export interface IEventSource extends IConstruct {
  /** Where the events go. */
  readonly sink: IEventSink;
  /** The CloudEvent types it produces. */
  readonly emits: CloudEventType[];
}

/** A subscription of a sink to a broker's events (a Knative Trigger). */
export interface IEventSubscription extends INamespacedResource {
  readonly subscriber: IEventSink;
  readonly filters: EventFilter[];
}

/** What a subscription selects and how it is delivered. */
export interface SubscriptionOptions {
  /**
   * Name of the Trigger.
   * @default `<broker>-to-<subscriber>`
   */
  readonly name?: string;
  /**
   * Events to deliver: all of the filters must match.
   * @default - every event of the broker
   */
  readonly filters?: EventFilter[];
  /**
   * Retries, backoff, dead-letter sink and per-attempt timeout of this subscription; fields left out keep the
   * broker's values.
   * @default - the broker's delivery settings
   */
  readonly delivery?: DeliveryOptions;
  /**
   * RabbitMQ broker only: events delivered concurrently (1..1000); 1 delivers in order.
   * @default 1 (eventing-rabbitmq's default: ordered)
   */
  readonly parallelism?: number;
}

export interface PublishOptions {
  /** The CloudEvent types the workload publishes (event catalog, Knative EventTypes, the subscriptions' check). */
  readonly emits: CloudEventType[];
  /**
   * Also give the broker's address in this variable, for programs that do not read `K_SINK` (e.g. the CloudEvents
   * Player reads `BROKER_URI`). `K_SINK` itself follows the broker through the SinkBinding. Needs a workload of this app.
   * @default - K_SINK only
   */
  readonly envName?: string;
}

/** A Knative Broker: the event mesh functions publish to and subscribe from. Ours or imported. */
export interface IBroker extends IEventSink {
  /** The in-cluster URL publishers post CloudEvents to. */
  readonly address: string;
  /** The broker class (`eventing.knative.dev/broker.class`), e.g. `RabbitMQBroker`. */
  readonly brokerClass: string;
  /** The pods that deliver this broker's events (subscribers and dead-letter sinks must admit them). */
  readonly dataPlane: PodPeer;
  /** The broker's delivery settings; a subscription's own settings refine them field by field. */
  readonly delivery: DeliveryOptions;
  /** Subscribes a sink (a function, another broker) to the events the filters select. */
  subscribe(subscriber: IEventSink, options?: SubscriptionOptions): IEventSubscription;
  /** Makes a workload publish to this broker (`K_SINK`), with the types it emits. */
  addPublisher(publisher: IWorkloadRef, options: PublishOptions): IEventSource;
}

export interface StoreBindOptions {
  /**
   * Prefix of the environment variables the workload receives: `<P>_HOST`, `<P>_PORT`, `<P>_ADDR` (host:port) and
   * `<P>_PASSWORD` (from the Secret, never a literal).
   * @default 'REDIS'
   */
  readonly envPrefix?: string;
}

/**
 * A Redis-compatible key/value store that workloads bind to: the in-cluster `Redis`, a Crossplane claim for a managed
 * store, or one of those imported from elsewhere. A function does not care which one it gets.
 */
export interface IKeyValueStore extends IConstruct {
  /**
   * Gives the workload the store's address and credentials (env vars, the password by Secret reference), lets the
   * workload through the store's network policy, and records the edge in the platform graph. Idempotent per
   * workload and prefix.
   */
  bind(workload: IWorkload, options?: StoreBindOptions): void;
}

export interface AmqpBindOptions {
  /** Prefix of `<P>_HOST`, `<P>_PORT`, `<P>_USERNAME`, `<P>_PASSWORD`. @default 'AMQP' */
  readonly envPrefix?: string;
}

/** An AMQP 0-9-1 service workloads bind to: a RabbitMQ user on a cluster, a claimed MessageBroker. */
export interface IAmqpBroker extends IConstruct {
  /** Gives the workload the address and credentials (by Secret reference) and lets it reach AMQP. Idempotent. */
  bind(workload: IWorkload, options?: AmqpBindOptions): void;
}

/** A RabbitMQ cluster run by the RabbitMQ cluster operator, ours or imported. */
export interface IRabbitmqCluster extends INamespacedResource, IAdmitsPeers {
  /** In-cluster host of the AMQP Service. */
  readonly host: string;
  /** Serves AMQP over TLS (5671). */
  readonly tls: boolean;
  /** AMQP on 5672 is closed (`tls.disableNonTlsListeners`). */
  readonly tlsOnly: boolean;
  /** Namespaces besides its own whose topology objects may use the cluster. */
  readonly topologyAllowedNamespaces: string[];
  /** The RabbitmqCluster object. */
  readonly objectRef: ObjectRef;
  /** The AMQP URL (credentials separate). */
  readonly amqpUrl: string;
}
