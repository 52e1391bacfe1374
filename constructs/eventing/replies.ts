/**
 * Replies of subscribers. Knative delivers an event to a subscriber and, when the subscriber answers with an event,
 * posts that answer back into the broker (the Trigger's dispatcher sends it to the broker ingress). A subscriber
 * that always answers (`IReplyingSink`: a Tekton EventListener answers every CloudEvent with
 * `dev.tekton.event.triggers.accepted.v1`, whatever its interceptors decide) therefore produces into every broker it
 * subscribes to, and would receive its own answers again if the subscription's filters let them through.
 */
import { IConstruct } from 'constructs';
import { IBroker, IEventSink, IReplyingSink } from '../core/contracts';
import { EventFilter } from '../core/event-filter';
import { invalid } from '../core/errors';
import { EdgeKind, Wiring } from '../core/wiring';
import { describe } from './catalog';
import { subscriptionNeeds } from './loops';

/** Whether a sink declares the events it replies with. */
export function isReplyingSink(sink: IEventSink): sink is IReplyingSink {
  return Array.isArray((sink as Partial<IReplyingSink>).replyTypes);
}

/**
 * Refuses a subscription of a replying sink whose filters could let one of its replies through: each reply would be
 * delivered to it again and answered again, forever. The filters must pin the event type (exact matches only), to
 * another type than the replies'.
 */
export function checkReplies(scope: IConstruct, broker: IBroker, subscriber: IEventSink, filters: EventFilter[]): void {
  if (!isReplyingSink(subscriber) || subscriber.replyTypes.length === 0) return;
  const needs = subscriptionNeeds(filters);
  if (needs === null) return; // no event passes these filters
  const replies = subscriber.replyTypes.map((t) => t.type);
  const pinned = needs?.type;
  if (pinned === undefined || replies.includes(pinned)) {
    const what = pinned === undefined
      ? (needs ? 'filters that do not pin the event type' : 'filters other than exact matches')
      : `a filter on its own reply type "${pinned}"`;
    invalid(scope, 'filters', filters.length ? filters.map((f) => f.toString()).join(' & ') : 'all events',
      `would deliver the replies of ${describe(subscriber)} (${replies.join(', ')}) back to it: it answers every event, ${describe(broker)} takes the answer back in, ` +
      `and ${what} let it through, forever`,
      'filter the subscription on the types the subscriber consumes: EventFilter.type(...) (one subscription per type)');
  }
}

/** Records a replying subscriber's answers as produced into the broker (catalog, EventTypes, the missing-producer check). */
export function connectReplies(subscription: IConstruct, broker: IBroker, subscriber: IEventSink): void {
  if (!isReplyingSink(subscriber) || subscriber.replyTypes.length === 0) return;
  Wiring.connect({
    kind: EdgeKind.SENDS_EVENTS,
    from: subscriber,
    to: broker,
    detail: `replies (${subscriber.replyTypes.map((t) => t.type).join(', ')})`,
    events: { produces: [...subscriber.replyTypes], via: 'reply', realizedBy: subscription },
  });
}
