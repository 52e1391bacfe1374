import { createHash } from 'crypto';
import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { clusterDomain } from '../core/context';
import {
  Admission, AdmitOptions, EventDestination, IBroker, IEventSink, IEventSource, IEventSubscription, IRabbitmqCluster, IWorkloadRef, ObjectRef, PodPeer,
  PublishOptions, SubscriptionOptions,
} from '../core/contracts';
import { DeliveryOptions } from '../core/delivery';
import { DeployHints } from '../core/deploy-hints';
import { CloudEventType } from '../core/event-type';
import { invalid } from '../core/errors';
import { BROKER_CLASS_ANNOTATION } from '../core/immutable-fields';
import { toObjectName } from '../core/k8s-rules';
import { recommendedLabels } from '../core/labels';
import { IngressPolicy } from '../core/network';
import { NameFormat, NamespacedResource, ResourceNaming } from '../core/resource';
import { requireEnvName } from '../core/validate';
import { EdgeKind, Wiring } from '../core/wiring';
import { Broker as BrokerL1, EventType as EventTypeL1, RabbitmqBrokerConfig, RabbitmqBrokerConfigSpecQueueType } from '../imports/eventing.knative.dev';
import { AMQP_PORTS, clusterReferenceFrom, isRabbitmqCluster } from '../rabbitmq/cluster';
import { BrokerClass } from './broker-class';
import { connectDeadLetters, renderDelivery } from './delivery';
import { sameSink } from './loops';
import { SinkBinding } from './sink-binding';
import { teamRouteFor } from './team-routes';
import { Trigger } from './trigger';



export interface BrokerOptions {
  /** @default - the construct id */
  readonly name?: string;
  /** @default - the namespace of the enclosing Chart */
  readonly namespace?: string;
  /**
   * Retries, backoff and dead-letter sink for every subscription (a subscription can override them).
   * @default - 3 retries, exponential backoff from 500ms, no dead-letter sink
   */
  readonly delivery?: DeliveryOptions;
}

/** A Broker created elsewhere (another app, another team, by hand). */
export interface BrokerAttributes {
  /** Name of the Broker. */
  readonly name: string;
  /** @default - the namespace of the enclosing Chart */
  readonly namespace?: string;
  /** Its class (the `eventing.knative.dev/broker.class` annotation): it decides the address and the data plane. */
  readonly brokerClass: BrokerClass;
  /**
   * Its delivery settings, for subscriptions that refine them.
   * @default - unknown: a subscription's own settings apply as given
   */
  readonly delivery?: DeliveryOptions;
}

/**
 * What every broker does, ours or imported: subscriptions (`subscribe`), publishers (`addPublisher`), its address and
 * data plane (from its class). Extend `Broker` for a broker of your own.
 */
/** The name of a broker this app creates: the names of its data-plane objects derive from it. */
const CREATED_BROKER_NAMING: ResourceNaming = { format: NameFormat.DNS1035_LABEL, maxLength: 40, maxLengthReason: 'names of the broker\'s data-plane objects derive from it' };

export abstract class BrokerBase extends NamespacedResource implements IBroker {
  /** The broker's class. */
  public readonly brokerClassSpec: BrokerClass;
  public readonly objectRef: ObjectRef;
  /** The pods that deliver this broker's events (subscribers and dead-letter sinks must admit them). */
  public readonly dataPlane: PodPeer;
  /** The broker's delivery settings; a subscription's own settings refine them field by field. */
  public readonly delivery: DeliveryOptions;
  private readonly triggerNames = new Set<string>();

  protected constructor(scope: Construct, id: string, props: BrokerOptions, brokerClass: BrokerClass, naming: ResourceNaming = CREATED_BROKER_NAMING) {
    super(scope, id, props, naming);
    this.brokerClassSpec = brokerClass;
    this.objectRef = { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', namespace: this.namespace, name: this.name };
    this.dataPlane = brokerClass._dataPlane(this.name, this.namespace);
    this.delivery = { ...props.delivery };
  }

  /** The class annotation's value, e.g. `RabbitMQBroker`. */
  public get brokerClass(): string {
    return this.brokerClassSpec.name;
  }

  /** The in-cluster URL publishers post CloudEvents to. */
  public get address(): string {
    return this.brokerClassSpec._address(this.name, this.namespace, clusterDomain(this));
  }

  public destinationFrom(fromNamespace: string): EventDestination {
    return fromNamespace === this.namespace ? { ref: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: this.name } } : { uri: this.address };
  }

  public abstract admit(peer: PodPeer, options?: AdmitOptions): Admission;

  /**
   * Subscribes a sink (a function, another broker) to the events the filters select. A workload of a team whose
   * space has a broker fed from this one (TeamSpace `events`) is subscribed through the team's broker: the Trigger
   * lives in the team's namespace, and a type the team was not granted is refused.
   */
  public subscribe(subscriber: IEventSink, options: SubscriptionOptions = {}): IEventSubscription {
    const route = teamRouteFor(this, subscriber);
    if (route) return route._route(this, subscriber, options);
    const name = options.name ?? `${this.name}-to-${subscriber.name}`.slice(0, 52).replace(/-+$/, '');
    if (this.triggerNames.has(name)) {
      invalid(this, 'subscribe.name', name, 'is already a subscription of this broker', 'give the second subscription of the same subscriber a name');
    }
    const id = `Trigger-${name}`;
    try {
      const trigger = new Trigger(this, id, { ...options, name, broker: this, subscriber });
      this.triggerNames.add(name);
      return trigger;
    } catch (e) {
      // A rejected subscription leaves nothing behind: the broker stays as it was.
      this.node.tryRemoveChild(id);
      throw e;
    }
  }

  /**
   * Makes a workload publish to this broker: a SinkBinding gives it `K_SINK`, the network policy lets it in, and
   * the catalog records the types it emits. A workload publishes to one broker (it has one `K_SINK`).
   */
  public addPublisher(publisher: IWorkloadRef, options: PublishOptions): IEventSource {
    if (!options || !Array.isArray(options.emits)) invalid(this, 'addPublisher.emits', options?.emits, 'must list the CloudEvent types the publisher emits');
    if (options.envName !== undefined) requireEnvName(this, 'addPublisher.envName', options.envName);
    const existing = Wiring.injection(publisher, 'K_SINK');
    if (existing) {
      invalid(this, 'addPublisher', `${publisher.namespace}/${publisher.name}`, `already publishes to ${existing.to.node.path} (its K_SINK, through ${existing.events?.realizedBy.node.path})`,
        'a workload has one K_SINK: publish to one broker, and subscribe the other brokers to it (broker.subscribe(otherBroker))');
    }
    return new SinkBinding(this, `Publisher-${publisher.namespace}-${publisher.name}`, { subject: publisher, sink: this, emits: options.emits, envName: options.envName });
  }

  /** @internal */
  public _declareEventType(_type: CloudEventType, _source: string | undefined): void {
    // A broker of this app declares Knative EventTypes (Broker); an imported one's are its owner's.
  }
}

// Which of a Broker's fields cannot change (its class, spec.config; a RabbitMQ Broker's whole spec), and of its
// Triggers', is in the immutable-fields table (core/immutable-fields.ts), read from the objects themselves.

/**
 * A Knative Broker of this app: the event mesh functions publish to and subscribe from. Subclasses fix the broker
 * class (RabbitMQ, channel-based). Wiring: `broker.addPublisher(fn, { emits })`, `broker.subscribe(fn, { filters })`,
 * and sources take the broker as their sink.
 */
export abstract class Broker extends BrokerBase {
  /** A Broker created elsewhere, to subscribe to and publish into (its NetworkPolicy and EventTypes stay its owner's). */
  public static fromBrokerAttributes(scope: Construct, id: string, attrs: BrokerAttributes): IBroker {
    return new ImportedBroker(scope, id, attrs);
  }

  public readonly resource: BrokerL1;
  private readonly eventTypes = new Map<string, { resource: EventTypeL1; sources: Set<string | undefined> }>();

  protected constructor(scope: Construct, id: string, props: BrokerOptions, brokerClass: BrokerClass, config?: ObjectRef) {
    super(scope, id, props, brokerClass);
    if (this.delivery.deadLetterSink && sameSink(this.delivery.deadLetterSink, this)) {
      invalid(this, 'delivery.deadLetterSink', `${this.namespace}/${this.name}`, 'is the broker itself: an event a subscriber refuses would be delivered to every subscription again, and dead-lettered again, forever',
        'send dead letters to a function or another broker that keeps them');
    }
    this.resource = new BrokerL1(this, 'Resource', {
      metadata: {
        name: this.name,
        namespace: this.namespace,
        labels: recommendedLabels({ name: 'broker', instance: this.name, component: 'event-broker' }),
        annotations: { [BROKER_CLASS_ANNOTATION]: brokerClass.name },
      },
      spec: {
        config: config ? { apiVersion: config.apiVersion, kind: config.kind, name: config.name, namespace: this.namespace } : undefined,
        delivery: renderDelivery(this, 'delivery', this.delivery, this.namespace, false),
      },
    });
    DeployHints.awaitCondition(this.resource, 'Ready');
    DeployHints.requiresInstall(this.resource, brokerClass._install);
    if (config) DeployHints.references(this.resource, { ...config, namespace: this.namespace });
    for (const implied of brokerClass._impliedByBroker(this.name, this.delivery.deadLetterSink !== undefined)) DeployHints.implies(this.resource, { ...implied, namespace: this.namespace }, brokerClass._install.title);
    if (this.delivery.deadLetterSink) {
      connectDeadLetters(this, this.dataPlane, this.delivery.deadLetterSink, this.resource, `dead letters (after ${this.delivery.retry ?? 3} retries)`);
    }
  }

  /** @internal */
  public _declareEventType(t: CloudEventType, source: string | undefined): void {
    const declared = this.eventTypes.get(t.type);
    if (declared) {
      declared.sources.add(source);
      return;
    }
    const sources = new Set<string | undefined>([source]);
    const name = toObjectName(`${this.name}-${t.type}`);
    const resource = new EventTypeL1(this, `EventType-${t.type}`, {
      metadata: { name, namespace: this.namespace, labels: recommendedLabels({ name: 'event-type', instance: name, component: 'event-catalog' }) },
      spec: {
        reference: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: this.name, namespace: this.namespace },
        description: t.description,
        // Resolved at synth, when every producer is known: `source` is stated only when all producers share it.
        attributes: Lazy.any({
          produce: () => {
            const [only] = sources;
            return [
              { name: 'type', value: t.type, required: true },
              ...(sources.size === 1 && only !== undefined ? [{ name: 'source', value: only, required: true }] : []),
              ...(t.schema ? [{ name: 'dataschema', value: t.schema, required: false }] : []),
              { name: 'specversion', value: '1.0', required: true },
            ];
          },
        }),
      },
    });
    DeployHints.references(resource, this.objectRef);
    this.eventTypes.set(t.type, { resource, sources });
  }
}

class ImportedBroker extends BrokerBase {
  public constructor(scope: Construct, id: string, attrs: BrokerAttributes) {
    if (!(attrs?.brokerClass instanceof BrokerClass)) {
      invalid(scope, 'brokerClass', attrs?.brokerClass, 'is required: the class decides the broker\'s address and data plane', 'pass BrokerClass.RABBITMQ or BrokerClass.CHANNEL');
    }
    // The broker exists: only what Kubernetes and the data plane's labels require of its name.
    super(scope, id, { name: attrs.name, namespace: attrs.namespace, delivery: attrs.delivery }, attrs.brokerClass, {
      format: NameFormat.DNS1123_SUBDOMAIN, maxLength: 63, maxLengthReason: 'its data-plane pods carry it as a label value',
    });
  }

  public admit(peer: PodPeer, _options?: AdmitOptions): Admission {
    if (!this.brokerClassSpec._dataPlaneInBrokerNamespace) return Admission.notNeeded('the broker ingress runs in knative-eventing, outside the namespaces this library isolates');
    return Admission.notPossible(`broker ${this.namespace}/${this.name} is imported and its ingress NetworkPolicy is its owner's; ask them to admit ${peer.description} on port ${INGRESS_PORT}`);
  }
}

/** The queue type eventing-rabbitmq creates for the broker and its triggers. */
export enum QueueType {
  /** Replicated (Raft) queues: survive node loss; the production choice. */
  QUORUM = 'quorum',
  /** Single-node queues. */
  CLASSIC = 'classic',
}

export interface RabbitmqBrokerProps extends BrokerOptions {
  /** The RabbitMQ cluster holding the broker's exchanges and queues (a RabbitmqCluster, or one imported). */
  readonly cluster: IRabbitmqCluster;
  /** @default QueueType.QUORUM */
  readonly queueType?: QueueType;
  /** @default '/' */
  readonly vhost?: string;
}

const INGRESS_PORT = 8080;

/**
 * A Knative Broker backed by RabbitMQ (eventing-rabbitmq, class `RabbitMQBroker`): its ingress and per-trigger
 * dispatchers run in the broker's namespace. Filters by exact attributes only (RabbitMQ header bindings); the whole
 * Broker spec and a Trigger's filter are immutable, so a change replaces them.
 */
export class RabbitmqBroker extends Broker {
  public readonly cluster: IRabbitmqCluster;
  public readonly config: RabbitmqBrokerConfig;
  public readonly ingressPolicy: IngressPolicy;

  public constructor(scope: Construct, id: string, props: RabbitmqBrokerProps) {
    const name = props.name ?? id;
    const queueType = props.queueType ?? QueueType.QUORUM;
    const vhost = props.vhost ?? '/';
    // The config's name carries a hash of its content: eventing-rabbitmq refuses changes to a Broker's spec and
    // keeps the exchange and queues it made from the old config, so a new config must replace the Broker too.
    const configName = `${name}-config-${createHash('sha256')
      .update(JSON.stringify([props.cluster?.namespace, props.cluster?.name, queueType, vhost])).digest('hex').slice(0, 8)}`;
    super(scope, id, props, BrokerClass.RABBITMQ, { apiVersion: 'eventing.knative.dev/v1alpha1', kind: 'RabbitmqBrokerConfig', name: configName });
    if (!isRabbitmqCluster(props.cluster)) invalid(this, 'cluster', props.cluster, 'must be a RabbitMQ cluster', 'pass a RabbitmqCluster, or RabbitmqCluster.fromClusterAttributes(...) for one made elsewhere');
    this.cluster = props.cluster;
    if (this.cluster.tlsOnly) {
      invalid(this, 'cluster', `${this.cluster.namespace}/${this.cluster.name}`, 'accepts AMQP over TLS only, and eventing-rabbitmq connects on plain AMQP (5672)',
        'keep the plain listener (tls.disableNonTlsListeners false) for a cluster that backs brokers');
    }
    if (!Object.values(QueueType).includes(queueType)) invalid(this, 'queueType', queueType, `must be one of ${Object.values(QueueType).join(', ')}`);
    if (!/^[\x21-\x7e]{1,64}$/.test(vhost)) invalid(this, 'vhost', vhost, 'must be 1 to 64 printable characters');
    // eventing-rabbitmq declares the broker's exchanges and queues as topology objects in the broker's namespace.
    const clusterReference = { ...clusterReferenceFrom(this.cluster, this, 'namespace', this.namespace), namespace: this.cluster.namespace };
    this.config = new RabbitmqBrokerConfig(this, 'Config', {
      metadata: { name: configName, namespace: this.namespace, labels: recommendedLabels({ name: 'broker', instance: this.name, component: 'event-broker' }) },
      spec: {
        rabbitmqClusterReference: clusterReference,
        queueType: queueType === QueueType.QUORUM ? RabbitmqBrokerConfigSpecQueueType.QUORUM : RabbitmqBrokerConfigSpecQueueType.CLASSIC,
        vhost,
      },
    });
    // The data plane speaks AMQP to the cluster, which must exist before the config that names it.
    Wiring.connect({
      kind: EdgeKind.BINDS, from: this, to: this.cluster, detail: `AMQP (${this.cluster.amqpUrl})`,
      admit: [{ into: this.cluster, peer: this.dataPlane, options: { ports: AMQP_PORTS } }],
      order: [{ waiter: this.config, waitsFor: this.cluster.objectRef }],
    });

    this.ingressPolicy = new IngressPolicy(this, 'IngressPolicy', {
      name: `${this.name}-broker-ingress`,
      namespace: this.namespace,
      podSelector: { 'eventing.knative.dev/broker': this.name, 'eventing.knative.dev/brokerRole': 'ingress' },
      labels: recommendedLabels({ name: 'broker', instance: this.name, component: 'event-broker' }),
      servingPorts: [INGRESS_PORT],
    });
    // Dispatchers post subscribers' replies back to the ingress.
    this.ingressPolicy.admit(this.dataPlane);
  }

  /** Lets pods post events to the broker's ingress. */
  public admit(peer: PodPeer, options?: AdmitOptions): Admission {
    return this.ingressPolicy.admit(peer, options);
  }
}

/**
 * Knative Eventing's channel-based broker (class `MTChannelBasedBroker`), whose shared data plane runs in
 * `knative-eventing`. Supports the full filters dialect (prefix, suffix, any, not, CESQL). Its durability is the
 * default channel's: InMemoryChannel unless the cluster configures another.
 */
export class ChannelBroker extends Broker {
  public constructor(scope: Construct, id: string, props: BrokerOptions = {}) {
    super(scope, id, props, BrokerClass.CHANNEL);
  }

  public admit(_peer: PodPeer, _options?: AdmitOptions): Admission {
    return Admission.notNeeded('the broker ingress runs in knative-eventing, outside the namespaces this library isolates');
  }
}

/** Whether something is a broker (ours or imported), by its shape. */
export function isBroker(x: unknown): x is IBroker {
  return typeof x === 'object' && x !== null && typeof (x as IBroker).subscribe === 'function' && typeof (x as IBroker).addPublisher === 'function';
}
