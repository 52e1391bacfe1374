/**
 * ServiceLifecycleEvents: its JSONata executed as the transform image runs it on a Knative Service's whole rollout,
 * every CDEvent it emits valid against the pinned v0.5.1 schema; its objects strictly valid; its wiring.
 */
import { Testing } from 'cdk8s';
import {
  CDEvents, ChannelBroker, EdgeKind, EventCatalog, EventFilter, RabbitmqBroker, RabbitmqCluster, ServiceLifecycleEvents,
} from '../../constructs';
import { PlatformModel } from '../../constructs/core/model';
import { SERVICE_LIFECYCLE_EXTENSIONS } from '../../constructs/cdevents/service-lifecycle-jsonata';
import { CLOUDEVENTS_ATTRIBUTES, cdeventsValidator, expectCDEvent, runTransform, TransformResult } from '../support/cdevents';
import { findObject, synthValid, testChart, validationError } from '../support/k8s';
import { API_SERVER, ROLLOUT, UID, apiServerEvent } from './fixtures';

function lifecycle(namespace = 'cd') {
  const { app, chart } = testChart(namespace);
  const cluster = new RabbitmqCluster(chart, 'rabbit', { namespace });
  const broker = new RabbitmqBroker(chart, 'events', { cluster, namespace });
  const events = new ServiceLifecycleEvents(chart, 'ksvc-lifecycle', { sink: broker, watchNamespaces: ['functions'] });
  return { app, chart, broker, events };
}

const { events } = lifecycle();
const expression = events.transform.expression;
const run = (verb: 'add' | 'update' | 'delete', obj: any): Promise<TransformResult> => runTransform(expression, apiServerEvent(verb, obj));

describe('ServiceLifecycleEvents JSONata, executed as the transform image does', () => {
  test('created, not ready yet: the unsettled type, no CDEvent', async () => {
    const r = await run('add', ROLLOUT.createdNotReady);
    expect(r.event.type).toBe(ServiceLifecycleEvents.UNSETTLED.type);
    expect(r.event.data).toMatchObject({ generation: 1, observedGeneration: 1, ready: false, latestCreatedRevisionName: 'score-00001' });
    expect(r.event.data.context).toBeUndefined();
    // The input was the structured event with its data parsed (as the image reads it).
    expect(r.input).toMatchObject({ type: 'dev.knative.apiserver.resource.add', source: API_SERVER, kind: 'Service', namespace: 'functions', data: { metadata: { uid: UID } } });
  });

  test('generation 1 ready: service.deployed, id <uid>/<revision>, image as artifact, namespace as environment', async () => {
    const r = await run('update', ROLLOUT.gen1Ready);
    const cdevent = expectCDEvent(r, CDEvents.SERVICE_DEPLOYED);
    expect(r.event.id).toBe(`${UID}/score-00001`);
    expect(cdevent.subject).toEqual({
      id: 'functions/score',
      source: '/apis/serving.knative.dev/v1/namespaces/functions/services/score',
      content: { environment: { id: 'functions', source: API_SERVER }, artifactId: ROLLOUT.gen1Ready.spec.template.spec.containers[0].image },
    });
    expect(cdevent.customData).toEqual({ url: 'http://score.functions.svc.cluster.local', revision: 'score-00001', generation: 1, image: ROLLOUT.gen1Ready.spec.template.spec.containers[0].image });
    // Promoted for Trigger filters and TriggerBindings.
    expect(r.event).toMatchObject({ revision: 'score-00001', ksvcurl: 'http://score.functions.svc.cluster.local', ksvcname: 'score', ksvcnamespace: 'functions' });
    // Exactly the documented extensions, each a valid CloudEvents attribute name.
    const extensions = Object.keys(r.output).filter((k) => !CLOUDEVENTS_ATTRIBUTES.includes(k));
    expect(extensions.sort()).toEqual([...SERVICE_LIFECYCLE_EXTENSIONS].sort());
    for (const name of extensions) expect(name).toMatch(/^[a-z0-9]{1,20}$/);
    // The event's time is the source's (as the SDK in the image reads it: milliseconds).
    expect(r.event.time).toMatch(/^2026-11-29T10:0\d:00\.123Z$/);
  });

  test('a repeated status write of the same revision is the same event (same id and source)', async () => {
    const a = await run('update', ROLLOUT.gen1Ready);
    const b = await run('update', ROLLOUT.gen1ReadyAgain);
    expect([b.event.type, b.event.id, b.event.source]).toEqual([a.event.type, a.event.id, a.event.source]);
    const c = await run('update', ROLLOUT.gen2Ready);
    const d = await run('update', ROLLOUT.gen2ReadyAgain);
    expect(d.event.id).toBe(c.event.id);
    expect(c.event.id).not.toBe(a.event.id);
  });

  test('generation 2: unobserved and rolling are unsettled; ready is service.upgraded with the new image', async () => {
    expect((await run('update', ROLLOUT.gen2Unobserved)).event.type).toBe(ServiceLifecycleEvents.UNSETTLED.type);
    expect((await run('update', ROLLOUT.gen2Rolling)).event.type).toBe(ServiceLifecycleEvents.UNSETTLED.type);
    const r = await run('update', ROLLOUT.gen2Ready);
    const cdevent = expectCDEvent(r, CDEvents.SERVICE_UPGRADED);
    expect(r.event.id).toBe(`${UID}/score-00002`);
    expect(cdevent.subject.content.artifactId).toBe(ROLLOUT.gen2Ready.spec.template.spec.containers[0].image);
    expect(r.event.revision).toBe('score-00002');
  });

  test('a failed revision is unsettled, and deleting is service.removed with id <uid>/removed', async () => {
    expect((await run('update', ROLLOUT.gen3Failed)).event.type).toBe(ServiceLifecycleEvents.UNSETTLED.type);
    const r = await run('delete', ROLLOUT.deleted);
    const cdevent = expectCDEvent(r, CDEvents.SERVICE_REMOVED);
    expect(r.event.id).toBe(`${UID}/removed`);
    // removed's content allows no artifactId (additionalProperties: false).
    expect(cdevent.subject.content).toEqual({ environment: { id: 'functions', source: API_SERVER } });
  });

  test('every stage returns an event (a transform that returns nothing answers 500)', async () => {
    for (const [stage, obj] of Object.entries(ROLLOUT)) {
      for (const verb of ['add', 'update', 'delete'] as const) {
        const r = await run(verb, obj);
        expect({ stage, verb, type: typeof r.event.type }).toEqual({ stage, verb, type: 'string' });
        if (r.event.type.startsWith('dev.cdevents.')) expect({ stage, verb, problems: cdeventsValidator().validate(r.event.data) }).toEqual({ stage, verb, problems: [] });
      }
    }
    // Even an object that is not a Service at all.
    const odd = await runTransform(expression, apiServerEvent('update', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'functions' } }));
    expect(odd.event.type).toBe(ServiceLifecycleEvents.UNSETTLED.type);
  });
});

describe('ServiceLifecycleEvents objects and wiring', () => {
  test('an ApiServerSource on opted-in Knative Services, reading Services only, into the transform, into the broker', () => {
    const { chart } = lifecycle();
    const objects = synthValid(chart);
    const source = findObject(objects, 'ApiServerSource', 'ksvc-lifecycle');
    expect(source.spec).toMatchObject({
      mode: 'Resource',
      serviceAccountName: 'ksvc-lifecycle-apiserver-source',
      resources: [{ apiVersion: 'serving.knative.dev/v1', kind: 'Service', selector: { matchLabels: { 'platform-blueprints.io/cdevents': 'true' } } }],
      namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['functions'] }] },
      sink: { ref: { apiVersion: 'eventing.knative.dev/v1alpha1', kind: 'EventTransform', name: 'ksvc-lifecycle-cdevents' } },
    });
    const roles = objects.filter((o) => o.kind === 'Role');
    expect(roles.map((r) => [r.metadata.namespace, r.rules])).toEqual([
      ['functions', [{ apiGroups: ['serving.knative.dev'], resources: ['services'], verbs: ['get', 'list', 'watch'] }]],
    ]);
    const transform = findObject(objects, 'EventTransform', 'ksvc-lifecycle-cdevents');
    expect(transform.spec.sink).toEqual({ ref: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: 'events' } });
    expect(transform.spec.jsonata.expression).toBe(expression);
    // The transform admits the source's adapter; the broker admits the transform's pods.
    const transformPolicy = findObject(objects, 'NetworkPolicy', 'ksvc-lifecycle-cdevents-transform-ingress');
    expect(transformPolicy.spec.podSelector.matchLabels).toEqual({ 'eventing.knative.dev/event-transform-jsonata': 'true', 'eventing.knative.dev/event-transform-name': 'ksvc-lifecycle-cdevents' });
    expect(transformPolicy.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { 'eventing.knative.dev/source': 'apiserver-source-controller', 'eventing.knative.dev/sourceName': 'ksvc-lifecycle' } } }], ports: [{ port: 8080, protocol: 'TCP' }] }]);
    const brokerPolicy = findObject(objects, 'NetworkPolicy', 'events-broker-ingress');
    expect(brokerPolicy.spec.ingress).toContainEqual({ from: [{ podSelector: { matchLabels: transformPolicy.spec.podSelector.matchLabels } }], ports: [{ port: 8080, protocol: 'TCP' }] });
  });

  test('the catalog sees the CDEvents produced into the broker, so subscriptions to them check out', () => {
    const { app, chart, broker, events: e } = lifecycle();
    const consumer = new ChannelBroker(chart, 'sink-broker');
    broker.subscribe(consumer, { filters: [EventFilter.type(CDEvents.SERVICE_UPGRADED)] });
    const produced = EventCatalog.of(chart).producers.filter((p) => p.sink === broker).map((p) => [p.producer, p.type.type]);
    expect(produced).toEqual(e.emits.map((t) => [e.transform, t.type]));
    expect(() => Testing.synth(chart)).not.toThrow();
    const edges = PlatformModel.of(app).edges.filter((x) => x.kind === EdgeKind.SENDS_EVENTS).map((x) => [x.from.node.path, x.to.node.path]);
    expect(edges).toEqual([['test/ksvc-lifecycle/Transform', 'test/events'], ['test/ksvc-lifecycle/Source', 'test/ksvc-lifecycle/Transform']]);
    // A type it does not produce is still refused.
    broker.subscribe(consumer, { name: 'rolled-back', filters: [EventFilter.type(CDEvents.SERVICE_ROLLED_BACK)] });
    expect(() => Testing.synth(chart)).toThrow(/event type "dev\.cdevents\.service\.rolledback\.0\.3\.0", which nothing produces/);
  });

  test('bad input: an empty selector (every Service), a bad label, a name too long', () => {
    const { chart, broker } = lifecycle();
    expect(validationError(() => new ServiceLifecycleEvents(chart, 'all', { sink: broker, selector: {} })).message)
      .toMatch(/selector \(\{\}\) must name at least one label: an empty selector watches every Knative Service/);
    expect(validationError(() => new ServiceLifecycleEvents(chart, 'bad', { sink: broker, selector: { 'a b': 'x' } })).message).toMatch(/selector key \("a b"\)/);
    expect(validationError(() => new ServiceLifecycleEvents(chart, 'x'.repeat(41), { sink: broker })).message).toMatch(/name \("x{41}"\) must be at most 40 characters/);
    expect(validationError(() => new ServiceLifecycleEvents(chart, 'nosink', { sink: undefined as any })).message).toMatch(/nosink: sink \(undefined\) is required/);
  });
});
