import { createHash } from 'crypto';
import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { clusterDomain, resolveNamespace } from '../core/context';
import { DeployHints } from '../core/deploy-hints';
import { EventDestination, IEventSink } from '../core/events';
import { invalid } from '../core/errors';
import { toObjectName } from '../core/k8s-rules';
import { recommendedLabels } from '../core/labels';
import { IngressPolicy, PodPeer } from '../core/network';
import { requireEnvName, requireName } from '../core/validate';
import { IWorkload } from '../core/workload';
import * as kplus from 'cdk8s-plus-27';
import { Broker as BrokerL1, EventType as EventTypeL1, RabbitmqBrokerConfig, RabbitmqBrokerConfigSpecQueueType } from '../imports/eventing.knative.dev';
import { RabbitmqCluster } from '../rabbitmq/cluster';
import { EventProducer, IEventTypeRegistry } from './catalog';
import { DeliveryOptions, renderDelivery } from './delivery';
import { CloudEventType } from './event-type';
import { EventFilter } from './filter';
import { SinkBinding } from './sink-binding';
import { Trigger, TriggerOptions } from './trigger';

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

export interface PublishOptions {
  /** The CloudEvent types the workload publishes (event catalog, Knative EventTypes, the subscriptions' check). */
  readonly emits: CloudEventType[];
  /**
   * Also give the broker's address in this variable, for programs that do not read `K_SINK` (e.g. the CloudEvents
   * Player reads `BROKER_URI`). `K_SINK` itself follows the broker through the SinkBinding.
   * @default - K_SINK only
   */
  readonly envName?: string;
}

/** What a broker class fixes: its class annotation, its config object, and where its data plane runs. */
export interface BrokerClassSpec {
  readonly brokerClass: string;
  readonly config?: { readonly apiVersion: string; readonly kind: string; readonly name: string };
  /** Pods that deliver the broker's events; in the broker's namespace unless `namespace` is given. */
  readonly dataPlane: { readonly namespace?: string; readonly podSelector: { [key: string]: string }; readonly description: string };
}

/** What the Trigger of a broker class needs to know from its broker. */
export interface TriggerFilterRendering {
  readonly filter?: { readonly attributes: { [attribute: string]: string } };
  readonly filters?: any[];
}

/**
 * A Knative Broker: the event mesh functions publish to and subscribe from. Subclasses fix the broker class
 * (RabbitMQ, channel-based). Wiring: `broker.addPublisher(fn, { emits })`, `broker.subscribe(fn, { filters })`,
 * and sources take the broker as their sink.
 */
export abstract class Broker extends Construct implements IEventSink, IEventTypeRegistry {
  public readonly name: string;
  public readonly namespace: string;
  public readonly resource: BrokerL1;
  private readonly eventTypes = new Map<string, { resource: EventTypeL1; sources: Set<string | undefined> }>();
  private readonly triggerNames = new Set<string>();

  /** The pods that deliver this broker's events (subscribers and dead-letter sinks must admit them). */
  public readonly dataPlane: PodPeer;
  /** The broker's delivery settings; a subscription's own settings refine them field by field. */
  public readonly delivery: DeliveryOptions;

  protected constructor(scope: Construct, id: string, props: BrokerOptions, spec: BrokerClassSpec) {
    super(scope, id);
    const { brokerClass, config } = spec;
    this.name = requireName(this, 'name', props.name ?? id, 'dns1035-label');
    if (this.name.length > 40) invalid(this, 'name', this.name, 'must be at most 40 characters', 'names of the broker\'s data-plane objects derive from it');
    this.namespace = resolveNamespace(this, props.namespace);
    this.dataPlane = { namespace: spec.dataPlane.namespace ?? this.namespace, podSelector: spec.dataPlane.podSelector, description: spec.dataPlane.description };
    this.delivery = { ...props.delivery };
    this.resource = new BrokerL1(this, 'Resource', {
      metadata: {
        name: this.name,
        namespace: this.namespace,
        labels: recommendedLabels({ name: 'broker', instance: this.name, component: 'event-broker' }),
        annotations: { 'eventing.knative.dev/broker.class': brokerClass },
      },
      spec: {
        config: config ? { ...config, namespace: this.namespace } : undefined,
        delivery: renderDelivery(this, 'delivery', this.delivery, this.namespace, this.dataPlane, false),
      },
    });
    DeployHints.awaitCondition(this.resource, 'Ready');
  }

  /** The in-cluster URL publishers post CloudEvents to. */
  public abstract get address(): string;

  public destinationFrom(fromNamespace: string): EventDestination {
    return fromNamespace === this.namespace
      ? { ref: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: this.name } }
      : { uri: this.address };
  }

  public abstract admitEventsFrom(peer: PodPeer): void;

  /** Subscribes a sink (a function, another broker) to the events the filters select. */
  public subscribe(subscriber: IEventSink, options: TriggerOptions = {}): Trigger {
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
   * the catalog records the types it emits.
   */
  public addPublisher(publisher: IWorkload, options: PublishOptions): SinkBinding {
    if (!options || !Array.isArray(options.emits)) invalid(this, 'addPublisher.emits', options?.emits, 'must list the CloudEvent types the publisher emits');
    if (options.envName !== undefined) {
      requireEnvName(this, 'addPublisher.envName', options.envName);
      publisher.addEnv(options.envName, kplus.EnvValue.fromValue(this.address));
    }
    return new SinkBinding(this, `Publisher-${publisher.namespace}-${publisher.name}`, { subject: publisher, sink: this, emits: options.emits });
  }

  /**
   * Renders a subscription's filters for this broker class.
   * @internal
   */
  public abstract _renderFilters(trigger: Construct, filters: EventFilter[]): TriggerFilterRendering;

  /**
   * Trigger annotations for this broker class (e.g. RabbitMQ parallelism).
   * @internal
   */
  public abstract _triggerAnnotations(trigger: Construct, parallelism: number | undefined): { [key: string]: string } | undefined;

  /**
   * Fields of a Trigger on this broker class that cannot change in place.
   * @internal
   */
  public _immutableTriggerFields(): string[] {
    return ['spec.broker'];
  }

  /** @internal */
  public _declareEventType(producer: EventProducer): void {
    const t = producer.type;
    const declared = this.eventTypes.get(t.type);
    if (declared) {
      declared.sources.add(producer.source);
      return;
    }
    const sources = new Set<string | undefined>([producer.source]);
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
    this.eventTypes.set(t.type, { resource, sources });
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
  /** The RabbitMQ cluster holding the broker's exchanges and queues. */
  readonly cluster: RabbitmqCluster;
  /** @default QueueType.QUORUM */
  readonly queueType?: QueueType;
  /** @default '/' */
  readonly vhost?: string;
}

/**
 * A Knative Broker backed by RabbitMQ (eventing-rabbitmq, class `RabbitMQBroker`): its ingress and per-trigger
 * dispatchers run in the broker's namespace. Filters by exact attributes only (RabbitMQ header bindings); the whole
 * Broker spec and a Trigger's filter are immutable, so a change replaces them.
 */
export class RabbitmqBroker extends Broker {
  public readonly cluster: RabbitmqCluster;
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
    super(scope, id, props, {
      brokerClass: 'RabbitMQBroker',
      config: { apiVersion: 'eventing.knative.dev/v1alpha1', kind: 'RabbitmqBrokerConfig', name: configName },
      // eventing-rabbitmq runs the broker's ingress and dispatchers in its namespace, labelled with its name.
      dataPlane: { podSelector: { 'eventing.knative.dev/broker': name }, description: `broker ${name} data plane` },
    });
    if (!(props.cluster instanceof RabbitmqCluster)) invalid(this, 'cluster', props.cluster, 'must be a RabbitmqCluster');
    this.cluster = props.cluster;
    if (this.cluster.tlsOnly) {
      invalid(this, 'cluster', `${this.cluster.namespace}/${this.cluster.name}`, 'accepts AMQP over TLS only, and eventing-rabbitmq connects on plain AMQP (5672)',
        'keep the plain listener (tls.disableNonTlsListeners false) for a cluster that backs brokers');
    }
    if (!Object.values(QueueType).includes(queueType)) invalid(this, 'queueType', queueType, `must be one of ${Object.values(QueueType).join(', ')}`);
    if (!/^[\x21-\x7e]{1,64}$/.test(vhost)) invalid(this, 'vhost', vhost, 'must be 1 to 64 printable characters');
    // eventing-rabbitmq declares the broker's exchanges and queues as topology objects in the broker's namespace.
    const clusterReference = { ...this.cluster.referenceFrom(this, 'namespace', this.namespace), namespace: this.cluster.namespace };
    // eventing-rabbitmq rejects any change of a Broker's spec: a change must replace the Broker.
    DeployHints.replaceOnChanges(this.resource, ['spec']);
    this.config = new RabbitmqBrokerConfig(this, 'Config', {
      metadata: { name: configName, namespace: this.namespace, labels: recommendedLabels({ name: 'broker', instance: this.name, component: 'event-broker' }) },
      spec: {
        rabbitmqClusterReference: clusterReference,
        queueType: queueType === QueueType.QUORUM ? RabbitmqBrokerConfigSpecQueueType.QUORUM : RabbitmqBrokerConfigSpecQueueType.CLASSIC,
        vhost,
      },
    });
    DeployHints.replaceOnChanges(this.config, ['spec']);
    this.cluster.allowClients(this.dataPlane);

    this.ingressPolicy = new IngressPolicy(this, 'IngressPolicy', {
      name: `${this.name}-broker-ingress`,
      namespace: this.namespace,
      podSelector: { 'eventing.knative.dev/broker': this.name, 'eventing.knative.dev/brokerRole': 'ingress' },
      labels: recommendedLabels({ name: 'broker', instance: this.name, component: 'event-broker' }),
    });
    // Dispatchers post subscribers' replies back to the ingress.
    this.ingressPolicy.allowFromPods(this.dataPlane, [INGRESS_PORT]);
  }

  public get address(): string {
    return `http://${this.name}-broker-ingress.${this.namespace}.svc.${clusterDomain(this)}`;
  }

  public admitEventsFrom(peer: PodPeer): void {
    this.ingressPolicy.allowFromPods(peer, [INGRESS_PORT]);
  }

  /** @internal */
  public _renderFilters(trigger: Construct, filters: EventFilter[]): TriggerFilterRendering {
    if (filters.length === 0) return {};
    const attributes: { [k: string]: string } = {};
    for (const [i, f] of filters.entries()) {
      f._render(trigger, `filters[${i}]`);
      const exact = f._exactAttributes();
      if (!exact) {
        invalid(trigger, `filters[${i}]`, f.toString(), 'is not an exact attribute match, the only filtering a RabbitMQ broker does (RabbitMQ header bindings)',
          'filter by exact attributes (EventFilter.type / EventFilter.exact), or use a ChannelBroker for prefix, suffix, any, not and CESQL');
      }
      for (const [k, v] of Object.entries(exact)) {
        if (attributes[k] !== undefined && attributes[k] !== v) {
          invalid(trigger, `filters[${i}]`, f.toString(), `requires ${k}=${v} while another filter requires ${k}=${attributes[k]}: no event can match`);
        }
        attributes[k] = v;
      }
    }
    return { filter: { attributes } };
  }

  /** @internal */
  public _triggerAnnotations(_trigger: Construct, parallelism: number | undefined): { [key: string]: string } | undefined {
    return parallelism === undefined ? undefined : { 'rabbitmq.eventing.knative.dev/parallelism': String(parallelism) };
  }

  /** @internal */
  public _immutableTriggerFields(): string[] {
    return ['spec.broker', 'spec.filter'];
  }
}

const INGRESS_PORT = 8080;

/**
 * Knative Eventing's channel-based broker (class `MTChannelBasedBroker`), whose shared data plane runs in
 * `knative-eventing`. Supports the full filters dialect (prefix, suffix, any, not, CESQL). Its durability is the
 * default channel's: InMemoryChannel unless the cluster configures another.
 */
export class ChannelBroker extends Broker {
  public constructor(scope: Construct, id: string, props: BrokerOptions = {}) {
    super(scope, id, props, {
      brokerClass: 'MTChannelBasedBroker',
      // The shared broker filter pods in knative-eventing deliver the events.
      dataPlane: { namespace: 'knative-eventing', podSelector: { 'eventing.knative.dev/brokerRole': 'filter' }, description: 'knative-eventing broker filter' },
    });
  }

  public get address(): string {
    return `http://broker-ingress.knative-eventing.svc.${clusterDomain(this)}/${this.namespace}/${this.name}`;
  }

  public admitEventsFrom(_peer: PodPeer): void {
    // The ingress runs in knative-eventing, outside the namespaces this library isolates.
  }

  /** @internal */
  public _renderFilters(trigger: Construct, filters: EventFilter[]): TriggerFilterRendering {
    if (filters.length === 0) return {};
    return { filters: filters.flatMap((f, i) => f._render(trigger, `filters[${i}]`)) };
  }

  /** @internal */
  public _triggerAnnotations(trigger: Construct, parallelism: number | undefined): { [key: string]: string } | undefined {
    if (parallelism !== undefined) invalid(trigger, 'parallelism', parallelism, 'is a RabbitMQ broker setting', 'remove it, or subscribe through a RabbitmqBroker');
    return undefined;
  }
}
