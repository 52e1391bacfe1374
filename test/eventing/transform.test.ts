/**
 * The EventTransform L2: JSONata checked at synth, sink or reply, the Knative object strictly valid, and its wiring
 * (admission both ways, deploy order, catalog, the loop it can make with its own broker).
 */
import { Testing } from 'cdk8s';
import {
  ApiServerSource, ApiServerSourceMode, ChannelBroker, CloudEventType, EventCatalog, EventFilter, EventTransform, KnativeFunction, RabbitmqBroker,
  RabbitmqCluster, TransformReply,
} from '../../constructs';
import { DeployHints } from '../../constructs/core/deploy-hints';
import { runTransform, binaryMessage } from '../support/cdevents';
import { findObject, synthValid, testChart, validationError } from '../support/k8s';

const OUT = CloudEventType.of('dev.example.score.normalized.v1');
const IDENTITY_RETYPE = '$merge([$, {"type": "dev.example.score.normalized.v1", "data": {"points": data.score * 10}}])';

function setup() {
  const { app, chart } = testChart('events');
  const cluster = new RabbitmqCluster(chart, 'rabbit');
  const broker = new RabbitmqBroker(chart, 'game', { cluster });
  return { app, chart, broker };
}

describe('EventTransform', () => {
  test('with a broker as sink: a valid EventTransform, its pods admitted by the broker, the broker\'s dispatchers by it', () => {
    const { chart, broker } = setup();
    const t = new EventTransform(chart, 'normalize', { expression: IDENTITY_RETYPE, emits: [OUT], sink: broker });
    broker.subscribe(t, { filters: [EventFilter.type(CloudEventType.external('dev.example.score.v1'))] });
    const objects = synthValid(chart);
    expect(findObject(objects, 'EventTransform', 'normalize').spec).toEqual({
      jsonata: { expression: IDENTITY_RETYPE },
      sink: { ref: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: 'game' } },
    });
    const policy = findObject(objects, 'NetworkPolicy', 'normalize-transform-ingress');
    expect(policy.spec.podSelector.matchLabels).toEqual({ 'eventing.knative.dev/event-transform-jsonata': 'true', 'eventing.knative.dev/event-transform-name': 'normalize' });
    expect(policy.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: broker.dataPlane.podSelector } }], ports: [{ port: 8080, protocol: 'TCP' }] }]);
    expect(findObject(objects, 'NetworkPolicy', 'game-broker-ingress').spec.ingress).toContainEqual({ from: [{ podSelector: { matchLabels: t.podSelector } }], ports: [{ port: 8080, protocol: 'TCP' }] });
    // Knative makes <name>-jsonata Deployment, Service and ConfigMap (and a SinkBinding for the sink).
    expect(DeployHints.impliedObjects(t.resource).map((o) => `${o.ref.kind}/${o.ref.name}`).sort()).toEqual(['ConfigMap/normalize-jsonata', 'Deployment/normalize-jsonata', 'Service/normalize-jsonata', 'SinkBinding/normalize-jsonata']);
    expect(EventCatalog.of(chart).producers.filter((p) => p.producer === t).map((p) => [p.type.type, p.sink])).toEqual([[OUT.type, broker]]);
  });

  test('reply settings: discard, a reply expression, none without sink (the event is the reply), and its address across namespaces', () => {
    const { chart, broker } = setup();
    const fn = new KnativeFunction(chart, 'fn', { image: 'ghcr.io/example/fn@sha256:' + 'f'.repeat(64) });
    new EventTransform(chart, 'discard', { expression: '$', emits: [OUT], sink: fn, reply: TransformReply.discard() });
    new EventTransform(chart, 'reshape', { expression: '$', emits: [OUT], sink: fn, reply: TransformReply.expression('$merge([$, {"type": "dev.example.ack.v1"}])') });
    new EventTransform(chart, 'as-is', { expression: '$', emits: [OUT], sink: fn, reply: TransformReply.sinkResponse() });
    const replying = new EventTransform(chart, 'replying', { expression: '$', emits: [OUT] });
    const objects = synthValid(chart);
    expect(findObject(objects, 'EventTransform', 'discard').spec.reply).toEqual({ discard: true });
    expect(findObject(objects, 'EventTransform', 'reshape').spec.reply).toEqual({ jsonata: { expression: '$merge([$, {"type": "dev.example.ack.v1"}])' } });
    expect(findObject(objects, 'EventTransform', 'as-is').spec.reply).toBeUndefined();
    expect(findObject(objects, 'EventTransform', 'replying').spec).toEqual({ jsonata: { expression: '$' } });
    expect(replying.destinationFrom('events')).toEqual({ ref: { apiVersion: 'eventing.knative.dev/v1alpha1', kind: 'EventTransform', name: 'replying' } });
    expect(replying.destinationFrom('other')).toEqual({ uri: 'http://replying-jsonata.events.svc.cluster.local' });
    expect(broker).toBeDefined();
  });

  test('a source can target it: the source\'s adapter is admitted, the source waits for the transform', () => {
    const { chart, broker } = setup();
    const t = new EventTransform(chart, 'cm-to-event', { expression: '$merge([$, {"type": "dev.example.config.changed.v1"}])', emits: [CloudEventType.of('dev.example.config.changed.v1')], sink: broker });
    const source = new ApiServerSource(chart, 'cms', { mode: ApiServerSourceMode.RESOURCE, resources: [{ apiVersion: 'v1', kind: 'ConfigMap' }], sink: t });
    const objects = synthValid(chart);
    expect(findObject(objects, 'ApiServerSource', 'cms').spec.sink).toEqual({ ref: { apiVersion: 'eventing.knative.dev/v1alpha1', kind: 'EventTransform', name: 'cm-to-event' } });
    expect(findObject(objects, 'NetworkPolicy', 'cm-to-event-transform-ingress').spec.ingress[0].from[0].podSelector.matchLabels).toEqual({ 'eventing.knative.dev/source': 'apiserver-source-controller', 'eventing.knative.dev/sourceName': 'cms' });
    expect(DeployHints.referencesOf(source.resource)).toContainEqual(t.objectRef);
  });

  test('the image\'s contract: an expression returning nothing fails (HTTP 500), one returning a structured CloudEvent passes', async () => {
    const msg = binaryMessage({ specversion: '1.0', id: '1', type: 'dev.example.score.v1', source: '/game' }, { score: 4 });
    const ok = await runTransform(IDENTITY_RETYPE, msg);
    expect(ok.event.type).toBe(OUT.type);
    expect(ok.event.data).toEqual({ points: 40 });
    await expect(runTransform('$[type = "other"]', msg)).rejects.toThrow(/would answer HTTP 500: the expression returned undefined/);
    // Not a CloudEvent (no specversion): the receiver cannot read it.
    await expect(runTransform('{"points": data.score}', msg)).rejects.toThrow();
  });

  test('bad input: JSONata syntax errors with their position, no emits, a reply without sink, wrong types, a long name', () => {
    const { chart, broker } = setup();
    const e1 = validationError(() => new EventTransform(chart, 'bad', { expression: '$merge([$, {"type": "x"}]', emits: [OUT], sink: broker }));
    expect(e1.message).toMatch(/^test\/bad: expression \(.+\) is not valid JSONata: Expected "\)" before end of expression \(S0203\) at position 25 near ".+"; fix the expression/);
    const e2 = validationError(() => new EventTransform(chart, 'bad2', { expression: '(\n  $a := data.x;\n  $a +* 2\n)', emits: [OUT] }));
    expect(e2.message).toMatch(/is not valid JSONata: .*at position 2\d/);
    expect(validationError(() => new EventTransform(chart, 'empty', { expression: '  ', emits: [OUT] })).message).toMatch(/expression \(" {2}"\) must be a JSONata expression/);
    expect(validationError(() => new EventTransform(chart, 'none', { expression: '$', emits: [] })).message)
      .toMatch(/emits \(\[\]\) must list the CloudEvent types the expression returns \(a transform always returns an event\)/);
    expect(validationError(() => new EventTransform(chart, 'str', { expression: '$', emits: ['dev.example.x' as any] })).message).toMatch(/emits\[0\] \("dev.example.x"\) must be a CloudEventType/);
    expect(validationError(() => new EventTransform(chart, 'nosink', { expression: '$', emits: [OUT], reply: TransformReply.discard() })).message)
      .toMatch(/reply \("discard"\) needs a sink: without one the transformed event itself is the reply/);
    expect(validationError(() => new EventTransform(chart, 'badreply', { expression: '$', emits: [OUT], sink: broker, reply: TransformReply.expression('$$$(') })).message).toMatch(/reply\.expression \("\$\$\$\("\) is not valid JSONata/);
    expect(validationError(() => new EventTransform(chart, 'obj', { expression: '$', emits: [OUT], sink: broker, reply: { discard: true } as any })).message).toMatch(/reply \(\{"discard":true\}\) must be a TransformReply/);
    const huge = `{"specversion": "1.0", "id": id, "source": source, "type": "dev.example.big.v1", "data": "${'é'.repeat(524288)}"}`;
    expect(validationError(() => new EventTransform(chart, 'huge', { expression: huge, emits: [OUT] })).message)
      .toMatch(/expression \("10486\d\d bytes"\) does not fit the ConfigMap huge-jsonata Knative stores it in \(at most 1048576 bytes of data\)/);
    expect(validationError(() => new EventTransform(chart, 'x'.repeat(56), { expression: '$', emits: [OUT] })).message).toMatch(/must be at most 55 characters; the transform's Deployment and Service are named <name>-jsonata/);
  });

  test('a transform subscribed to its own sink broker on a type it emits loops without end: refused at synth', () => {
    const { chart, broker } = setup();
    const t = new EventTransform(chart, 'loop', { expression: IDENTITY_RETYPE, emits: [OUT], sink: broker });
    broker.subscribe(t, { name: 'loop-in', filters: [EventFilter.type(OUT)] });
    expect(() => Testing.synth(chart)).toThrow(/test\/loop-in\/Resource|test\/.*loop-in.*: filters \(\{"type":"dev\.example\.score\.normalized\.v1"\}\) deliver the event type "dev\.example\.score\.normalized\.v1" that events\/loop emits back to it through events\/game, its own sink/);
    // No filter at all loops too; a filter on another type does not; another broker does not.
    const { chart: c2, broker: b2 } = setup();
    b2.subscribe(new EventTransform(c2, 'all', { expression: IDENTITY_RETYPE, emits: [OUT], sink: b2 }));
    expect(() => Testing.synth(c2)).toThrow(/filters \("none"\) deliver the event type/);
    const { chart: c3, broker: b3 } = setup();
    const other = new ChannelBroker(c3, 'other');
    b3.subscribe(new EventTransform(c3, 'ok', { expression: IDENTITY_RETYPE, emits: [OUT], sink: b3 }), { filters: [EventFilter.type(CloudEventType.external('dev.example.score.v1'))] });
    other.subscribe(new EventTransform(c3, 'ok2', { expression: IDENTITY_RETYPE, emits: [OUT], sink: b3 }));
    expect(() => Testing.synth(c3)).not.toThrow();
  });
});
