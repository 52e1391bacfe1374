/**
 * TektonRunResults: its JSONata executed as the transform image runs it on Tekton's own run events (v1beta1
 * payloads), every CDEvent it emits valid against the pinned v0.5.1 schema; its objects strictly valid; its wiring.
 */
import { Testing } from 'cdk8s';
import {
  CDEvents, CDEventsSeverity, EventFilter, KnativeFunction, RabbitmqBroker, RabbitmqCluster, TektonEvents, TektonRunResults,
} from '../../constructs';
import { CANCEL_REASONS, PIPELINE_TIMEOUT_CANCEL_MESSAGE, TEKTON_RESULTS_EXTENSIONS } from '../../constructs/cdevents/tekton-results-jsonata';
import { CLOUDEVENTS_ATTRIBUTES, expectCDEvent, runTransform, TransformResult } from '../support/cdevents';
import { findObject, synthValid, testChart, validationError } from '../support/k8s';
import { pipelineRun, taskRun, tektonEvent } from './fixtures';

function results(props: Partial<ConstructorParameters<typeof TektonRunResults>[2]> = {}) {
  const { app, chart } = testChart('cd');
  const cluster = new RabbitmqCluster(chart, 'rabbit');
  const broker = new RabbitmqBroker(chart, 'events', { cluster });
  const r = new TektonRunResults(chart, 'tekton-cdevents', { broker, ...props });
  return { app, chart, broker, r };
}

const { r: defaults } = results();
const run = (type: string, data: any, expression = defaults.transform.expression): Promise<TransformResult> => runTransform(expression, tektonEvent(type, data));

const loadTest = (o: { uid: string; succeeded: 'True' | 'False'; reason?: string; message?: string; results?: { [k: string]: string }; params?: { [k: string]: string } }) => taskRun({
  name: 'loadtest-score-00002-load-test', task: 'k6-load-test', labels: { [TektonRunResults.TEST_SUITE_LABEL]: 'score-latency', 'tekton.dev/pipelineRun': 'loadtest-score-00002', 'tekton.dev/pipeline': 'loadtest' },
  params: { url: 'http://score.functions.svc.cluster.local', environment: 'functions', ...o.params }, ...o,
});

describe('TektonRunResults JSONata, executed as the transform image does', () => {
  test('a load test whose thresholds failed (the task succeeded, its verdict is failure): testsuiterun.finished, outcome failure', async () => {
    const tr = loadTest({ uid: 'aaaa-1', succeeded: 'True', results: { 'p95-ms': '612.4', 'error-rate': '0.031', outcome: 'failure', reason: 'p95 612 ms > 500 ms' } });
    const r = await run(TektonEvents.TASK_RUN_SUCCESSFUL.type, { taskRun: tr });
    const cdevent = expectCDEvent(r, CDEvents.TEST_SUITE_RUN_FINISHED);
    expect(r.input.data.taskRun.status.taskResults).toHaveLength(4);
    expect(cdevent.subject.content).toEqual({
      environment: { id: 'functions' },
      testSuite: { id: 'score-latency', name: 'k6-load-test' },
      outcome: 'failure',
      severity: 'high',
      reason: 'p95 612 ms > 500 ms; p95-ms=612.4; error-rate=0.031',
    });
    // `outcome` promoted: a Trigger filter {type, outcome: failure} selects it.
    expect(r.event).toMatchObject({ outcome: 'failure', testsuite: 'score-latency', id: 'aaaa-1/finished', subject: 'cd/loadtest-score-00002-load-test' });
    expect(cdevent.customData).toEqual({
      params: { url: 'http://score.functions.svc.cluster.local', environment: 'functions' },
      results: { 'p95-ms': '612.4', 'error-rate': '0.031', outcome: 'failure', reason: 'p95 612 ms > 500 ms' },
    });
    const extensions = Object.keys(r.output).filter((k) => !CLOUDEVENTS_ATTRIBUTES.includes(k));
    expect(extensions.sort()).toEqual([...TEKTON_RESULTS_EXTENSIONS].sort());
    for (const name of extensions) expect(name).toMatch(/^[a-z0-9]{1,20}$/);
  });

  test('a passing load test: outcome success, no severity; the environment from the run label when there is no param', async () => {
    const tr = loadTest({ uid: 'aaaa-2', succeeded: 'True', params: { environment: '' }, results: { 'p95-ms': '88', 'error-rate': '0', outcome: 'success' } });
    tr.metadata.labels[TektonRunResults.ENVIRONMENT_LABEL] = 'staging';
    const r = await run(TektonEvents.TASK_RUN_SUCCESSFUL.type, { taskRun: tr });
    const cdevent = expectCDEvent(r, CDEvents.TEST_SUITE_RUN_FINISHED);
    expect(cdevent.subject.content).toEqual({ environment: { id: 'staging' }, testSuite: { id: 'score-latency', name: 'k6-load-test' }, outcome: 'success', reason: 'p95-ms=88; error-rate=0' });
    expect(r.event.outcome).toBe('success');
  });

  test('a load test that failed before its verdict: outcome error, severity medium, the condition message as reason; cancelled: cancel', async () => {
    const tr = loadTest({ uid: 'aaaa-3', succeeded: 'False', reason: 'TaskRunTimeout', message: 'TaskRun "loadtest-score-00002-load-test" failed to finish within "10m0s"' });
    const r = await run(TektonEvents.TASK_RUN_FAILED.type, { taskRun: tr });
    const cdevent = expectCDEvent(r, CDEvents.TEST_SUITE_RUN_FINISHED);
    expect(cdevent.subject.content).toMatchObject({ outcome: 'error', severity: 'medium', reason: 'TaskRun "loadtest-score-00002-load-test" failed to finish within "10m0s"' });
    // The namespace when neither param nor label names the environment.
    const noEnv = loadTest({ uid: 'aaaa-4', succeeded: 'False', reason: 'TaskRunCancelled', message: '', params: { environment: '' } });
    const c = await run(TektonEvents.TASK_RUN_FAILED.type, { taskRun: noEnv });
    expect(expectCDEvent(c, CDEvents.TEST_SUITE_RUN_FINISHED).subject.content).toEqual({
      environment: { id: 'cd' }, testSuite: { id: 'score-latency', name: 'k6-load-test' }, outcome: 'cancel', reason: 'TaskRunCancelled',
    });
  });

  test('a load test Tekton cancelled because its PipelineRun timed out is an error (no verdict), not a cancel', async () => {
    const message = `TaskRun "loadtest-score-00002-load-test" was cancelled. ${PIPELINE_TIMEOUT_CANCEL_MESSAGE}`;
    const tr = loadTest({ uid: 'aaaa-5', succeeded: 'False', reason: 'TaskRunCancelled', message });
    const r = await run(TektonEvents.TASK_RUN_FAILED.type, { taskRun: tr });
    expect(expectCDEvent(r, CDEvents.TEST_SUITE_RUN_FINISHED).subject.content).toMatchObject({ outcome: 'error', severity: 'medium', reason: message });
    expect(r.event.outcome).toBe('error');
    // Cancelled by a user (Tekton's own reasons of v1.15.0: TaskRunCancelled for a TaskRun, Cancelled for a PipelineRun).
    expect(CANCEL_REASONS).toEqual(['TaskRunCancelled', 'Cancelled']);
    const byUser = await run(TektonEvents.TASK_RUN_FAILED.type, { taskRun: loadTest({ uid: 'aaaa-6', succeeded: 'False', reason: 'TaskRunCancelled', message: 'TaskRun "x" was cancelled. ' }) });
    expect(byUser.event.outcome).toBe('cancel');
    const pr = pipelineRun({ name: 'loadtest-score-00002', pipeline: 'loadtest', uid: 'cccc-9', succeeded: 'False', reason: 'Cancelled', message: 'PipelineRun "loadtest-score-00002" was cancelled' });
    const cancelled = await run(TektonEvents.PIPELINE_RUN_FAILED.type, { pipelineRun: pr });
    expect(expectCDEvent(cancelled, CDEvents.PIPELINE_RUN_FINISHED).subject.content.outcome).toBe('cancel');
  });

  test('other task runs: taskrun.finished (success and failure, with their pipeline run), and taskrun.started', async () => {
    const build = (uid: string, succeeded?: 'True' | 'False') => taskRun({
      name: 'release-build', task: 'build', uid, succeeded, message: succeeded === 'False' ? '"step-build" exited with code 1' : undefined,
      labels: { 'tekton.dev/pipelineRun': 'release-7', 'tekton.dev/pipeline': 'release' }, results: { digest: 'sha256:' + 'd'.repeat(64) },
    });
    const ok = await run(TektonEvents.TASK_RUN_SUCCESSFUL.type, { taskRun: build('bbbb-1', 'True') });
    expect(expectCDEvent(ok, CDEvents.TASK_RUN_FINISHED).subject.content).toEqual({
      taskName: 'build', uri: 'https://kubernetes.default.svc/apis/tekton.dev/v1/namespaces/cd/taskruns/release-build',
      pipelineRun: { id: 'cd/release-7', source: '/apis/tekton.dev/v1/namespaces/cd/pipelineruns/release-7' }, outcome: 'success',
    });
    expect(ok.event.outcome).toBe('success');
    expect(ok.event.testsuite).toBeUndefined();
    const failed = await run(TektonEvents.TASK_RUN_FAILED.type, { taskRun: build('bbbb-2', 'False') });
    expect(expectCDEvent(failed, CDEvents.TASK_RUN_FINISHED).subject.content).toMatchObject({ outcome: 'failure', errors: '"step-build" exited with code 1' });
    const started = await run(TektonEvents.TASK_RUN_STARTED.type, { taskRun: build('bbbb-3', undefined) });
    expect(expectCDEvent(started, CDEvents.TASK_RUN_STARTED).subject.content.taskName).toBe('build');
    expect(started.event.id).toBe('bbbb-3/started');
    expect(started.event.outcome).toBeUndefined();
  });

  test('pipeline runs: pipelinerun.finished (success, failure) and pipelinerun.started (uri required)', async () => {
    const pr = (uid: string, succeeded?: 'True' | 'False', reason?: string) => pipelineRun({ name: 'loadtest-score-00002', pipeline: 'loadtest', uid, succeeded, reason, message: succeeded === 'False' ? 'Tasks Completed: 1 (Failed: 1, Cancelled 0), Skipped: 0' : undefined, results: { outcome: 'failure' } });
    const ok = await run(TektonEvents.PIPELINE_RUN_SUCCESSFUL.type, { pipelineRun: pr('cccc-1', 'True') });
    expect(expectCDEvent(ok, CDEvents.PIPELINE_RUN_FINISHED).subject.content).toEqual({
      pipelineName: 'loadtest', uri: 'https://kubernetes.default.svc/apis/tekton.dev/v1/namespaces/cd/pipelineruns/loadtest-score-00002', outcome: 'success',
    });
    const failed = await run(TektonEvents.PIPELINE_RUN_FAILED.type, { pipelineRun: pr('cccc-2', 'False', 'Failed') });
    expect(expectCDEvent(failed, CDEvents.PIPELINE_RUN_FINISHED).subject.content).toMatchObject({ outcome: 'failure', errors: 'Tasks Completed: 1 (Failed: 1, Cancelled 0), Skipped: 0' });
    expect(failed.event.outcome).toBe('failure');
    const started = await run(TektonEvents.PIPELINE_RUN_STARTED.type, { pipelineRun: pr('cccc-3') });
    expect(expectCDEvent(started, CDEvents.PIPELINE_RUN_STARTED).subject.content).toEqual({
      pipelineName: 'loadtest', uri: 'https://kubernetes.default.svc/apis/tekton.dev/v1/namespaces/cd/pipelineruns/loadtest-score-00002',
    });
  });

  test('a duplicate send of the same run and phase is the same event; everything else is the ignored type, never nothing', async () => {
    const tr = loadTest({ uid: 'dddd-1', succeeded: 'True', results: { outcome: 'success' } });
    const a = await run(TektonEvents.TASK_RUN_SUCCESSFUL.type, { taskRun: tr });
    const b = await run(TektonEvents.TASK_RUN_SUCCESSFUL.type, { taskRun: tr });
    expect(a.input.id).not.toBe(b.input.id);
    expect([b.event.id, b.event.source]).toEqual([a.event.id, a.event.source]);
    for (const [type, data] of [
      [TektonEvents.TASK_RUN_QUEUED.type, { taskRun: taskRun({ name: 'q', task: 'build', uid: 'q-1' }) }],
      [TektonEvents.TASK_RUN_RUNNING.type, { taskRun: taskRun({ name: 'q', task: 'build', uid: 'q-1', succeeded: 'Unknown' }) }],
      [TektonEvents.PIPELINE_RUN_UNKNOWN.type, { pipelineRun: pipelineRun({ name: 'p', pipeline: 'release', uid: 'p-1', succeeded: 'Unknown' }) }],
      [TektonEvents.CUSTOM_RUN_SUCCESSFUL.type, { customRun: { metadata: { name: 'c', namespace: 'cd' } } }],
      // A pipelinerun type whose data holds a task run: not trusted.
      [TektonEvents.PIPELINE_RUN_SUCCESSFUL.type, { taskRun: taskRun({ name: 'x', task: 'build', uid: 'x-1', succeeded: 'True' }) }],
    ] as Array<[string, any]>) {
      const r = await run(type, data);
      expect({ type, out: r.event.type }).toEqual({ type, out: TektonRunResults.IGNORED.type });
      expect(r.event.data.tektonType).toBe(type);
    }
  });

  test('props reach the expression: test suites by Task name, severities, the param naming the environment, the API server', async () => {
    const { r } = results({ testSuiteTasks: ['smoke'], failureSeverity: CDEventsSeverity.CRITICAL, environmentParam: 'target-env', apiServerUrl: 'https://api.prod.example:6443' });
    const smoke = taskRun({ name: 'smoke-1', task: 'smoke', uid: 'eeee-1', succeeded: 'True', params: { 'target-env': 'prod' }, results: { outcome: 'failure' } });
    const s = await run(TektonEvents.TASK_RUN_SUCCESSFUL.type, { taskRun: smoke }, r.transform.expression);
    expect(expectCDEvent(s, CDEvents.TEST_SUITE_RUN_FINISHED).subject.content).toEqual({ environment: { id: 'prod' }, testSuite: { id: 'smoke', name: 'smoke' }, outcome: 'failure', severity: 'critical' });
    const other = taskRun({ name: 'b-1', task: 'build', uid: 'eeee-2', succeeded: 'True' });
    const o = await run(TektonEvents.TASK_RUN_SUCCESSFUL.type, { taskRun: other }, r.transform.expression);
    expect(expectCDEvent(o, CDEvents.TASK_RUN_FINISHED).subject.content.uri).toBe('https://api.prod.example:6443/apis/tekton.dev/v1/namespaces/cd/taskruns/b-1');
  });
});

describe('TektonRunResults objects and wiring', () => {
  test('a transform into the broker, subscribed to exactly the six Tekton types it maps; failures routable by outcome', () => {
    const { chart, broker, r } = results();
    const notify = new KnativeFunction(chart, 'notify', { image: 'ghcr.io/example/notify@sha256:' + 'e'.repeat(64) });
    broker.subscribe(notify, { filters: [EventFilter.type(CDEvents.TEST_SUITE_RUN_FINISHED), EventFilter.exact({ outcome: 'failure' })] });
    const objects = synthValid(chart);
    const transform = findObject(objects, 'EventTransform', 'tekton-cdevents');
    expect(transform.spec.sink).toEqual({ ref: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: 'events' } });
    const triggers = objects.filter((o) => o.kind === 'Trigger' && o.spec.subscriber.ref?.kind === 'EventTransform');
    expect(triggers.map((t) => [t.metadata.name, t.spec.filter.attributes.type]).sort()).toEqual(TektonRunResults.CONSUMES.map((t) => [
      `tekton-cdevents-${t.type.split('.')[3]}-${t.type.split('.')[4]}`, t.type,
    ]).sort());
    expect(r.subscriptions).toHaveLength(6);
    // The broker's dispatchers may reach the transform; the transform's pods may post to the broker.
    const policy = findObject(objects, 'NetworkPolicy', 'tekton-cdevents-transform-ingress');
    expect(policy.spec.ingress).toHaveLength(1);
    expect(policy.spec.ingress[0].ports).toEqual([{ port: 8080, protocol: 'TCP' }]);
    expect(TektonRunResults.CONSUMES.every((t) => t.isExternal)).toBe(true);
  });

  test('bad input: not a broker, a bad label key, a bad param name, a bad severity, an API server URL with a path, a name too long', () => {
    const { chart, broker } = results();
    expect(validationError(() => new TektonRunResults(chart, 'a', { broker: {} as any })).message).toMatch(/a: broker \(\{\}\) must be a broker/);
    expect(validationError(() => new TektonRunResults(chart, 'b', { broker, testSuiteLabel: 'not a key' })).message).toMatch(/b: testSuiteLabel \("not a key"\)/);
    expect(validationError(() => new TektonRunResults(chart, 'c', { broker, environmentParam: '1env' })).message).toMatch(/environmentParam \("1env"\) is not a Tekton param name/);
    expect(validationError(() => new TektonRunResults(chart, 'd', { broker, failureSeverity: 'urgent' as any })).message).toMatch(/failureSeverity \("urgent"\) must be one of low, medium, high, critical/);
    expect(validationError(() => new TektonRunResults(chart, 'd2', { broker, errorSeverity: 'meh' as any })).message).toMatch(/errorSeverity \("meh"\) must be one of low, medium, high, critical; use CDEventsSeverity/);
    expect(validationError(() => new TektonRunResults(chart, 'e', { broker, apiServerUrl: 'https://api.example/x' })).message).toMatch(/apiServerUrl \("https:\/\/api.example\/x"\) must be an http\(s\) URL with no path/);
    expect(validationError(() => new TektonRunResults(chart, 'f', { broker, testSuiteTasks: ['Bad_Task'] })).message).toMatch(/testSuiteTasks\[0\]/);
    expect(validationError(() => new TektonRunResults(chart, 'x'.repeat(40), { broker })).message).toMatch(/must be at most 39 characters/);
    expect(() => Testing.synth(chart)).not.toThrow();
  });
});
