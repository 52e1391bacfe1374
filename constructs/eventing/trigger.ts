import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { DeployHints } from '../core/deploy-hints';
import { invalid } from '../core/errors';
import { IEventSink } from '../core/events';
import { EdgeKind, PlatformGraph } from '../core/graph';
import { recommendedLabels } from '../core/labels';
import { requireInteger, requireName } from '../core/validate';
import { Trigger as TriggerL1 } from '../imports/eventing.knative.dev';
import type { Broker } from './broker';
import { EventCatalog, EventConsumer, describe } from './catalog';
import { DeliveryOptions, renderDelivery } from './delivery';
import { EventFilter } from './filter';

export interface TriggerOptions {
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

export interface TriggerProps extends TriggerOptions {
  readonly broker: Broker;
  readonly subscriber: IEventSink;
}

/**
 * A Knative Trigger: the broker delivers the events its filters select to a subscriber. Created by
 * `broker.subscribe()`. At synth, a filter on an event type that nothing produces into the broker is an error
 * (unless the type is `CloudEventType.external`).
 */
export class Trigger extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  /** The Trigger (a plain ApiObject rendered through the generated class; see the delivery timeout). */
  public readonly resource: ApiObject;
  public readonly consumer: EventConsumer;

  public constructor(scope: Construct, id: string, props: TriggerProps) {
    super(scope, id);
    const broker = props.broker;
    this.namespace = broker.namespace;
    this.name = requireName(this, 'name', props.name, 'dns1123-label');
    if (this.name.length > 52) invalid(this, 'name', this.name, 'must be at most 52 characters', 'the dispatcher Deployment\'s name derives from it');
    const filters = props.filters ?? [];
    filters.forEach((f, i) => {
      if (!(f instanceof EventFilter)) invalid(this, `filters[${i}]`, f, 'must be an EventFilter', 'e.g. EventFilter.type(CloudEventType.of("dev.example.thing"))');
    });
    const parallelism = props.parallelism !== undefined ? requireInteger(this, 'parallelism', props.parallelism, { min: 1, max: 1000 }) : undefined;
    const rendering = broker._renderFilters(this, filters);
    // A Trigger's delivery replaces the Broker's whole (eventing-rabbitmq reads one or the other), so the
    // subscription's settings are merged over the broker's before rendering.
    const own = props.delivery ? Object.fromEntries(Object.entries(props.delivery).filter(([, v]) => v !== undefined)) : undefined;
    const delivery = own ? renderDelivery(this, 'delivery', { ...broker.delivery, ...own }, this.namespace, broker.dataPlane, true) : undefined;
    const manifest = TriggerL1.manifest({
      metadata: {
        name: this.name,
        namespace: this.namespace,
        labels: recommendedLabels({ name: 'trigger', instance: this.name, component: 'event-subscription' }),
        annotations: broker._triggerAnnotations(this, parallelism),
      },
      spec: {
        broker: broker.name,
        subscriber: props.subscriber.destinationFrom(this.namespace),
        filter: rendering.filter,
        filters: rendering.filters,
        delivery,
      },
    });
    if (delivery?.timeout !== undefined) {
      // The Trigger CRD leaves `delivery` open and does not list `timeout` (Knative's delivery-timeout feature), so
      // the generated class has no field for it and would drop it: the typed manifest gets it added here.
      manifest.spec.delivery.timeout = delivery.timeout;
    }
    this.resource = new ApiObject(this, 'Resource', manifest);
    DeployHints.awaitCondition(this.resource, 'Ready');
    DeployHints.replaceOnChanges(this.resource, broker._immutableTriggerFields());
    props.subscriber.admitEventsFrom(broker.dataPlane);

    this.consumer = { subscription: this, broker, subscriber: props.subscriber, filters };
    const catalog = EventCatalog.of(this);
    catalog.addConsumer(this.consumer);
    this.node.addValidation({
      validate: () => catalog.unproducedTypes(this.consumer).map((t) =>
        `trigger ${this.namespace}/${this.name} subscribes ${describe(props.subscriber)} to event type "${t.type}", which nothing produces into ` +
        `broker ${broker.namespace}/${broker.name}; add its producer (broker.addPublisher(fn, { emits }), a source with the broker as sink) ` +
        'or declare the type CloudEventType.external(...) if it comes from outside the platform'),
    });
    PlatformGraph.of(this).addEdge({
      from: broker, to: props.subscriber, kind: EdgeKind.DELIVERS_EVENTS,
      detail: filters.length ? filters.map((f) => f.toString()).join(' & ') : 'all events',
    });
  }
}
