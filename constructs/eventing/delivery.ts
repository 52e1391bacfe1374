import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { IEventSink } from '../core/events';
import { invalid } from '../core/errors';
import { PodPeer } from '../core/network';
import { isoDuration, requireInteger, showDuration } from '../core/validate';

export enum BackoffPolicy {
  LINEAR = 'linear',
  EXPONENTIAL = 'exponential',
}

/** How a broker or a subscription retries a delivery that fails, and where events go when it gives up. */
export interface DeliveryOptions {
  /**
   * Retries after the first attempt.
   * @default 3
   */
  readonly retry?: number;
  /** @default BackoffPolicy.EXPONENTIAL */
  readonly backoffPolicy?: BackoffPolicy;
  /**
   * Delay before the first retry (doubled per retry when exponential).
   * @default Duration.millis(500)
   */
  readonly backoffDelay?: Duration;
  /**
   * Where undeliverable events go.
   * @default - none: the event is dropped after the last retry
   */
  readonly deadLetterSink?: IEventSink;
  /**
   * Timeout of each delivery attempt (subscriptions only; Knative's delivery-timeout feature).
   * @default - the dispatcher's default
   */
  readonly timeout?: Duration;
}

/** Checks delivery options and renders the Knative `delivery` block; the dead-letter sink admits `dispatchers`. */
export function renderDelivery(scope: IConstruct, field: string, options: DeliveryOptions, fromNamespace: string,
  dispatchers: PodPeer, allowTimeout: boolean): any {
  const retry = requireInteger(scope, `${field}.retry`, options.retry ?? 3, { min: 0, max: 100 });
  const delay = options.backoffDelay ?? Duration.millis(500);
  if (delay.toMilliseconds() <= 0) invalid(scope, `${field}.backoffDelay`, showDuration(delay), 'must be greater than zero');
  if (options.timeout !== undefined) {
    if (!allowTimeout) invalid(scope, `${field}.timeout`, showDuration(options.timeout), 'is set per subscription, not on the broker');
    if (options.timeout.toMilliseconds() < 1000) invalid(scope, `${field}.timeout`, showDuration(options.timeout), 'must be at least 1s');
  }
  if (options.deadLetterSink) options.deadLetterSink.admitEventsFrom(dispatchers);
  return {
    retry,
    backoffPolicy: options.backoffPolicy ?? BackoffPolicy.EXPONENTIAL,
    backoffDelay: isoDuration(delay),
    ...(options.deadLetterSink ? { deadLetterSink: options.deadLetterSink.destinationFrom(fromNamespace) } : {}),
    ...(options.timeout ? { timeout: isoDuration(options.timeout) } : {}),
  };
}
