/**
 * Where a subscription of a team's workload goes: a team space with a broker of its own (constructs/eventing/
 * team-broker.ts) registers it here, and `broker.subscribe(teamFunction)` on the shared broker it is fed from routes
 * the subscription through the team's broker (a Trigger in the team's namespace, the team's to manage). Its own
 * module, so that the shared broker's `subscribe` finds the route without importing the team broker's class.
 */
import { IConstruct } from 'constructs';
import { IBroker, IEventSink, IEventSubscription, SubscriptionOptions } from '../core/contracts';
import { PlatformModel } from '../core/model';
import { isBrokerLike, sameSink } from './loops';

/** A team broker as the shared broker's `subscribe` sees it. @internal */
export interface TeamRoute {
  /** The team's broker (in the team's namespace). */
  readonly broker: IBroker;
  /** The broker that feeds it with the granted types. */
  readonly upstream: IBroker;
  /** Subscribes a workload of the team through the team's broker, after checking its types are granted. */
  _route(from: IBroker, subscriber: IEventSink, options: SubscriptionOptions): IEventSubscription;
}

const ROUTES = new WeakMap<PlatformModel, TeamRoute[]>();

/** Registers a team broker's route. @internal */
export function registerTeamRoute(scope: IConstruct, route: TeamRoute): void {
  const model = PlatformModel.of(scope);
  ROUTES.set(model, [...ROUTES.get(model) ?? [], route]);
}

/**
 * The team route a subscription of `subscriber` to `broker` takes: the team broker in the subscriber's namespace fed
 * from that broker. Brokers are never routed (the team broker's own feed, and platform fan-out, stay where they are).
 * @internal
 */
export function teamRouteFor(broker: IBroker, subscriber: IEventSink): TeamRoute | undefined {
  if (typeof subscriber !== 'object' || subscriber === null || isBrokerLike(subscriber)) return undefined;
  const routes = ROUTES.get(PlatformModel.of(broker));
  return routes?.find((r) => r.broker.namespace === subscriber.namespace && sameSink(r.upstream, broker));
}
