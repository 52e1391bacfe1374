/**
 * Tekton's run events into a broker. Tekton Pipelines' events controller sends every TaskRun/PipelineRun event of the
 * cluster to one URL (`config-events.sink` in `tekton-pipelines`); this construct says, in the app, which broker that
 * is: the broker admits the controller's pods, the graph and the event catalog record the Tekton types produced into
 * it (so subscriptions to them have a producer), and the Pulumi program writes the broker's address into
 * `config-events` when it installs Tekton. With `kubectl apply` of `dist/`, set the sink yourself (the README says how).
 */
import { Construct } from 'constructs';
import { IBroker, IEventSink, IEventSource, PodPeer } from '../core/contracts';
import { CloudEventType } from '../core/event-type';
import { invalid } from '../core/errors';
import { EdgeKind, Wiring } from '../core/wiring';
import { isBroker } from '../eventing/broker';
import { TektonEvents } from './tekton-results';

export interface TektonEventsSinkProps {
  /** The broker Tekton's events go to (its address becomes the cluster's `config-events.sink`). */
  readonly broker: IBroker;
}

const SINKS = Symbol.for('platform-blueprints.TektonEventsSink');

/** Declares the broker that receives the cluster's Tekton run events (one per cluster, hence one per app). */
export class TektonEventsSink extends Construct implements IEventSource {
  /** Namespace of Tekton Pipelines' controllers (fixed by its release file). */
  public static readonly TEKTON_NAMESPACE = 'tekton-pipelines';
  /** The pods of Tekton's events controller (`tekton-events-controller`, labels of its v1.15.0 Deployment). */
  public static readonly CONTROLLER: PodPeer = {
    namespace: TektonEventsSink.TEKTON_NAMESPACE,
    podSelector: { 'app.kubernetes.io/component': 'events', 'app.kubernetes.io/part-of': 'tekton-pipelines' },
    description: 'Tekton\'s events controller (tekton-pipelines)',
  };

  /** The sink of an app (`undefined` when nothing in it declares one). */
  public static of(scope: Construct): TektonEventsSink | undefined {
    return (scope.node.root as any)[SINKS] as TektonEventsSink | undefined;
  }

  /** The broker Tekton's events go to. */
  public readonly broker: IBroker;
  /** Where the events go: the broker (as an event source, IEventSource). */
  public readonly sink: IEventSink;
  public readonly emits: CloudEventType[];
  /** The sender, as the catalog and graph name it: Tekton's events controller. */
  public readonly name = 'tekton-events-controller';
  public readonly namespace = TektonEventsSink.TEKTON_NAMESPACE;

  public constructor(scope: Construct, id: string, props: TektonEventsSinkProps) {
    super(scope, id);
    if (!props || !isBroker(props.broker)) {
      invalid(this, 'broker', props?.broker, 'must be a broker', 'pass the broker Tekton\'s run events should arrive on (e.g. the event platform\'s broker)');
    }
    const root = this.node.root as any;
    const existing = root[SINKS] as TektonEventsSink | undefined;
    if (existing) {
      invalid(this, 'broker', `${props.broker.namespace}/${props.broker.name}`,
        `is a second Tekton events sink; ${existing.node.path} already sends them to ${existing.sink.namespace}/${existing.sink.name}, and Tekton has one sink per cluster`,
        'declare one TektonEventsSink and subscribe the other consumers to its broker');
    }
    Object.defineProperty(root, SINKS, { value: this, configurable: true });
    this.broker = props.broker;
    this.sink = props.broker;
    this.emits = TektonEvents.all();
    Wiring.connect({
      kind: EdgeKind.SENDS_EVENTS,
      from: this,
      to: props.broker,
      detail: 'Tekton config-events sink',
      once: true,
      admit: [{ into: props.broker, peer: TektonEventsSink.CONTROLLER }],
      events: { produces: this.emits, via: 'Tekton config-events', realizedBy: this },
    });
  }
}
