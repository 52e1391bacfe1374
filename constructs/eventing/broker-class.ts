/**
 * What a Knative broker class fixes: where its data plane runs, its address, how its Triggers filter, and what the
 * cluster must run for it (which fields are immutable: core/immutable-fields.ts). Brokers of this app and imported ones share it.
 */
import { IConstruct } from 'constructs';
import { PodPeer } from '../core/contracts';
import { EventFilter } from '../core/event-filter';
import { invalid } from '../core/errors';
import { ClusterInstall } from '../core/installs';

/** How a Trigger of a broker class filters. @internal */
export interface TriggerFilterRendering {
  readonly filter?: { readonly attributes: { [attribute: string]: string } };
  readonly filters?: any[];
}

/** A Knative broker class (annotation `eventing.knative.dev/broker.class`). */
export class BrokerClass {
  /**
   * eventing-rabbitmq (`RabbitMQBroker`): ingress and per-trigger dispatchers run in the broker's namespace; filters
   * by exact attributes only (RabbitMQ header bindings); a Broker's spec and a Trigger's filter are immutable.
   */
  public static readonly RABBITMQ = new BrokerClass('RabbitMQBroker');
  /** Knative's channel-based broker (`MTChannelBasedBroker`): a shared data plane in `knative-eventing`, every filter. */
  public static readonly CHANNEL = new BrokerClass('MTChannelBasedBroker');

  /** The class of this name; undefined for classes this library does not know. */
  public static named(name: string): BrokerClass | undefined {
    return [BrokerClass.RABBITMQ, BrokerClass.CHANNEL].find((c) => c.name === name);
  }

  private constructor(
    /** The class annotation's value. */
    public readonly name: string,
  ) {}

  /** Whether the class runs its data plane in the broker's namespace (then it is ours to let in). @internal */
  public get _dataPlaneInBrokerNamespace(): boolean {
    return this === BrokerClass.RABBITMQ;
  }

  /** The pods that deliver a broker's events. @internal */
  public _dataPlane(brokerName: string, brokerNamespace: string): PodPeer {
    if (this === BrokerClass.RABBITMQ) {
      // eventing-rabbitmq runs the broker's ingress and dispatchers in its namespace, labelled with its name.
      return { namespace: brokerNamespace, podSelector: { 'eventing.knative.dev/broker': brokerName }, description: `broker ${brokerName} data plane` };
    }
    // The shared broker filter pods in knative-eventing deliver the events.
    return { namespace: 'knative-eventing', podSelector: { 'eventing.knative.dev/brokerRole': 'filter' }, description: 'knative-eventing broker filter' };
  }

  /** The in-cluster URL publishers post to. @internal */
  public _address(brokerName: string, brokerNamespace: string, clusterDomain: string): string {
    return this === BrokerClass.RABBITMQ
      ? `http://${brokerName}-broker-ingress.${brokerNamespace}.svc.${clusterDomain}`
      : `http://broker-ingress.knative-eventing.svc.${clusterDomain}/${brokerNamespace}/${brokerName}`;
  }

  /** What the cluster must run for brokers of this class (beyond Knative Eventing). @internal */
  public get _install(): ClusterInstall {
    return this === BrokerClass.RABBITMQ ? ClusterInstall.EVENTING_RABBITMQ : ClusterInstall.CHANNEL_BROKER;
  }

  /** Objects the class's controller creates for a broker (their names are taken). @internal */
  public _impliedByBroker(brokerName: string, deadLetters: boolean): Array<{ apiVersion: string; kind: string; name: string }> {
    if (this !== BrokerClass.RABBITMQ) return [];
    return [
      { apiVersion: 'apps/v1', kind: 'Deployment', name: `${brokerName}-broker-ingress` }, { apiVersion: 'v1', kind: 'Service', name: `${brokerName}-broker-ingress` },
      // eventing-rabbitmq delivers a broker's dead letters through a dispatcher of its own.
      ...(deadLetters ? [{ apiVersion: 'apps/v1', kind: 'Deployment', name: `${brokerName}-dlq-dispatcher` }] : []),
    ];
  }

  /** Objects the class's controller creates for a Trigger. @internal */
  public _impliedByTrigger(triggerName: string, deadLetters: boolean): Array<{ apiVersion: string; kind: string; name: string }> {
    if (this !== BrokerClass.RABBITMQ) return [];
    return [
      { apiVersion: 'apps/v1', kind: 'Deployment', name: `${triggerName}-dispatcher` },
      // A Trigger whose own delivery has a dead-letter sink gets a dead-letter dispatcher too.
      ...(deadLetters ? [{ apiVersion: 'apps/v1', kind: 'Deployment', name: `${triggerName}-dlx-dispatcher` }] : []),
    ];
  }

  /** Renders a subscription's filters for this class. @internal */
  public _renderFilters(trigger: IConstruct, filters: EventFilter[]): TriggerFilterRendering {
    if (filters.length === 0) return {};
    if (this !== BrokerClass.RABBITMQ) return { filters: filters.flatMap((f, i) => f._render(trigger, `filters[${i}]`)) };
    const attributes: { [k: string]: string } = {};
    for (const [i, f] of filters.entries()) {
      f._render(trigger, `filters[${i}]`);
      const exact = f._exactAttributes();
      if (!exact) {
        invalid(trigger, `filters[${i}]`, f.toString(), 'is not an exact attribute match, the only filtering a RabbitMQ broker does (RabbitMQ header bindings)',
          'filter by exact attributes (EventFilter.type / EventFilter.exact), or use a ChannelBroker for prefix, suffix, any, not and CESQL');
      }
      for (const [k, v] of Object.entries(exact)) {
        if (attributes[k] !== undefined && attributes[k] !== v) {
          invalid(trigger, `filters[${i}]`, f.toString(), `requires ${k}=${v} while another filter requires ${k}=${attributes[k]}: no event can match`);
        }
        attributes[k] = v;
      }
    }
    return { filter: { attributes } };
  }

  /** Trigger annotations for this class (RabbitMQ parallelism). @internal */
  public _triggerAnnotations(trigger: IConstruct, parallelism: number | undefined): { [key: string]: string } | undefined {
    if (parallelism === undefined) return undefined;
    if (this !== BrokerClass.RABBITMQ) invalid(trigger, 'parallelism', parallelism, 'is a RabbitMQ broker setting', 'remove it, or subscribe through a RabbitmqBroker');
    return { 'rabbitmq.eventing.knative.dev/parallelism': String(parallelism) };
  }
}
