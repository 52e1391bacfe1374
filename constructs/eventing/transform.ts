/**
 * EventTransform (`eventing.knative.dev/v1alpha1`, Knative Eventing v1.22): a JSONata expression that turns each
 * event it receives into another. Knative's controller (in `knative-eventing`) runs it as a Deployment
 * `<name>-jsonata` of the `transform-jsonata` image (Node, npm `jsonata`) behind a Service of the same name, labels
 * `eventing.knative.dev/event-transform-jsonata: "true"` and `eventing.knative.dev/event-transform-name: <name>`
 * (knative/eventing pkg/reconciler/eventtransform/resources_jsonata.go), and gives it the sink as `K_SINK` through a
 * SinkBinding: the transform's own pods post to the sink.
 *
 * The expression's input is the received CloudEvent in structured form (`specversion`, `id`, `type`, `source`, ...,
 * extensions as top-level keys, `data` parsed when JSON); its result is sent on as the new event, so it must be a
 * structured CloudEvent too. A result that is not an object makes the transform answer HTTP 500 (the sender retries,
 * then dead-letters): an EventTransform cannot drop an event — return a type no subscription selects instead.
 */
import jsonata from 'jsonata';
import { Construct, IConstruct } from 'constructs';
import { Admission, AdmitOptions, EventDestination, IEventSink, ObjectRef, PodPeer } from '../core/contracts';
import { clusterDomain } from '../core/context';
import { DeployHints } from '../core/deploy-hints';
import { CloudEventType, requireEventType } from '../core/event-type';
import { invalid } from '../core/errors';
import { utf8Bytes } from '../core/go-rules';
import { recommendedLabels } from '../core/labels';
import { requireEventSink, requireProps } from '../core/validate';
import { IngressPolicy } from '../core/network';
import { NamespacedResource } from '../core/resource';
import { PlatformModel } from '../core/model';
import { EdgeKind, Wiring } from '../core/wiring';
import { EventTransform as EventTransformL1 } from '../imports/eventing.knative.dev';
import { describe } from './catalog';
import { sameSink, subscriptionNeeds } from './loops';

/** The port the transform-jsonata container serves plain HTTP on (its Service maps port 80 to it). */
const TRANSFORM_PORT = 8080;
/** The most data a ConfigMap holds (Kubernetes core validation: MaxSecretSize, 1 MiB). */
const CONFIG_MAP_MAX_BYTES = 1024 * 1024;

/** What the transform answers its caller when it has a sink. */
export class TransformReply {
  /** Answer with the sink's response as it is (Knative's default). */
  public static sinkResponse(): TransformReply {
    return new TransformReply(undefined, false);
  }

  /** Answer with no body (only the sink's status): nothing goes back to a broker that delivered the event. */
  public static discard(): TransformReply {
    return new TransformReply(undefined, true);
  }

  /** Answer with this JSONata expression applied to the sink's response (a CloudEvent, or its JSON body). */
  public static expression(expression: string): TransformReply {
    return new TransformReply(expression, false);
  }

  private constructor(
    /** The JSONata expression applied to the sink's response, if any. */
    public readonly responseExpression: string | undefined,
    /** True when the answer has no body. */
    public readonly discardsResponse: boolean,
  ) {}
}

export interface EventTransformProps {
  /** @default - the construct id */
  readonly name?: string;
  /** @default - the namespace of the enclosing Chart */
  readonly namespace?: string;
  /**
   * The JSONata expression, evaluated on each received event (structured CloudEvent, `data` parsed); it must return a
   * structured CloudEvent (`specversion`, `id`, `type`, `source`, ...). Parsed at synth with the `jsonata` version
   * the transform image runs: a syntax error is a ValidationError naming its position.
   */
  readonly expression: string;
  /** The CloudEvent types the expression can return (the event catalog, the sink's EventTypes). */
  readonly emits: CloudEventType[];
  /**
   * Where the transformed events go; the transform's pods post to it.
   * @default - the transformed event is the reply to the caller (a broker's Trigger puts it back on the broker);
   *            the event catalog does not see such replies
   */
  readonly sink?: IEventSink;
  /**
   * What the caller gets back when there is a sink.
   * @default TransformReply.sinkResponse()
   */
  readonly reply?: TransformReply;
}

/** Where a JSONata parse error points in the expression, for a message. */
function near(expression: string, position: number | undefined): string {
  if (position === undefined) return '';
  const start = Math.max(0, position - 20);
  const excerpt = expression.slice(start, position + 10).replace(/\s+/g, ' ');
  return ` near "${start > 0 ? '…' : ''}${excerpt}${position + 10 < expression.length ? '…' : ''}"`;
}

/**
 * Parses a JSONata expression as the transform image does; a syntax error is a ValidationError on `field` with
 * JSONata's message and position.
 */
export function requireJsonata(scope: IConstruct, field: string, expression: unknown): string {
  if (typeof expression !== 'string' || expression.trim() === '') {
    invalid(scope, field, expression, 'must be a JSONata expression', 'e.g. `$merge([$, {"type": "dev.example.thing.v1"}])`');
  }
  try {
    jsonata(expression);
  } catch (e) {
    const err = e as { message?: string; position?: number; code?: string };
    const shown = expression.length > 60 ? `${expression.slice(0, 57)}...` : expression;
    invalid(scope, field, shown,
      `is not valid JSONata: ${err.message ?? String(e)}${err.code ? ` (${err.code})` : ''}${err.position !== undefined ? ` at position ${err.position}` : ''}${near(expression, err.position)}`,
      'fix the expression (try it at https://try.jsonata.org with a sample event)');
  }
  return expression;
}

/**
 * An EventTransform: receives events (a source or a broker's subscription sends to it), turns each into another with
 * JSONata, and sends the result to its sink or back to the caller. It is an event sink (`broker.subscribe(transform)`,
 * a source's `sink`) with its own ingress NetworkPolicy, and produces `emits` into its sink.
 */
export class EventTransform extends NamespacedResource implements IEventSink {
  public readonly resource: EventTransformL1;
  public readonly objectRef: ObjectRef;
  /** The types the transform produces. */
  public readonly emits: CloudEventType[];
  /** Where the transformed events go (undefined: back to the caller). */
  public readonly sink?: IEventSink;
  public readonly expression: string;
  /** In-cluster URL of the transform (its Service `<name>-jsonata`). */
  public readonly url: string;
  /** Labels of the transform's pods. */
  public readonly podSelector: { [key: string]: string };
  public readonly ingressPolicy: IngressPolicy;

  public constructor(scope: Construct, id: string, props: EventTransformProps) {
    // `<name>-jsonata` names the Deployment, Service and ConfigMap; past 63 characters Knative hashes it.
    super(scope, id, props, { maxLength: 55, maxLengthReason: 'the transform\'s Deployment and Service are named <name>-jsonata (at most 63)' });
    requireProps(this, props, 'give expression and emits');
    this.expression = requireJsonata(this, 'expression', props.expression);
    if (!Array.isArray(props.emits) || props.emits.length === 0) {
      invalid(this, 'emits', props.emits, 'must list the CloudEvent types the expression returns (a transform always returns an event)',
        'e.g. emits: [CloudEventType.of("dev.example.thing.v1")]');
    }
    this.emits = props.emits.map((t, i) => requireEventType(this, `emits[${i}]`, t));
    if (props.sink !== undefined) requireEventSink(this, 'sink', props.sink, 'pass a broker, a function or another event sink, or leave sink out to reply to the caller');
    this.sink = props.sink;
    if (props.reply !== undefined && !(props.reply instanceof TransformReply)) {
      invalid(this, 'reply', props.reply, 'must be a TransformReply', 'use TransformReply.discard(), TransformReply.expression(...) or TransformReply.sinkResponse()');
    }
    // Knative refuses `reply` without `sink` (the reply is what the sink answered).
    if (props.reply !== undefined && props.sink === undefined) {
      invalid(this, 'reply', props.reply.discardsResponse ? 'discard' : props.reply.responseExpression ?? 'sinkResponse', 'needs a sink: without one the transformed event itself is the reply',
        'give a sink, or leave reply unset');
    }
    const replyExpression = props.reply?.responseExpression !== undefined ? requireJsonata(this, 'reply.expression', props.reply.responseExpression) : undefined;

    // Knative copies the expressions into ConfigMap `<name>-jsonata`, whose data the API server caps at 1 MiB.
    const bytes = utf8Bytes(this.expression) + (replyExpression !== undefined ? utf8Bytes(replyExpression) : 0);
    if (bytes > CONFIG_MAP_MAX_BYTES) {
      invalid(this, 'expression', `${bytes} bytes`, `does not fit the ConfigMap ${this.name}-jsonata Knative stores it in (at most ${CONFIG_MAP_MAX_BYTES} bytes of data)`,
        'move lookup tables out of the expression (e.g. into the event data)');
    }
    this.objectRef = { apiVersion: EventTransformL1.GVK.apiVersion, kind: EventTransformL1.GVK.kind, namespace: this.namespace, name: this.name };
    this.url = `http://${this.name}-jsonata.${this.namespace}.svc.${clusterDomain(this)}`;
    this.podSelector = { 'eventing.knative.dev/event-transform-jsonata': 'true', 'eventing.knative.dev/event-transform-name': this.name };
    const labels = recommendedLabels({ name: 'event-transform', instance: this.name, component: 'event-transform' });
    this.resource = new EventTransformL1(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace, labels },
      spec: {
        jsonata: { expression: this.expression },
        sink: props.sink?.destinationFrom(this.namespace),
        reply: props.reply === undefined || (!props.reply.discardsResponse && replyExpression === undefined)
          ? undefined
          : props.reply.discardsResponse ? { discard: true } : { jsonata: { expression: replyExpression } },
      },
    });
    DeployHints.awaitCondition(this.resource, 'Ready');
    const by = 'the Knative EventTransform controller (knative-eventing)';
    for (const [apiVersion, kind] of [['apps/v1', 'Deployment'], ['v1', 'Service'], ['v1', 'ConfigMap']]) {
      DeployHints.implies(this.resource, { apiVersion, kind, namespace: this.namespace, name: `${this.name}-jsonata` }, by);
    }
    if (props.sink) DeployHints.implies(this.resource, { apiVersion: 'sources.knative.dev/v1', kind: 'SinkBinding', namespace: this.namespace, name: `${this.name}-jsonata` }, by);

    this.ingressPolicy = new IngressPolicy(this, 'IngressPolicy', {
      name: `${this.name}-transform-ingress`,
      namespace: this.namespace,
      podSelector: this.podSelector,
      labels,
      servingPorts: [TRANSFORM_PORT],
    });

    if (props.sink) {
      Wiring.connect({
        kind: EdgeKind.SENDS_EVENTS,
        from: this,
        to: props.sink,
        detail: this.emits.map((t) => t.type).join(', '),
        once: true,
        admit: [{ into: props.sink, peer: this.peer }],
        order: [{ waiter: this.resource, waitsFor: props.sink.objectRef }],
        events: { via: 'EventTransform', realizedBy: this, produces: this.emits },
      });
      PlatformModel.of(this)._addCheck('event-transform-loops', () => checkTransformLoops(this));
    }
  }

  /** The transform's pods, as a peer a sink lets in. */
  public get peer(): PodPeer {
    return { namespace: this.namespace, podSelector: { ...this.podSelector }, description: `event transform ${this.namespace}/${this.name}` };
  }

  public destinationFrom(fromNamespace: string): EventDestination {
    return fromNamespace === this.namespace
      ? { ref: { apiVersion: this.objectRef.apiVersion, kind: this.objectRef.kind, name: this.name } }
      : { uri: this.url };
  }

  /** Lets pods post events to the transform. */
  public admit(peer: PodPeer, options?: AdmitOptions): Admission {
    return this.ingressPolicy.admit(peer, options);
  }
}

/**
 * A transform whose sink is a broker that delivers the transform's own output back to it turns each event into
 * another without end (the Knative docs' "infinite event loop"). Refused when the subscription provably selects an
 * emitted type: no filter at all, or an exact `type` filter (alone) naming one of the types the transform emits.
 */
function checkTransformLoops(scope: IConstruct): void {
  const model = PlatformModel.of(scope);
  for (const edge of model.edges) {
    const transform = edge.to;
    if (edge.kind !== EdgeKind.DELIVERS_EVENTS || !(transform instanceof EventTransform) || !transform.sink) continue;
    if (!sameSink(edge.from as IEventSink, transform.sink)) continue;
    const needs = subscriptionNeeds(edge.events?.filters ?? []);
    if (!needs) continue;
    const keys = Object.keys(needs);
    const looping = keys.length === 0 ? transform.emits[0] : keys.length === 1 && needs.type !== undefined ? transform.emits.find((t) => t.type === needs.type) : undefined;
    if (!looping) continue;
    invalid(edge.events?.realizedBy ?? transform, 'filters', keys.length ? needs : 'none',
      `deliver the event type "${looping.type}" that ${describe(transform)} emits back to it through ${describe(edge.from)}, its own sink: each output becomes its next input, without end`,
      'filter the subscription on the input types only (e.g. EventFilter.type(...)), or send the transform to another sink');
  }
}
