/**
 * A team's own broker, in the team's namespace, fed from a shared broker with exactly the event types the platform
 * grants the team. The team manages its subscriptions (Triggers in its namespace, on this broker); the grant is
 * enforced by the forwarding Triggers, one per granted type, which live in the shared broker's namespace where the
 * team has no rights. `sharedBroker.subscribe(teamFunction, ...)` routes through this broker (constructs/eventing/
 * team-routes.ts), so code written before team brokers keeps working, and a type the team was not granted is refused.
 *
 * Class: Knative's channel-based broker (`MTChannelBasedBroker`), not a RabbitMQ broker. eventing-rabbitmq
 * (v1.22) would run the broker's ingress and dispatchers in the team's namespace without a seccomp profile, which the
 * team's Pod Security "restricted" refuses, and it writes the RabbitMQ cluster's default-user URL (an administrator's
 * credentials) into a Secret `<broker>-broker-rabbit` of the broker's namespace, which any Knative Service the team
 * deploys could mount: the team could then read every queue of the shared cluster and bypass its grants. The
 * channel-based broker runs its data plane in `knative-eventing` and puts no credentials in the team's namespace.
 * Events stay durable in the shared RabbitMQ broker until the team's broker accepts them; after that they are as
 * durable as the cluster's default channel (InMemoryChannel unless the cluster configures another).
 */
import { createHash } from 'crypto';
import { Construct } from 'constructs';
import { IBroker, IEventSink, IEventSubscription, SubscriptionOptions } from '../core/contracts';
import { EventFilter } from '../core/event-filter';
import { CloudEventType, requireEventType } from '../core/event-type';
import { invalid } from '../core/errors';
import { requireName } from '../core/validate';
import { BrokerOptions, ChannelBroker, isBroker } from './broker';
import { describe } from './catalog';
import { registerTeamRoute } from './team-routes';

/** A team broker: `namespace` (or the enclosing Chart's) is the team's; the broker and the team's Triggers live there. */
export interface TeamBrokerProps extends BrokerOptions {
  /** The team's name (a DNS-1123 label), for messages and the forwarding Triggers' names. */
  readonly team: string;
  /** The shared broker that feeds this one (the platform's); it must live in another namespace. */
  readonly upstream: IBroker;
  /** The event types the platform grants the team: each is forwarded from `upstream` by a Trigger of its own. */
  readonly grants: CloudEventType[];
}

/** Trigger names are DNS-1123 labels of at most 52 characters (the longest eventing-rabbitmq's dispatcher allows). */
const TRIGGER_NAME_MAX = 52;

/** A team's own broker (see the module comment). */
export class TeamBroker extends ChannelBroker {
  /** The team. */
  public readonly team: string;
  /** The broker that feeds this one. */
  public readonly upstream: IBroker;
  /** The granted event types, in the order given. */
  public readonly grants: CloudEventType[];
  /** The platform's forwarding subscriptions (Triggers in the upstream broker's namespace), one per granted type. */
  public readonly forwards: IEventSubscription[];

  public constructor(scope: Construct, id: string, props: TeamBrokerProps) {
    super(scope, id, { name: props.name, namespace: props.namespace, delivery: props.delivery });
    this.team = requireName(this, 'team', props.team, 'dns1123-label');
    if (!isBroker(props.upstream)) invalid(this, 'upstream', props.upstream, 'must be a broker', 'pass the platform\'s shared broker (EventDrivenPlatform.broker)');
    if (props.upstream.namespace === this.namespace) {
      invalid(this, 'upstream', describe(props.upstream), `lives in the team's namespace (${this.namespace}): the team's Triggers on it would already be the team's, and no grant could hold`,
        'give the team a namespace of its own, or subscribe to that broker directly');
    }
    this.upstream = props.upstream;
    if (!Array.isArray(props.grants) || props.grants.length === 0) {
      invalid(this, 'grants', props.grants, 'must grant the team at least one event type', 'e.g. grants: [CloudEventType.of("dev.example.order.placed")]');
    }
    const seen = new Set<string>();
    props.grants.forEach((t, i) => {
      requireEventType(this, `grants[${i}]`, t);
      if (seen.has(t.type)) invalid(this, `grants[${i}]`, t.type, 'is granted twice', 'grant each type once');
      seen.add(t.type);
    });
    this.grants = [...props.grants];
    // The platform's Triggers, in the upstream broker's namespace: the team cannot widen what they let through.
    this.forwards = this.grants.map((t) => props.upstream.subscribe(this, { name: forwardName(this.namespace, t.type), filters: [EventFilter.type(t)] }));
    registerTeamRoute(this, { broker: this, upstream: this.upstream, _route: (from, subscriber, options) => this._route(from, subscriber, options) });
  }

  /** Whether the platform grants the team this type. */
  public isGranted(type: CloudEventType): boolean {
    return this.grants.some((g) => g.type === type?.type);
  }

  /**
   * A subscription of a team workload to the upstream broker, made on this broker instead (a Trigger in the team's
   * namespace), once its types are checked against the grants.
   * @internal
   */
  public _route(from: IBroker, subscriber: IEventSink, options: SubscriptionOptions): IEventSubscription {
    (options.filters ?? []).forEach((f, i) => {
      if (!EventFilter.isEventFilter(f)) return;
      for (const t of f._requiredTypes()) {
        if (this.isGranted(t)) continue;
        invalid(from as unknown as Construct, `subscribe(${describe(subscriber)}).filters[${i}]`, t.type,
          `is not granted to team ${this.team}: the team's workloads receive the events of ${describe(from)} through the team's broker ${describe(this)}, ` +
          `which is fed only the granted types (${this.grants.map((g) => g.type).join(', ')})`,
          `grant it to the team (TeamSpace events.grants), or subscribe to a granted type`);
      }
    });
    return this.subscribe(subscriber, options);
  }

  /**
   * Why a type a subscription of this broker needs does not reach it, for the event catalog's check.
   * @internal
   */
  public _missingTypeHint(type: CloudEventType): string | undefined {
    if (this.isGranted(type)) return undefined;
    return `the type is not granted to team ${this.team}: grant it (TeamSpace events.grants) so the platform forwards it from ${describe(this.upstream)}, ` +
      `or publish it into the team's broker (team.broker.addPublisher(fn, { emits }))`;
  }
}

/**
 * `<team namespace>-<last two parts of the type>-<hash of the type>` as a DNS-1123 label (e.g.
 * `team-analytics-game-score-d29123`): readable, and two types never share a name.
 */
function forwardName(namespace: string, type: string): string {
  const hash = createHash('sha256').update(type).digest('hex').slice(0, 6);
  const tail = type.split('.').slice(-2).join('-').toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const slug = `${namespace}-${tail}`.replace(/-+/g, '-').slice(0, TRIGGER_NAME_MAX - hash.length - 1).replace(/-+$/, '');
  return `${slug}-${hash}`;
}
