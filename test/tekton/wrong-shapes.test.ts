/**
 * The CDEvents / Tekton constructs given values of the wrong shape (what a JavaScript caller, a YAML-fed bundle or a
 * jsii binding can pass despite the types): every one is a ValidationError naming the construct, the field and the
 * value — never a TypeError from deep inside.
 */
import { Chart, Duration, Size, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  CDEvents, ContinuousVerification, EventDrivenPlatform, EventTransform, EventTriggeredPipeline, EventValue, FunctionsPlatform, K6LoadTest,
  RabbitmqBroker, RabbitmqCluster, ServiceLifecycleEvents, TektonEventsSink, TektonPipeline, TektonRunResults, TektonTask, ValidationError,
} from '../../constructs';
import { testChart, validationError } from '../support/k8s';

const IMAGE = 'ghcr.io/example/tool@sha256:' + 'a'.repeat(64);
const RESOURCES: kplus.ContainerResources = { cpu: { request: kplus.Cpu.millis(10) }, memory: { request: Size.mebibytes(16), limit: Size.mebibytes(16) } };
const LOAD = { duration: Duration.seconds(30), rate: 10, p95LatencyMs: 500, maxErrorRate: 0.01 };

/** Values of the wrong shape for almost any field. */
const WRONG: unknown[] = [null, 0, 'x', true, {}, [null], () => 1, Symbol.for('pb')];

function env() {
  const { app, chart } = testChart('ci');
  const broker = new RabbitmqBroker(chart, 'events', { cluster: new RabbitmqCluster(chart, 'rabbit') });
  const task = new TektonTask(chart, 'task', { params: [{ name: 'url' }], steps: [{ name: 's', image: IMAGE, script: 'echo "$(params.url)"', resources: RESOURCES }] });
  const pipeline = new TektonPipeline(chart, 'pipeline', { params: [{ name: 'url' }], tasks: [{ name: 'a', task, params: { url: '$(params.url)' } }] });
  return { app, chart, broker, task, pipeline };
}

/** Each construct with valid props, and how to build it with one field replaced. */
const CASES: Array<{ name: string; props: (e: ReturnType<typeof env>) => any; make: (e: ReturnType<typeof env>, props: any) => unknown }> = [
  { name: 'EventTransform', props: (e) => ({ expression: '$', emits: [CDEvents.SERVICE_DEPLOYED], sink: e.broker }), make: (e, p) => new EventTransform(e.chart, 'et', p) },
  { name: 'ServiceLifecycleEvents', props: (e) => ({ sink: e.broker, watchNamespaces: ['functions'], selector: { a: 'b' } }), make: (e, p) => new ServiceLifecycleEvents(e.chart, 'sl', p) },
  {
    name: 'TektonRunResults',
    props: (e) => ({ broker: e.broker, testSuiteLabel: 'example.com/suite', testSuiteTasks: ['load'], environmentParam: 'env', apiServerUrl: 'https://k' }),
    make: (e, p) => new TektonRunResults(e.chart, 'tr', p),
  },
  { name: 'TektonEventsSink', props: (e) => ({ broker: e.broker }), make: (e, p) => new TektonEventsSink(e.chart, 'ts', p) },
  {
    name: 'TektonTask',
    props: () => ({ params: [{ name: 'url' }], results: [{ name: 'r' }], workspaces: [], steps: [{ name: 's', image: IMAGE, script: 'echo', resources: RESOURCES }] }),
    make: (e, p) => new TektonTask(e.chart, 't', p),
  },
  {
    name: 'TektonTask step',
    props: () => ({ name: 's', image: IMAGE, args: ['a'], writablePaths: ['/tmp'], resources: RESOURCES, env: { A: 'b' } }),
    make: (e, p) => new TektonTask(e.chart, 't', { steps: [p] }),
  },
  {
    name: 'TektonPipeline',
    props: (e) => ({ params: [{ name: 'url' }], tasks: [{ name: 'a', task: e.task, params: { url: '$(params.url)' } }], finally: [], results: [], workspaces: [] }),
    make: (e, p) => new TektonPipeline(e.chart, 'p', p),
  },
  { name: 'K6LoadTest', props: () => ({ ...LOAD, requestTimeout: Duration.seconds(1), preAllocatedVus: 2, maxVus: 4 }), make: (e, p) => new K6LoadTest(e.chart, 'k6', p) },
  {
    name: 'EventTriggeredPipeline',
    props: (e) => ({ pipeline: e.pipeline, consumes: [CDEvents.SERVICE_DEPLOYED], params: { url: EventValue.attribute('ksvcurl') }, runNameAttribute: 'id', runNamePrefix: 'v' }),
    make: (e, p) => new EventTriggeredPipeline(e.chart, 'el', p),
  },
];

function label(v: unknown): string {
  return typeof v === 'symbol' ? 'a symbol' : typeof v === 'function' ? 'a function' : JSON.stringify(v);
}

describe('wrong shapes are ValidationErrors', () => {
  test.each(CASES.map((c) => [c.name, c]))('%s: props and each field, replaced by a value of the wrong shape', (_name, c) => {
    const keys = Object.keys(c.props(env()));
    const failures: string[] = [];
    const attempt = (what: string, props: (e: ReturnType<typeof env>) => any) => {
      const e = env();
      try {
        c.make(e, props(e));
      } catch (err) {
        if (!ValidationError.isValidationError(err)) failures.push(`${what}: ${(err as Error).constructor.name}: ${(err as Error).message}`);
      }
    };
    for (const v of [undefined, ...WRONG]) attempt(`props = ${label(v)}`, () => v);
    for (const key of keys) for (const v of WRONG) attempt(`${key} = ${label(v)}`, (e) => ({ ...c.props(e), [key]: v }));
    expect(failures).toEqual([]);
  });

  test('what the messages say', () => {
    const e = env();
    expect(validationError(() => new EventTransform(e.chart, 'a', null as any)).message)
      .toBe('test/a: props (null) must be an object; pass the construct\'s props');
    expect(validationError(() => new EventTransform(e.chart, 'b', undefined as any)).message)
      .toBe('test/b: props (undefined) must be an object; give expression and emits');
    expect(validationError(() => new EventTransform(e.chart, 'c', { expression: '$', emits: [CDEvents.SERVICE_DEPLOYED], sink: 'http://example.com' as any })).message)
      .toBe('test/c: sink ("http://example.com") must be an event sink; pass a broker, a function or another event sink, or leave sink out to reply to the caller');
    expect(validationError(() => new ServiceLifecycleEvents(e.chart, 'd', { sink: {} as any })).message)
      .toBe('test/d: sink ({}) must be an event sink; pass the broker the CDEvents go to');
    expect(validationError(() => new ServiceLifecycleEvents(e.chart, 'f', { sink: e.broker, watchNamespaces: 'functions' as any })).message)
      .toBe('test/f/Source: watchNamespaces ("functions") must be a list');
    expect(validationError(() => new ServiceLifecycleEvents(e.chart, 'g', { sink: e.broker, watchNamespaces: ['functions', 'functions'] })).message)
      .toBe('test/g/Source: watchNamespaces ("functions") is used more than once; list each namespace once');
    expect(validationError(() => new TektonRunResults(e.chart, 'h', { broker: e.broker, testSuiteTasks: [null as any] })).message)
      .toBe('test/h: testSuiteTasks[0] (null) is empty; list Task names, e.g. ["load-test"]');
    expect(validationError(() => new TektonTask(e.chart, 'i', { steps: [{ name: 's', image: IMAGE, command: ['sh', 1 as any], resources: RESOURCES }] })).message)
      .toBe('test/i: steps[0].command[1] (1) must be a string');
    expect(validationError(() => new TektonTask(e.chart, 'j', { steps: [{ name: 's', image: IMAGE, script: 'echo', resources: 'small' as any }] })).message)
      .toBe('test/j: steps[0].resources ("small") is required; set cpu.request, memory.request and memory.limit');
    expect(validationError(() => new TektonPipeline(e.chart, 'k', { tasks: [{ name: 'a', task: e.task, params: { url: 'x' } }], finally: {} as any })).message)
      .toBe('test/k: finally ({}) must be a list; give each task a name and a task');
    expect(validationError(() => new K6LoadTest(e.chart, 'l', undefined as any)).message)
      .toBe('test/l: props (undefined) must be an object; give duration, rate, p95LatencyMs and maxErrorRate');
    expect(validationError(() => new EventTriggeredPipeline(e.chart, 'm', { pipeline: e.pipeline, consumes: [CDEvents.SERVICE_DEPLOYED], runNameAttribute: true as any })).message)
      .toMatch(/^test\/m: runNameAttribute \(true\) is not a CloudEvents attribute name/);
  });

  test('ContinuousVerification: a failure sink that is not a sink', () => {
    const app = Testing.app();
    const fns = new FunctionsPlatform(new Chart(app, 'fns'), 'P', { namespace: 'functions', functions: [{ name: 'hello', image: IMAGE }], redis: {} });
    const events = new EventDrivenPlatform(new Chart(app, 'events'), 'E', { namespace: 'events', broker: { name: 'game' } });
    expect(validationError(() => new ContinuousVerification(new Chart(app, 'cv'), 'CV', {
      namespace: 'delivery', broker: events.broker, functions: [fns.functionNamed('hello')], loadTest: LOAD, onFailure: 'http://alerts' as any,
    })).message).toBe('cv/CV: onFailure ("http://alerts") must be an event sink; pass a function (or another event sink) that receives failed verdicts, or leave it out for the default');
  });
});
