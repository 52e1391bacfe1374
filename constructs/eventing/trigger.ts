import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { IBroker, IEventSink, IEventSubscription, SubscriptionOptions } from '../core/contracts';
import { DeployHints } from '../core/deploy-hints';
import { EventFilter } from '../core/event-filter';
import { invalid } from '../core/errors';
import { recommendedLabels } from '../core/labels';
import { requireInteger, requireName } from '../core/validate';
import { EdgeKind, Wiring } from '../core/wiring';
import { Trigger as TriggerL1 } from '../imports/eventing.knative.dev';
import { BrokerClass } from './broker-class';
import { EventCatalog, EventConsumer, describe } from './catalog';
import { connectDeadLetters, renderDelivery } from './delivery';

/** A subscription's options (see SubscriptionOptions). */
// An interface of its own (not a type alias) keeps the name for jsii languages.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface TriggerOptions extends SubscriptionOptions {}

export interface TriggerProps extends TriggerOptions {
  /** The broker (of this app, or imported with Broker.fromBrokerAttributes). */
  readonly broker: IBroker;
  readonly subscriber: IEventSink;
}

/**
 * A Knative Trigger: the broker delivers the events its filters select to a subscriber. Created by
 * `broker.subscribe()`. At synth, a filter on an event type that nothing produces into the broker is an error
 * (unless the type is `CloudEventType.external`).
 */
export class Trigger extends Construct implements IEventSubscription {
  public readonly name: string;
  public readonly namespace: string;
  public readonly subscriber: IEventSink;
  public readonly filters: EventFilter[];
  /** The Trigger (a plain ApiObject rendered through the generated class; see the delivery timeout). */
  public readonly resource: ApiObject;
  /** This subscription as the event catalog lists it. */
  public readonly consumer: EventConsumer;

  public constructor(scope: Construct, id: string, props: TriggerProps) {
    super(scope, id);
    const broker = props.broker;
    this.namespace = broker.namespace;
    this.subscriber = props.subscriber;
    this.name = requireName(this, 'name', props.name, 'dns1123-label');
    if (this.name.length > 52) invalid(this, 'name', this.name, 'must be at most 52 characters', 'the dispatcher Deployment\'s name derives from it');
    const filters = props.filters ?? [];
    filters.forEach((f, i) => {
      if (!EventFilter.isEventFilter(f)) invalid(this, `filters[${i}]`, f, 'must be an EventFilter', 'e.g. EventFilter.type(CloudEventType.of("dev.example.thing"))');
    });
    this.filters = [...filters];
    // Classes this library does not know filter like Knative's own brokers (the full dialect).
    const brokerClass = BrokerClass.named(broker.brokerClass) ?? BrokerClass.CHANNEL;
    const parallelism = props.parallelism !== undefined ? requireInteger(this, 'parallelism', props.parallelism, { min: 1, max: 1000 }) : undefined;
    const rendering = brokerClass._renderFilters(this, filters);
    // A Trigger's delivery replaces the Broker's whole (eventing-rabbitmq reads one or the other), so the
    // subscription's settings are merged over the broker's before rendering.
    const own = props.delivery ? Object.fromEntries(Object.entries(props.delivery).filter(([, v]) => v !== undefined)) : undefined;
    const merged = own ? { ...broker.delivery, ...own } : undefined;
    const delivery = merged ? renderDelivery(this, 'delivery', merged, this.namespace, true) : undefined;
    const manifest = TriggerL1.manifest({
      metadata: {
        name: this.name,
        namespace: this.namespace,
        labels: recommendedLabels({ name: 'trigger', instance: this.name, component: 'event-subscription' }),
        annotations: brokerClass._triggerAnnotations(this, parallelism),
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
    DeployHints.replaceOnChanges(this.resource, brokerClass._immutableTriggerFields());
    // The broker class's controller reconciles the Trigger (eventing-rabbitmq runs a dispatcher per Trigger).
    if (BrokerClass.named(broker.brokerClass)) DeployHints.requiresInstall(this.resource, brokerClass._install);
    for (const implied of brokerClass._impliedByTrigger(this.name)) DeployHints.implies(this.resource, { ...implied, namespace: this.namespace }, broker.brokerClass);

    const filterText = filters.length ? filters.map((f) => f.toString()).join(' & ') : 'all events';
    // The broker's data plane delivers to the subscriber; the Trigger is created once both exist.
    Wiring.connect({
      kind: EdgeKind.DELIVERS_EVENTS,
      from: broker,
      to: props.subscriber,
      detail: filterText,
      key: `subscription|${this.node.path}`,
      scope: this,
      admit: [{ into: props.subscriber, peer: broker.dataPlane }],
      order: [{ waiter: this.resource, waitsFor: broker.objectRef }, { waiter: this.resource, waitsFor: props.subscriber.objectRef }],
      events: { via: 'Trigger', realizedBy: this, filters: this.filters },
    });
    if (merged?.deadLetterSink) {
      connectDeadLetters(broker, broker.dataPlane, merged.deadLetterSink, this.resource, `dead letters of ${this.name} (after ${merged.retry ?? 3} retries)`);
    }

    this.consumer = { subscription: this, broker, subscriber: props.subscriber, filters: this.filters };
    const catalog = EventCatalog.of(this);
    this.node.addValidation({
      validate: () => catalog.unproducedTypes(this.consumer).map((t) =>
        `trigger ${this.namespace}/${this.name} subscribes ${describe(props.subscriber)} to event type "${t.type}", which nothing produces into ` +
        `broker ${broker.namespace}/${broker.name}; add its producer (broker.addPublisher(fn, { emits }), a source with the broker as sink) ` +
        'or declare the type CloudEventType.external(...) if it comes from outside the platform'),
    });
  }
}
