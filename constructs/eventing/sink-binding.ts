import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { peerOf } from '../core/binding';
import { IEventSink, IEventSource, IWorkload, IWorkloadRef } from '../core/contracts';
import { DeployHints } from '../core/deploy-hints';
import { CloudEventType, requireEventType } from '../core/event-type';
import { invalid } from '../core/errors';
import { recommendedLabels } from '../core/labels';
import { requireEnvName, requireName } from '../core/validate';
import { EdgeKind, RepeatPolicy, Wiring, connectionKey } from '../core/wiring';
import { SinkBinding as SinkBindingL1 } from '../imports/sources.knative.dev';

export interface SinkBindingProps {
  /** The workload that publishes (its pod template receives `K_SINK`); of this app or imported. */
  readonly subject: IWorkloadRef;
  /** Where its events go. */
  readonly sink: IEventSink;
  /**
   * The CloudEvent types it publishes (for the event catalog and the Knative EventTypes).
   * @default - none declared
   */
  readonly emits?: CloudEventType[];
  /** @default `<subject>-to-<sink>` */
  readonly name?: string;
  /**
   * Also give the sink's address in this variable, for programs that do not read `K_SINK` (needs a workload of this
   * app: the variable is set on it).
   * @default - K_SINK only
   */
  readonly envName?: string;
}

/**
 * Knative SinkBinding: injects the sink's address as `K_SINK` into a workload, so the workload publishes to
 * whatever the sink's address is now (it follows the sink if it changes). Lets the workload's pods through the sink's
 * network policy and records what it emits. A workload has one `K_SINK`: a second binding of it is refused.
 */
export class SinkBinding extends Construct implements IEventSource {
  public readonly name: string;
  public readonly namespace: string;
  public readonly sink: IEventSink;
  public readonly emits: CloudEventType[];
  public readonly resource: SinkBindingL1;

  public constructor(scope: Construct, id: string, props: SinkBindingProps) {
    super(scope, id);
    const subject = props.subject;
    this.sink = props.sink;
    this.namespace = subject.namespace;
    this.name = requireName(this, 'name', props.name ?? `${subject.name}-to-${props.sink.name}`.slice(0, 63).replace(/-+$/, ''), 'dns1123-subdomain');
    this.emits = (props.emits ?? []).map((t, i) => requireEventType(this, `emits[${i}]`, t));
    const env: { [name: string]: kplus.EnvValue } = {};
    if (props.envName !== undefined) {
      requireEnvName(this, 'envName', props.envName);
      if (typeof (subject as Partial<IWorkload>).addEnv !== 'function') {
        invalid(this, 'envName', props.envName, `needs a workload of this app, and ${subject.namespace}/${subject.name} is imported`, 'let the workload read K_SINK, or set the variable where it is defined');
      }
      env[props.envName] = kplus.EnvValue.fromValue(sinkAddress(props.sink));
    }
    this.resource = new SinkBindingL1(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace, labels: recommendedLabels({ name: 'sink-binding', instance: this.name, component: 'event-publisher' }) },
      spec: {
        subject: { ...subject.resourceRef },
        sink: props.sink.destinationFrom(this.namespace),
      },
    });
    DeployHints.awaitCondition(this.resource, 'Ready');
    Wiring.connect({
      kind: EdgeKind.SENDS_EVENTS,
      from: subject,
      to: props.sink,
      detail: this.emits.length ? this.emits.map((t) => t.type).join(', ') : 'K_SINK',
      key: connectionKey('sink-binding', subject, props.sink),
      repeat: RepeatPolicy.REFUSE,
      scope: this,
      injects: {
        workload: subject,
        names: ['K_SINK'],
        conflictHint: 'a workload has one K_SINK: publish to one broker, and subscribe the other brokers to it (broker.subscribe(otherBroker))',
      },
      env: Object.keys(env).length ? { workload: subject as IWorkload, variables: env } : undefined,
      admit: [{ into: props.sink, peer: peerOf(subject) }],
      order: [{ waiter: this.resource, waitsFor: subject.objectRef }, { waiter: this.resource, waitsFor: props.sink.objectRef }],
      events: { via: 'SinkBinding', realizedBy: this, produces: this.emits },
    });
  }
}

/** The address of a sink as a URL: a broker's address, a function's in-cluster URL, else its address from outside its namespace. */
function sinkAddress(sink: IEventSink): string {
  const address = (sink as { address?: unknown }).address ?? (sink as { url?: unknown }).url;
  // No namespace is named '': a sink addresses such a referrer by URI.
  return typeof address === 'string' ? address : sink.destinationFrom('').uri ?? '';
}
