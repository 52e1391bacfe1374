import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { IBroker, IEventSink, IEventSubscription, SubscriptionOptions } from '../core/contracts';
import { DeployHints } from '../core/deploy-hints';
import { EventFilter } from '../core/event-filter';
import { invalid, pendingScope } from '../core/errors';
import { BROKER_CLASS_ANNOTATION } from '../core/immutable-fields';
import { recommendedLabels } from '../core/labels';
import { requireInteger, requireName } from '../core/validate';
import { EdgeKind, Wiring } from '../core/wiring';
import { BrokerClass } from './broker-class';
import { EventCatalog, EventConsumer, describe } from './catalog';
import { isBrokerLike, loopBack, loopReason, sameSink, subscriptionNeeds } from './loops';
import { connectDeadLetters, renderDelivery } from './delivery';
import { checkReplies, connectReplies } from './replies';

/** A subscription's options (see SubscriptionOptions). */
// An interface of its own (not a type alias) keeps the name for jsii languages.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface TriggerOptions extends SubscriptionOptions {}

export interface TriggerProps extends TriggerOptions {
  /** The broker (of this app, or imported with Broker.fromBrokerAttributes). */
  readonly broker: IBroker;
  readonly subscriber: IEventSink;
}

/** What a Trigger's props make: its manifest, checked, and what the wiring needs. */
function renderTrigger(s: IConstruct, props: TriggerProps) {
  const broker = props.broker;
  const namespace = broker.namespace;
  const name = requireName(s, 'name', props.name, 'dns1123-label');
  if (name.length > 52) invalid(s, 'name', name, 'must be at most 52 characters', 'the dispatcher Deployment\'s name derives from it');
  const filters = props.filters ?? [];
  filters.forEach((f, i) => {
    if (!EventFilter.isEventFilter(f)) invalid(s, `filters[${i}]`, f, 'must be an EventFilter', 'e.g. EventFilter.type(CloudEventType.of("dev.example.thing"))');
  });
  // Classes this library does not know filter like Knative's own brokers (the full dialect).
  const brokerClass = BrokerClass.named(broker.brokerClass) ?? BrokerClass.CHANNEL;
  const parallelism = props.parallelism !== undefined ? requireInteger(s, 'parallelism', props.parallelism, { min: 1, max: 1000 }) : undefined;
  const rendering = brokerClass._renderFilters(s, filters);
  // A Trigger's delivery replaces the Broker's whole (eventing-rabbitmq reads one or the other), so the
  // subscription's settings are merged over the broker's before rendering.
  const own = props.delivery ? Object.fromEntries(Object.entries(props.delivery).filter(([, v]) => v !== undefined)) : undefined;
  const merged = own ? { ...broker.delivery, ...own } : undefined;
  const delivery = merged ? renderDelivery(s, 'delivery', merged, namespace, true) : undefined;
  checkLoops(s, props, filters, own?.deadLetterSink as IEventSink | undefined, merged?.deadLetterSink);
  // Plain JSON (no generated-class conversion): the Trigger CRD leaves `delivery` open, so Knative's delivery-timeout
  // field would not survive the generated class anyway; the schema tests validate the shape.
  const manifest: any = {
    apiVersion: 'eventing.knative.dev/v1',
    kind: 'Trigger',
    metadata: {
      name,
      namespace,
      labels: recommendedLabels({ name: 'trigger', instance: name, component: 'event-subscription' }),
      annotations: brokerClass._triggerAnnotations(s, parallelism),
    },
    spec: {
      broker: broker.name,
      subscriber: props.subscriber.destinationFrom(namespace),
      filter: rendering.filter,
      filters: rendering.filters,
      delivery,
    },
  };
  return { manifest, name, namespace, filters: [...filters], brokerClass, merged };
}

/** Refuses wiring that sends events round forever (constructs/eventing/loops.ts), and dead letters that cannot land. */
function checkLoops(s: IConstruct, props: TriggerProps, filters: EventFilter[], ownDeadLetters: IEventSink | undefined, deadLetters: IEventSink | undefined): void {
  const { broker, subscriber } = props;
  if (sameSink(subscriber, broker)) {
    invalid(s, 'subscriber', describe(broker), 'is the broker itself: every event it delivers would come back into it and be delivered again, forever',
      'subscribe the functions that handle the events; to fan events out, subscribe another broker');
  }
  if (deadLetters && sameSink(deadLetters, broker)) {
    invalid(s, 'delivery.deadLetterSink', describe(broker), 'is the broker itself: an event the subscriber refuses would be delivered to every subscription again, and dead-lettered again, forever',
      'send dead letters to a function or another broker that keeps them');
  }
  if (ownDeadLetters && sameSink(ownDeadLetters, subscriber)) {
    invalid(s, 'delivery.deadLetterSink', describe(subscriber), 'is the subscriber itself: events it failed to take would go back to it once more, and then be lost',
      'send dead letters to a function or broker that keeps them for inspection');
  }
  // A subscriber that answers every event (its reply goes back into the broker) must not receive its own answers.
  checkReplies(s, broker, subscriber, filters);
  // A cycle through other brokers, proven when some event passes every hop (exact filters agree, or none).
  const needs = subscriptionNeeds(filters);
  const loop = needs && isBrokerLike(subscriber) ? loopBack(broker, subscriber, broker, needs) : undefined;
  if (loop) {
    const what = Object.keys(needs!).length ? `every event with ${Object.entries(needs!).map(([k, v]) => `${k}=${v}`).join(', ')}` : 'every event';
    invalid(s, 'subscriber', describe(subscriber), `closes a loop ${describe(broker)} → ${loop.text}: ${what} would go round it forever, as ` +
      `${loopReason([broker, ...loop.brokers], true)}`, 'filter one of the subscriptions so that no event passes them all, or remove one');
  }
  // This subscription's dead letters are the events its filters select that the subscriber refused.
  const back = deadLetters && needs && isBrokerLike(deadLetters) ? loopBack(broker, deadLetters, broker, needs) : undefined;
  if (back) {
    invalid(s, 'delivery.deadLetterSink', describe(deadLetters!), `closes a loop ${describe(broker)} → (dead letters) ${back.text}: an event the subscriber refuses would ` +
      `come back to it, fail again and go round again, as ${loopReason([broker, ...back.brokers], back.throughSubscription)}`,
    'send dead letters to a sink that does not forward them back to this broker');
  }
}

/**
 * A Knative Trigger: the broker delivers the events its filters select to a subscriber. Created by
 * `broker.subscribe()`. At synth, a filter on an event type that nothing produces into the broker is an error
 * (unless the type is `CloudEventType.external`). The construct is the Trigger object itself (one construct per
 * subscription: platforms have thousands).
 */
export class Trigger extends ApiObject implements IEventSubscription {
  public readonly name: string;
  public readonly namespace: string;
  public readonly subscriber: IEventSink;
  public readonly filters: EventFilter[];
  /** This subscription as the event catalog lists it. */
  public readonly consumer: EventConsumer;

  public constructor(scope: Construct, id: string, props: TriggerProps) {
    const { manifest, name, namespace, filters, brokerClass, merged } = renderTrigger(pendingScope(scope, id), props);
    super(scope, id, manifest);
    const broker = props.broker;
    this.name = name;
    this.namespace = namespace;
    this.subscriber = props.subscriber;
    this.filters = filters;
    DeployHints.awaitCondition(this.resource, 'Ready');
    // Which fields cannot change depends on the broker's class (core/immutable-fields.ts): say it, for a broker made elsewhere.
    DeployHints.knowsObject(this.resource, {
      apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', metadata: { name: broker.name, namespace: this.namespace, annotations: { [BROKER_CLASS_ANNOTATION]: broker.brokerClass } },
    });
    // The broker class's controller reconciles the Trigger (eventing-rabbitmq runs a dispatcher per Trigger).
    if (BrokerClass.named(broker.brokerClass)) DeployHints.requiresInstall(this.resource, brokerClass._install);
    for (const implied of brokerClass._impliedByTrigger(this.name, manifest.spec.delivery?.deadLetterSink !== undefined)) DeployHints.implies(this.resource, { ...implied, namespace: this.namespace }, brokerClass._install.title);

    const filterText = filters.length ? filters.map((f) => f.toString()).join(' & ') : 'all events';
    // The broker's data plane delivers to the subscriber; the Trigger is created once both exist.
    Wiring.connect({
      kind: EdgeKind.DELIVERS_EVENTS,
      from: broker,
      to: props.subscriber,
      detail: filterText,
      once: true,
      scope: this,
      admit: [{ into: props.subscriber, peer: broker.dataPlane }],
      order: [{ waiter: this.resource, waitsFor: broker.objectRef }, { waiter: this.resource, waitsFor: props.subscriber.objectRef }],
      events: { via: 'Trigger', realizedBy: this, filters: this.filters },
    });
    if (merged?.deadLetterSink) {
      connectDeadLetters(broker, broker.dataPlane, merged.deadLetterSink, this.resource, `dead letters of ${this.name} (after ${merged.retry ?? 3} retries)`, this.filters);
    }
    // The subscriber's replies come back into the broker (constructs/eventing/replies.ts).
    connectReplies(this, broker, props.subscriber);

    this.consumer = { subscription: this, broker, subscriber: props.subscriber, filters: this.filters };
    // At synth, the catalog checks every subscription's types against what is produced into its broker.
    EventCatalog.of(this)._checkAtSynth();
  }

  /** The Trigger object (the construct itself; kept for code written against earlier versions). */
  public get resource(): ApiObject {
    return this;
  }
}
