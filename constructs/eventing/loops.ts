/**
 * Wiring that sends events round without end. A broker subscribed to itself, a broker whose dead letters go back into
 * it, and a cycle of broker→broker hops (subscriptions and dead letters) that some event passes all deliver the
 * event to every subscriber again on each turn. What stops such a turn depends on the broker class:
 *
 * - eventing-rabbitmq (`RabbitMQBroker`, v1.22.1) keeps no hop limit at all: its ingress and dispatchers never read
 *   `knativebrokerttl`, and a dispatcher posts a subscriber's reply back to the broker's ingress, so nothing stops a
 *   loop (pkg/dispatcher/dispatcher.go).
 * - Knative's channel-based broker (`MTChannelBasedBroker`, eventing v1.22.2) sets `knativebrokerttl` (255) at its
 *   ingress and lowers it by one each time an event comes in again, but takes it off an event before a Trigger
 *   delivers it (pkg/broker/filter/filter_handler.go), so a subscriber that is a broker starts a new count: a loop
 *   with a subscription in it never ends. A loop of dead letters alone keeps the count (the channel sends the event
 *   as it stored it) and ends after 255 turns, each with its full retries.
 * - Other classes: not known to limit hops.
 *
 * A subscription's dead letters are only the events its filters select; a broker's own dead letters are taken as
 * any event (whichever subscription without delivery of its own failed it).
 */
import { IConstruct } from 'constructs';
import { IBroker, IEventSink } from '../core/contracts';
import { EventFilter } from '../core/event-filter';
import { PlatformModel } from '../core/model';
import { refIdentity } from '../core/uniqueness';
import { EdgeKind } from '../core/wiring';
import { BrokerClass } from './broker-class';
import { describe } from './catalog';

/** Whether two sinks are one object (any handles of it: ours or imported). */
export function sameSink(a: IEventSink, b: IEventSink): boolean {
  return a === b || (a?.objectRef !== undefined && b?.objectRef !== undefined && refIdentity(a.objectRef) === refIdentity(b.objectRef));
}

/** Whether something is a broker (ours or imported), by its shape. */
export function isBrokerLike(x: IConstruct): boolean {
  return typeof (x as { subscribe?: unknown }).subscribe === 'function' && typeof (x as { addPublisher?: unknown }).addPublisher === 'function';
}

/**
 * What an event must carry to pass these filters: exact attribute values (`{}` for no filter), null when no event
 * passes (one attribute, two values), or undefined when the filters use more than exact matches (prefix, any,
 * CESQL, ...): then no loop is proven, and none is refused.
 */
export function subscriptionNeeds(filters: EventFilter[]): { [attribute: string]: string } | null | undefined {
  const merged: { [attribute: string]: string } = {};
  for (const f of filters) {
    const attrs = f._exactAttributes();
    if (!attrs) return undefined;
    if (!mergeInto(merged, attrs)) return null;
  }
  return merged;
}

/** Adds `attrs` to `into`; false when they contradict it (one attribute, two values). */
function mergeInto(into: { [attribute: string]: string }, attrs: { [attribute: string]: string }): boolean {
  for (const [k, v] of Object.entries(attrs)) {
    if (into[k] !== undefined && into[k] !== v) return false;
    into[k] = v;
  }
  return true;
}

interface Hop {
  readonly to: IEventSink;
  readonly via: string;
  /** Exact attributes an event needs to take the hop (see subscriptionNeeds). */
  readonly needs: { [attribute: string]: string } | null | undefined;
  /** Dead letters, not a subscription. */
  readonly deadLetters: boolean;
}

/** Every hop from one broker into another the app has wired: subscriptions and dead letters, with their filters. */
function brokerHops(scope: IConstruct): Map<string, Hop[]> {
  const hops = new Map<string, Hop[]>();
  for (const e of PlatformModel.of(scope).edges) {
    if (e.kind !== EdgeKind.DELIVERS_EVENTS || !isBrokerLike(e.from) || !isBrokerLike(e.to)) continue;
    const from = refIdentity((e.from as unknown as IEventSink).objectRef);
    const to = e.to as unknown as IEventSink;
    const text = (filters: EventFilter[]) => (filters.length ? filters.map((f) => f.toString()).join(' & ') : 'all events');
    const { filters, deadLettersOf } = e.events ?? {};
    const hop: Hop = filters !== undefined
      ? { to, via: text(filters), needs: subscriptionNeeds(filters), deadLetters: false }
      // A subscription's dead letters: only events its filters select fail there.
      : deadLettersOf !== undefined
        ? { to, via: `dead letters of ${text(deadLettersOf)}`, needs: subscriptionNeeds(deadLettersOf), deadLetters: true }
        // A broker's own dead letters: any event that fails a subscription without delivery of its own.
        : { to, via: 'dead letters', needs: {}, deadLetters: true };
    hops.set(from, [...hops.get(from) ?? [], hop]);
  }
  return hops;
}

/** A path of broker→broker hops that closes a loop. */
export interface BrokerLoop {
  /** The path, for people: `events/b → (type=x) events/a`. */
  readonly text: string;
  /** The brokers on it (the start included). */
  readonly brokers: IEventSink[];
  /** Whether some hop on it is a subscription (else dead letters only). */
  readonly throughSubscription: boolean;
}

/**
 * A path of broker→broker hops from `start` back to `target` that an event meeting `needs` (and every hop's exact
 * filters) can take, or undefined when none is proven.
 */
export function loopBack(scope: IConstruct, start: IEventSink, target: IEventSink, needs: { [attribute: string]: string }): BrokerLoop | undefined {
  const hops = brokerHops(scope);
  const seen = new Set<string>();
  const walk = (at: IEventSink, constraint: { [attribute: string]: string }, path: Array<{ hop: Hop; text: string }>): BrokerLoop | undefined => {
    if (sameSink(at, target)) {
      return {
        text: [describe(start), ...path.map((p) => p.text)].join(' → '),
        brokers: [start, ...path.map((p) => p.hop.to)],
        throughSubscription: path.some((p) => !p.hop.deadLetters),
      };
    }
    const key = `${refIdentity(at.objectRef)}|${JSON.stringify(Object.entries(constraint).sort())}`;
    if (seen.has(key)) return undefined;
    seen.add(key);
    for (const hop of hops.get(refIdentity(at.objectRef)) ?? []) {
      if (!hop.needs) continue;
      const next = { ...constraint };
      if (!mergeInto(next, hop.needs)) continue;
      const found = walk(hop.to, next, [...path, { hop, text: `(${hop.via}) ${describe(hop.to)}` }]);
      if (found) return found;
    }
    return undefined;
  };
  return walk(start, needs, []);
}

/**
 * Why a loop through these brokers does not end, per broker class (see the header): the refusal's own words.
 * `throughSubscription` is false for a loop of dead letters alone.
 */
export function loopReason(brokers: IEventSink[], throughSubscription: boolean): string {
  const classes = [...new Set(brokers.map((b) => (b as Partial<IBroker>).brokerClass ?? 'unknown'))].sort();
  const reasons = classes.map((c) => {
    if (c === BrokerClass.RABBITMQ.name) return 'eventing-rabbitmq keeps no hop limit (its dispatchers post events and replies on without knativebrokerttl)';
    if (c === BrokerClass.CHANNEL.name) {
      return throughSubscription
        ? 'Knative\'s channel-based broker drops its hop limit (knativebrokerttl) when a Trigger delivers, so the next broker counts anew'
        : 'Knative\'s channel-based broker stops dead letters going round only after 255 turns (knativebrokerttl), each with its full retries';
    }
    return `brokers of class ${c} are not known to limit hops`;
  });
  return reasons.join('; ');
}
