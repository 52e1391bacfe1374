/**
 * Delivery settings of brokers and subscriptions (retries, backoff, dead letters, timeout): the vocabulary the
 * contracts use. Rendering them into Knative's `delivery` block is the eventing constructs' job.
 */
import { Duration } from 'cdk8s';
import type { IEventSink } from './contracts';

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
   * Delay before the first retry (doubled per retry when exponential). Knative reads it as an ISO-8601 period with
   * one decimal of seconds, so it must be a whole number of tenths of a second (at least 0.1s, at most 3276 days).
   * @default Duration.millis(500)
   */
  readonly backoffDelay?: Duration;
  /**
   * Where undeliverable events go.
   * @default - none: the event is dropped after the last retry
   */
  readonly deadLetterSink?: IEventSink;
  /**
   * Timeout of each delivery attempt (subscriptions only; Knative's delivery-timeout feature): at least 1s, a whole
   * number of tenths of a second (read like backoffDelay).
   * @default - the dispatcher's default
   */
  readonly timeout?: Duration;
}
