/**
 * Wiring that sends events round forever. Knative's hop limit (the `knativebrokerttl` extension, 255 at a broker's
 * ingress) is taken off an event before a Trigger delivers it, and the next broker's ingress sets it anew: it bounds
 * replies, not subscriptions. So a broker subscribed to itself, a broker whose dead letters go back into it, and a
 * cycle of broker→broker subscriptions that some event passes all loop forever, each turn delivering the event to
 * every subscriber again.
 */
import { IConstruct } from 'constructs';
import { IEventSink } from '../core/contracts';
import { EventFilter } from '../core/event-filter';
import { PlatformModel } from '../core/model';
import { refIdentity } from '../core/uniqueness';
import { EdgeKind } from '../core/wiring';
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
}

/** Every hop from one broker into another the app has wired: subscriptions (with their filters) and dead letters. */
function brokerHops(scope: IConstruct): Map<string, Hop[]> {
  const hops = new Map<string, Hop[]>();
  for (const e of PlatformModel.of(scope).edges) {
    if (e.kind !== EdgeKind.DELIVERS_EVENTS || !isBrokerLike(e.from) || !isBrokerLike(e.to)) continue;
    const from = refIdentity((e.from as unknown as IEventSink).objectRef);
    const filters = e.events?.filters;
    // An edge without events is a broker's or a subscription's dead letters: any event that fails takes it.
    const hop: Hop = filters === undefined
      ? { to: e.to as unknown as IEventSink, via: 'dead letters', needs: {} }
      : { to: e.to as unknown as IEventSink, via: filters.length ? filters.map((f) => f.toString()).join(' & ') : 'all events', needs: subscriptionNeeds(filters) };
    hops.set(from, [...hops.get(from) ?? [], hop]);
  }
  return hops;
}

/**
 * A path of broker→broker hops from `start` back to `target` that an event meeting `needs` (and every hop's exact
 * filters) can take, described for people, or undefined when none is proven.
 */
export function loopBack(scope: IConstruct, start: IEventSink, target: IEventSink, needs: { [attribute: string]: string }): string | undefined {
  const hops = brokerHops(scope);
  const seen = new Set<string>();
  const walk = (at: IEventSink, constraint: { [attribute: string]: string }, path: string[]): string | undefined => {
    if (sameSink(at, target)) return path.join(' → ');
    const key = `${refIdentity(at.objectRef)}|${JSON.stringify(Object.entries(constraint).sort())}`;
    if (seen.has(key)) return undefined;
    seen.add(key);
    for (const hop of hops.get(refIdentity(at.objectRef)) ?? []) {
      if (!hop.needs) continue;
      const next = { ...constraint };
      if (!mergeInto(next, hop.needs)) continue;
      const found = walk(hop.to, next, [...path, `(${hop.via}) ${describe(hop.to)}`]);
      if (found) return found;
    }
    return undefined;
  };
  return walk(start, needs, [describe(start)]);
}
