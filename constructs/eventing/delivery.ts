/**
 * Knative `delivery` blocks of brokers and subscriptions, and the dead-letter edge they imply: the broker's data
 * plane delivers undeliverable events to the dead-letter sink, so the sink must let it in (one wiring call).
 */
import { ApiObject, Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { IEventSink, PodPeer } from '../core/contracts';
import { BackoffPolicy, DeliveryOptions } from '../core/delivery';
import { EventFilter } from '../core/event-filter';
import { isoPeriod, requireTenths, showDuration } from '../core/durations';
import { invalid } from '../core/errors';
import { requireInteger } from '../core/validate';
import { EdgeKind, Wiring, connectionKey } from '../core/wiring';

export { BackoffPolicy };
export type { DeliveryOptions };

/**
 * Checks delivery options and renders the Knative `delivery` block. Knative Eventing and eventing-rabbitmq read
 * `backoffDelay` and `timeout` as ISO-8601 periods with one decimal of seconds (requireTenths); Knative refuses a
 * negative retry count and a zero timeout (knative/eventing v1.22 pkg/apis/duck/v1/delivery_types.go).
 */
export function renderDelivery(scope: IConstruct, field: string, options: DeliveryOptions, fromNamespace: string, allowTimeout: boolean): any {
  const retry = requireInteger(scope, `${field}.retry`, options.retry ?? 3, { min: 0, max: 100 });
  const delay = requireTenths(scope, `${field}.backoffDelay`, options.backoffDelay ?? Duration.millis(500), { min: 100 });
  let timeout: number | undefined;
  if (options.timeout !== undefined) {
    if (!allowTimeout) invalid(scope, `${field}.timeout`, showDuration(options.timeout), 'is set per subscription, not on the broker');
    timeout = requireTenths(scope, `${field}.timeout`, options.timeout, { min: 1000 });
  }
  return {
    retry,
    backoffPolicy: options.backoffPolicy ?? BackoffPolicy.EXPONENTIAL,
    backoffDelay: isoPeriod(delay),
    ...(options.deadLetterSink ? { deadLetterSink: options.deadLetterSink.destinationFrom(fromNamespace) } : {}),
    ...(timeout !== undefined ? { timeout: isoPeriod(timeout) } : {}),
  };
}

/**
 * The dead-letter edge: `broker`'s data plane may deliver to `sink`, and `waiter` (the Broker or Trigger naming the
 * sink) is created after it. For a subscription's own dead letters, `filters` are the subscription's: only events
 * that pass them can fail there (the loop check reads them). Idempotent per broker, sink and waiter.
 */
export function connectDeadLetters(broker: IConstruct, dataPlane: PodPeer, sink: IEventSink, waiter: ApiObject, detail: string, filters?: EventFilter[]): void {
  Wiring.connect({
    kind: EdgeKind.DELIVERS_EVENTS,
    from: broker,
    to: sink,
    detail,
    key: connectionKey('dead-letters', broker, sink, waiter),
    admit: [{ into: sink, peer: dataPlane }],
    order: [{ waiter, waitsFor: sink.objectRef }],
    ...(filters ? { events: { via: 'dead letters', realizedBy: waiter, deadLettersOf: [...filters] } } : {}),
  });
}
