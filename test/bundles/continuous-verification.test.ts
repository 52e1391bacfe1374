import { App, Chart, Duration, Testing } from 'cdk8s';
import {
  CDEvents, CDEventsSeverity, ContinuousVerification, EventCatalog, EventDrivenPlatform, FunctionsPlatform, KnativeFunction, PlatformGraph, TektonEvents,
  TektonEventsSink,
} from '../../constructs';
import { findObject, synthValid, validationError } from '../support/k8s';

const IMAGE = 'ghcr.io/example/fn@sha256:' + 'a'.repeat(64);
const LOAD = { duration: Duration.seconds(30), rate: 20, p95LatencyMs: 500, maxErrorRate: 0.01 };

function platform(app: App = Testing.app()) {
  const fns = new FunctionsPlatform(new Chart(app, 'fns', { disableResourceNameHashes: true }), 'P', {
    namespace: 'functions',
    functions: [{ name: 'hello', image: IMAGE }, { name: 'echo', image: IMAGE }],
    redis: {},
  });
  const events = new EventDrivenPlatform(new Chart(app, 'events', { disableResourceNameHashes: true }), 'E', { namespace: 'events', broker: { name: 'game' } });
  const chart = new Chart(app, 'cv', { disableResourceNameHashes: true });
  return { app, fns, events, chart };
}

describe('ContinuousVerification', () => {
  test('the whole flow: lifecycle source and transform, k6 pipeline started by events, Tekton results, failures to a notification function', () => {
    const { fns, events, chart } = platform();
    const cv = new ContinuousVerification(chart, 'CV', {
      namespace: 'delivery', broker: events.broker, functions: [fns.functionNamed('hello')], loadTest: LOAD,
    });
    const objects = synthValid(chart);
    const fnObjects = Testing.synth(fns.node.scope as Chart);
    const eventObjects = Testing.synth(events.node.scope as Chart);

    // Pod Security restricted in the verification namespace.
    expect(findObject(objects, 'Namespace', 'delivery').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    // The verified function opted in; the other did not.
    expect(findObject(fnObjects, 'Service', 'hello', 'serving.knative.dev/v1').metadata.labels['platform-blueprints.io/cdevents']).toBe('true');
    expect(findObject(fnObjects, 'Service', 'echo', 'serving.knative.dev/v1').metadata.labels['platform-blueprints.io/cdevents']).toBeUndefined();
    // The source watches the functions' namespace with a Role there (get/list/watch on Knative Services only).
    const source = findObject(objects, 'ApiServerSource', 'service-lifecycle');
    expect(source.spec.mode).toBe('Resource');
    expect(source.spec.resources).toEqual([{ apiVersion: 'serving.knative.dev/v1', kind: 'Service', selector: { matchLabels: { 'platform-blueprints.io/cdevents': 'true' } } }]);
    const roles = objects.filter((o) => o.kind === 'Role' && o.metadata.namespace === 'functions');
    expect(roles.flatMap((r) => r.rules)).toEqual([{ apiGroups: ['serving.knative.dev'], resources: ['services'], verbs: ['get', 'list', 'watch'] }]);

    // The load test: a labelled Task (its TaskRuns are test suites), a pipeline passing the URL and environment.
    const task = findObject(objects, 'Task', 'load-test');
    expect(task.metadata.labels['platform-blueprints.io/test-suite']).toBe('load-test');
    const pipeline = findObject(objects, 'Pipeline', 'verify');
    expect(pipeline.spec.tasks).toEqual([expect.objectContaining({
      name: 'load-test', taskRef: { kind: 'Task', name: 'load-test' },
      params: [{ name: 'target-url', value: '$(params.target-url)' }, { name: 'environment', value: '$(params.environment)' }],
    })]);

    // Lifecycle events start it (one Trigger per type, in the broker's namespace, to the listener's Service).
    for (const type of ['deployed', 'upgraded']) {
      const trigger = findObject(eventObjects, 'Trigger', `delivery-verify-${type}`);
      expect(trigger.spec.filter).toEqual({ attributes: { type: `dev.cdevents.service.${type}.0.3.0` } });
      expect(trigger.spec.subscriber).toEqual({ uri: 'http://el-verify-on-deploy.delivery.svc.cluster.local' });
    }
    const template = findObject(objects, 'TriggerTemplate', 'verify-on-deploy');
    const run = template.spec.resourcetemplates[0];
    expect(run.metadata.name).toMatch(/^verify-\$\(tt\.params\./);
    expect(run.spec.params).toEqual([
      { name: 'target-url', value: expect.stringMatching(/^\$\(tt\.params\./) },
      { name: 'environment', value: expect.stringMatching(/^\$\(tt\.params\./) },
    ]);

    // Tekton's events reach the broker: the broker admits the events controller; the results transform reads them.
    const ingress = eventObjects.filter((o) => o.kind === 'NetworkPolicy').flatMap((p) => p.spec.ingress ?? []);
    expect(ingress).toContainEqual(expect.objectContaining({
      from: [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'tekton-pipelines' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/component': 'events', 'app.kubernetes.io/part-of': 'tekton-pipelines' } },
      }],
    }));
    expect(findObject(eventObjects, 'Trigger', 'tekton-cdevents-taskrun-successful').spec.filter).toEqual({ attributes: { type: 'dev.tekton.event.taskrun.successful.v1' } });
    expect(findObject(objects, 'EventTransform', 'tekton-cdevents').spec.sink).toEqual({ uri: events.broker.address });

    // Failed verdicts go to the notification function.
    const failures = findObject(eventObjects, 'Trigger', 'delivery-failures');
    expect(failures.spec).toMatchObject({
      filter: { attributes: { type: 'dev.cdevents.testsuiterun.finished.0.3.0', outcome: 'failure' } },
      subscriber: { uri: 'http://verification-alerts.delivery.svc.cluster.local' },
    });
    // ... and so do load tests that gave no verdict (timed out, image not pulled, pod refused).
    expect(findObject(eventObjects, 'Trigger', 'delivery-errors').spec).toMatchObject({
      filter: { attributes: { type: 'dev.cdevents.testsuiterun.finished.0.3.0', outcome: 'error' } },
      subscriber: { uri: 'http://verification-alerts.delivery.svc.cluster.local' },
    });
    expect(cv.failureSink.name).toBe('verification-alerts');
    expect(TektonEventsSink.of(chart)?.broker).toBe(events.broker);
    expect(TektonEventsSink.of(chart)?.sink).toBe(events.broker);
  });

  test('the catalog follows the flow: every consumed type has a producer, across Knative, Tekton and the transforms', () => {
    const { fns, events, chart, app } = platform();
    new ContinuousVerification(chart, 'CV', { namespace: 'delivery', broker: events.broker, functions: [fns.functionNamed('hello')], loadTest: LOAD });
    const catalog = EventCatalog.of(app);
    const producers = (type: string) => catalog.producers.filter((p) => p.type.type === type).map((p) => p.producer.node.path);
    expect(producers(CDEvents.SERVICE_DEPLOYED.type)).toEqual(['cv/CV/Lifecycle/Transform']);
    expect(producers(CDEvents.TEST_SUITE_RUN_FINISHED.type)).toEqual(['cv/CV/Results/Transform']);
    expect(producers(TektonEvents.TASK_RUN_SUCCESSFUL.type)).toEqual(['cv/CV/TektonEvents']);
    expect(catalog.consumers.flatMap((c) => catalog.unproducedTypes(c)).map((t) => t.type)).toEqual([]);
    // The alert function subscribes twice to testsuiterun.finished (failure, error): the catalog names it once per type.
    const row = catalog.renderMarkdown('events').split('\n').find((l) => l.startsWith(`| \`${CDEvents.TEST_SUITE_RUN_FINISHED.type}\``));
    expect(row?.endsWith(' | delivery/verification-alerts |')).toBe(true);
    const graph = PlatformGraph.of(app);
    expect(graph.edges.some((e) => e.from.node.path === 'cv/CV/TektonEvents' && e.to === events.broker)).toBe(true);
  });

  test('bad input: what, where and how to fix', () => {
    const { fns, events, chart, app } = platform();
    expect(validationError(() => new ContinuousVerification(chart, 'a', { namespace: 'delivery-a', broker: events.broker, functions: [], loadTest: LOAD })).message)
      .toBe('cv/a: functions ([]) must list at least one function to verify; e.g. [platform.functionNamed("hello")]');
    expect(validationError(() => new ContinuousVerification(chart, 'b', { namespace: 'delivery-b', broker: {} as any, functions: [fns.functionNamed('hello')], loadTest: LOAD })).message)
      .toBe('cv/b: broker ({}) must be a broker; pass the event platform\'s broker (EventDrivenPlatform.broker)');
    const imported = KnativeFunction.fromFunctionAttributes(chart, 'ext', { name: 'pay', namespace: 'payments' });
    expect(validationError(() => new ContinuousVerification(chart, 'c', { namespace: 'delivery-c', broker: events.broker, functions: [imported], loadTest: LOAD })).message)
      .toMatch(/^cv\/c: functions\[0\] \("payments\/pay"\) is not a function of this app, so its Knative Service cannot be labelled here; have its owner add the label platform-blueprints.io\/cdevents=true/);
    expect(validationError(() => new ContinuousVerification(chart, 'd', {
      namespace: 'delivery-d', broker: events.broker, functions: [fns.functionNamed('hello'), fns.functionNamed('hello')], loadTest: LOAD,
    })).message).toContain('functions');
    expect(validationError(() => new ContinuousVerification(chart, 'e', {
      namespace: 'delivery-e', broker: events.broker, functions: [fns.functionNamed('hello')], loadTest: { ...LOAD, rate: 0 },
    })).message).toMatch(/rate \(0\)/);
    expect(validationError(() => new ContinuousVerification(chart, 'f', undefined as any)).message)
      .toBe('cv/f: props (undefined) are required; give namespace, broker, functions and loadTest');
    expect(validationError(() => new ContinuousVerification(chart, 'g', { namespace: 'delivery-g', broker: events.broker, functions: [fns.functionNamed('hello')] } as any)).message)
      .toMatch(/^cv\/g: loadTest \(undefined\) is required; e\.g\. \{ duration: Duration\.seconds\(30\)/);
    expect(validationError(() => new ContinuousVerification(chart, 'h', { namespace: 'delivery-h', broker: events.broker, functions: [null as any], loadTest: LOAD })).message)
      .toBe('cv/h: functions[0] (null) must be a function; pass a KnativeFunction (e.g. platform.functionNamed("hello"))');
    const optedOut = new KnativeFunction(chart, 'opted-out', { namespace: 'functions', image: IMAGE, labels: { 'platform-blueprints.io/cdevents': 'false' } });
    expect(validationError(() => new ContinuousVerification(chart, 'i', { namespace: 'delivery-i', broker: events.broker, functions: [optedOut], loadTest: LOAD })).message)
      .toBe('cv/i: functions[0].labels.platform-blueprints.io/cdevents ("false") differs from the opt-in value "true"; remove the label from the function\'s props');
    expect(validationError(() => new TektonEventsSink(chart, 'sink', { broker: fns as any })).message)
      .toMatch(/^cv\/sink: broker \(.*\) must be a broker; pass the broker Tekton's run events should arrive on/);
    // Tekton has one events sink per cluster: a second one is refused, naming the first.
    new ContinuousVerification(new Chart(app, 'one'), 'CV', { namespace: 'd1', broker: events.broker, functions: [fns.functionNamed('hello')], loadTest: LOAD });
    expect(validationError(() => new ContinuousVerification(new Chart(app, 'two'), 'CV', {
      namespace: 'd2', broker: events.broker, functions: [fns.functionNamed('echo')], loadTest: LOAD,
    })).message).toMatch(/^two\/CV\/TektonEvents: broker \("events\/game"\) is a second Tekton events sink; one\/CV\/TektonEvents already sends them to events\/game/);
    // ... unless the second one leaves Tekton's events to the first.
    const second = new ContinuousVerification(new Chart(app, 'three'), 'CV', {
      namespace: 'd3', broker: events.broker, functions: [fns.functionNamed('echo')], loadTest: LOAD, tektonEvents: false,
    });
    expect(second.results).toBeUndefined();
    expect(validationError(() => new ContinuousVerification(new Chart(app, 'four'), 'CV', {
      namespace: 'd4', broker: events.broker, functions: [fns.functionNamed('echo')], loadTest: LOAD, tektonEvents: false, failureSeverity: CDEventsSeverity.LOW,
    })).message).toMatch(/^four\/CV: failureSeverity \("low"\) has no effect without tektonEvents/);
  });
});
