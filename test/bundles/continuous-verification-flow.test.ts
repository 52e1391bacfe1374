/**
 * ContinuousVerification end to end, hop by hop, on the objects the bundle synthesizes — each hop's output is the
 * next hop's input, so a name that one piece writes and the next reads (an extension, a header, a label, a result,
 * a filter attribute) must agree:
 *
 *   ApiServerSource event → lifecycle EventTransform (JSONata, as the transform image runs it)
 *   → the broker's Triggers (exact attribute filters) → binary-mode delivery to the EventListener
 *   → its CEL interceptors, TriggerBinding and TriggerTemplate (Tekton Triggers v0.37.0, emulated) → the PipelineRun
 *   → the TaskRun Tekton makes of the pipeline task (labels: PipelineRun's, then the Task's — pipeline v1.15.0
 *     pkg/reconciler/pipelinerun getTaskrunLabels, pkg/reconciler/taskrun storeTaskSpecAndMergeMeta)
 *   → Tekton's `taskrun.successful` event (v1beta1 payload) → the broker's Triggers → the results EventTransform
 *   → the broker's Triggers → the failure sink.
 */
import { Chart, Duration, Testing } from 'cdk8s';
import { CloudEvent, HTTP } from 'cloudevents';
import { ContinuousVerification, EventDrivenPlatform, FunctionsPlatform, K6LoadTest, TektonEvents } from '../../constructs';
import { runTransform } from '../support/cdevents';
import { findObject, synthValid } from '../support/k8s';
import { ListenerRequest, pipelineRunValidator, renderTemplate, resolveBindings, runInterceptors } from '../support/tekton-triggers';
import { ROLLOUT, apiServerEvent, taskRun, tektonEvent } from '../cdevents/fixtures';

const IMAGE = 'ghcr.io/example/fn@sha256:' + 'a'.repeat(64);

function build() {
  const app = Testing.app();
  // The fixtures' Knative Service is functions/score: verify a function of that name.
  const fns = new FunctionsPlatform(new Chart(app, 'fns', { disableResourceNameHashes: true }), 'P', {
    namespace: 'functions', functions: [{ name: 'score', image: IMAGE }], redis: {},
  });
  const events = new EventDrivenPlatform(new Chart(app, 'events', { disableResourceNameHashes: true }), 'E', { namespace: 'events', broker: { name: 'game' } });
  const chart = new Chart(app, 'cv', { disableResourceNameHashes: true });
  const cv = new ContinuousVerification(chart, 'CV', {
    namespace: 'delivery', broker: events.broker, functions: [fns.functionNamed('score')],
    loadTest: { duration: Duration.seconds(30), rate: 10, p95LatencyMs: 500, maxErrorRate: 0.01 },
  });
  const objects = synthValid(chart);
  const brokerTriggers = Testing.synth(events.node.scope as Chart).filter((o) => o.apiVersion === 'eventing.knative.dev/v1' && o.kind === 'Trigger');
  return { cv, objects, brokerTriggers };
}

/** What the broker does with an event: the Triggers whose (exact) attribute filter it passes. */
function routed(triggers: any[], event: CloudEvent<any>): any[] {
  const attributes = event as unknown as { [k: string]: unknown };
  return triggers.filter((t) => Object.entries(t.spec.filter?.attributes ?? {}).every(([k, v]) => attributes[k] === v));
}

/** A Knative broker's delivery to a subscriber: binary mode, attributes and extensions as `ce-` headers. */
function binaryDelivery(event: CloudEvent<any>): ListenerRequest {
  const message = HTTP.binary(event);
  const headers = Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k, String(v)]));
  return { headers, body: typeof message.body === 'string' ? message.body : JSON.stringify(message.body) };
}

describe('ContinuousVerification, hop by hop', () => {
  const { cv, objects, brokerTriggers } = build();
  const transform = (name: string) => findObject(objects, 'EventTransform', name).spec.jsonata.expression as string;
  const listenerTrigger = findObject(objects, 'Trigger', cv.listener.name);
  const binding = findObject(objects, 'TriggerBinding', cv.listener.name);
  const template = findObject(objects, 'TriggerTemplate', cv.listener.name);
  const subscriberOf = (t: any) => t.spec.subscriber.uri ?? t.spec.subscriber.ref?.name;

  /** Lifecycle event → broker → listener: the PipelineRun the listener creates. */
  async function runFor(service: any): Promise<any> {
    const lifecycle = await runTransform(transform(cv.lifecycle.transform.name), apiServerEvent('update', service));
    const toListener = routed(brokerTriggers, lifecycle.event).filter((t) => subscriberOf(t) === `http://${cv.listener.serviceName}.delivery.svc.cluster.local`);
    expect(toListener).toHaveLength(1);
    const request = binaryDelivery(lifecycle.event);
    const chain = runInterceptors(listenerTrigger.spec.interceptors, request);
    expect(chain.continue).toBe(true);
    const [run] = renderTemplate(template.spec.resourcetemplates, resolveBindings(binding.spec.params, request, chain.extensions));
    return run;
  }

  test('a deployed revision starts one PipelineRun with the function\'s URL and namespace; a repeated status write names the same run', async () => {
    const run = await runFor(ROLLOUT.gen1Ready);
    expect(run.metadata.name).toMatch(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/);
    expect(run.metadata.name).toBe('verify-6f1c2b8e-4a5d-4e0f-9b3a-2c7d8e9f0a1b-score-00001');
    expect(run.spec.params).toEqual([
      { name: K6LoadTest.PARAM_TARGET_URL, value: ROLLOUT.gen1Ready.status.url },
      { name: K6LoadTest.PARAM_ENVIRONMENT, value: 'functions' },
    ]);
    expect(pipelineRunValidator().validate(run)).toEqual([]);
    expect((await runFor(ROLLOUT.gen1ReadyAgain)).metadata.name).toBe(run.metadata.name);
    // The upgrade is another revision: another run.
    expect((await runFor(ROLLOUT.gen2Ready)).metadata.name).toBe('verify-6f1c2b8e-4a5d-4e0f-9b3a-2c7d8e9f0a1b-score-00002');
  });

  test('the k6 TaskRun carries the test-suite label from its Task, and its failed verdict reaches the failure sink', async () => {
    const run = await runFor(ROLLOUT.gen2Ready);
    const pipeline = findObject(objects, 'Pipeline', ContinuousVerification.PIPELINE_NAME);
    const pipelineTask = pipeline.spec.tasks.find((t: any) => t.name === ContinuousVerification.TASK_NAME);
    const task = findObject(objects, 'Task', pipelineTask.taskRef.name);
    // Tekton: the TaskRun takes the PipelineRun's labels and the pipeline-task labels, then the Task's labels
    // (the TaskRun's win), and its params are the pipeline task's with the run's values substituted.
    const runParams = Object.fromEntries(run.spec.params.map((p: any) => [p.name, p.value]));
    const params = Object.fromEntries(pipelineTask.params.map((p: any) => [p.name, String(p.value).replace(/\$\(params\.([a-z-]+)\)/g, (_m: string, n: string) => runParams[n])]));
    const labels = {
      ...task.metadata.labels,
      ...run.metadata.labels,
      'tekton.dev/pipeline': pipeline.metadata.name,
      'tekton.dev/pipelineRun': run.metadata.name,
      'tekton.dev/pipelineTask': pipelineTask.name,
    };
    const taskRunName = `${run.metadata.name}-${pipelineTask.name}`.slice(0, 63);
    const results = { 'p95-ms': '812.0', 'error-rate': '0.0000', outcome: 'failure', reason: 'p95 812.0 ms is not below 500 ms (300 requests, p95 812.0 ms, error rate 0.0000)' };
    expect(Object.keys(results).sort()).toEqual(task.spec.results.map((r: any) => r.name).sort());
    const tr = taskRun({ name: taskRunName, namespace: 'delivery', task: task.metadata.name, uid: 'b1e2c3d4-0000-4000-8000-000000000001', succeeded: 'True', labels, params, results });

    const tektonSent = HTTP.toEvent(tektonEvent(TektonEvents.TASK_RUN_SUCCESSFUL.type, { taskRun: tr })) as CloudEvent<any>;
    const toResults = routed(brokerTriggers, tektonSent);
    expect(toResults.map(subscriberOf)).toEqual([cv.results!.transform.url]);
    const verdict = await runTransform(transform(cv.results!.transform.name), tektonEvent(TektonEvents.TASK_RUN_SUCCESSFUL.type, { taskRun: tr }));
    expect(verdict.event.type).toBe('dev.cdevents.testsuiterun.finished.0.3.0');
    expect(verdict.event.data.subject.content).toMatchObject({ outcome: 'failure', environment: { id: 'functions' }, testSuite: { id: ContinuousVerification.TASK_NAME } });
    const toAlerts = routed(brokerTriggers, verdict.event);
    expect(toAlerts.map(subscriberOf)).toEqual([`http://${cv.failureSink.name}.delivery.svc.cluster.local`]);

    // A load test that gave no verdict (its TaskRun timed out before k6 wrote a result) is reported too.
    const timedOut = taskRun({
      name: taskRunName, namespace: 'delivery', task: task.metadata.name, uid: 'b1e2c3d4-0000-4000-8000-000000000002', succeeded: 'False',
      reason: 'TaskRunTimeout', message: 'TaskRun "x" failed to finish within "10m0s"', labels, params,
    });
    const noVerdict = await runTransform(transform(cv.results!.transform.name), tektonEvent(TektonEvents.TASK_RUN_FAILED.type, { taskRun: timedOut }));
    expect(noVerdict.event.data.subject.content).toMatchObject({ outcome: 'error', severity: 'medium' });
    expect(routed(brokerTriggers, noVerdict.event).map(subscriberOf)).toEqual([`http://${cv.failureSink.name}.delivery.svc.cluster.local`]);

    // A passing verdict goes nowhere.
    const passed = await runTransform(transform(cv.results!.transform.name), tektonEvent(TektonEvents.TASK_RUN_SUCCESSFUL.type, {
      taskRun: { ...tr, status: { ...tr.status, taskResults: tr.status.taskResults.map((r: any) => (r.name === 'outcome' ? { ...r, value: 'success' } : r)) } },
    }));
    expect(routed(brokerTriggers, passed.event)).toEqual([]);
  });
});
