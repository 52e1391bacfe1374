import { Construct } from 'constructs';
import { DeployHints } from '../core/deploy-hints';
import { IEventSink } from '../core/events';
import { EdgeKind, PlatformGraph } from '../core/graph';
import { recommendedLabels } from '../core/labels';
import { requireName } from '../core/validate';
import { IWorkload } from '../core/workload';
import { SinkBinding as SinkBindingL1 } from '../imports/sources.knative.dev';
import { EventCatalog } from './catalog';
import { CloudEventType, requireEventType } from './event-type';

export interface SinkBindingProps {
  /** The workload that publishes (its pod template receives `K_SINK`). */
  readonly subject: IWorkload;
  /** Where its events go. */
  readonly sink: IEventSink;
  /**
   * The CloudEvent types it publishes (for the event catalog and the Knative EventTypes).
   * @default - none declared
   */
  readonly emits?: CloudEventType[];
  /** @default `<subject>-to-<sink>` */
  readonly name?: string;
}

/**
 * Knative SinkBinding: injects the sink's address as `K_SINK` into a workload, so the workload publishes to
 * whatever the sink's address is now (it follows the sink if it changes). Lets the workload's pods through the sink's
 * network policy and records what it emits.
 */
export class SinkBinding extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  public readonly resource: SinkBindingL1;

  public constructor(scope: Construct, id: string, props: SinkBindingProps) {
    super(scope, id);
    const subject = props.subject;
    this.namespace = subject.namespace;
    this.name = requireName(this, 'name', props.name ?? `${subject.name}-to-${props.sink.name}`.slice(0, 63).replace(/-+$/, ''), 'dns1123-subdomain');
    const emits = (props.emits ?? []).map((t, i) => requireEventType(this, `emits[${i}]`, t));
    this.resource = new SinkBindingL1(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace, labels: recommendedLabels({ name: 'sink-binding', instance: this.name, component: 'event-publisher' }) },
      spec: {
        subject: { ...subject.resourceRef },
        sink: props.sink.destinationFrom(this.namespace),
      },
    });
    DeployHints.awaitCondition(this.resource, 'Ready');
    props.sink.admitEventsFrom({ namespace: subject.namespace, podSelector: subject.podSelector, description: `${subject.namespace}/${subject.name}` });
    const catalog = EventCatalog.of(this);
    for (const type of emits) catalog.addProducer({ producer: subject, via: 'SinkBinding', sink: props.sink, type });
    PlatformGraph.of(this).addEdge({
      from: subject, to: props.sink, kind: EdgeKind.SENDS_EVENTS, detail: emits.length ? emits.map((t) => t.type).join(', ') : 'K_SINK',
    });
  }
}
