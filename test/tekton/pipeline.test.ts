import { Chart, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { ITektonPipeline, PlatformPolicy, TektonParamType, TektonPipeline, TektonPipelineProps, TektonTask } from '../../constructs';
import { SchemaValidator } from '../../scripts/lib/schema-validator';
import { findObject, synthValid, testChart, validationError } from '../support/k8s';

const IMAGE = `cgr.dev/chainguard/busybox:1.37@sha256:${'b'.repeat(64)}`;
const RESOURCES: kplus.ContainerResources = { cpu: { request: kplus.Cpu.millis(50) }, memory: { request: Size.mebibytes(32), limit: Size.mebibytes(64) } };

function tasks(chart: Chart) {
  const fetch = new TektonTask(chart, 'fetch', {
    params: [{ name: 'url' }, { name: 'retries', defaultValue: '3' }],
    results: [{ name: 'digest' }],
    steps: [{ name: 'get', image: IMAGE, script: 'echo $(params.url) $(params.retries) > $(results.digest.path)', resources: RESOURCES }],
  });
  const check = new TektonTask(chart, 'check', {
    params: [{ name: 'digest' }, { name: 'names', type: TektonParamType.ARRAY, defaultValues: [] }],
    steps: [{ name: 'check', image: IMAGE, command: ['echo'], args: ['$(params.digest)', '$(params.names[*])'], resources: RESOURCES }],
  });
  const report = new TektonTask(chart, 'report', {
    params: [{ name: 'status' }],
    steps: [{ name: 'report', image: IMAGE, script: 'echo $(params.status)', resources: RESOURCES }],
  });
  return { fetch, check, report };
}

function build(props: (t: ReturnType<typeof tasks>) => Partial<TektonPipelineProps> = () => ({})) {
  const { chart } = testChart();
  const t = tasks(chart);
  const pipeline = new TektonPipeline(chart, 'verify', {
    params: [{ name: 'url' }, { name: 'names', type: TektonParamType.ARRAY, defaultValues: ['a'] }],
    tasks: [
      { name: 'fetch', task: t.fetch, params: { url: '$(params.url)' } },
      { name: 'check', task: t.check, params: { digest: '$(tasks.fetch.results.digest)', names: '$(params.names[*])' } },
    ],
    finally: [{ name: 'report', task: t.report, params: { status: '$(tasks.check.status)' } }],
    ...props(t),
  });
  return { chart, pipeline, t };
}

describe('TektonPipeline', () => {
  test('emits a tekton.dev/v1 Pipeline of Task references that validates strictly and is policy-clean', () => {
    const { chart } = build(() => ({ results: [{ name: 'digest', value: '$(tasks.fetch.results.digest)' }] }));
    const objects = synthValid(chart);
    const p = findObject(objects, 'Pipeline', 'verify', 'tekton.dev/v1');
    expect(p.spec.tasks).toEqual([
      { name: 'fetch', taskRef: { name: 'fetch', kind: 'Task' }, params: [{ name: 'url', value: '$(params.url)' }] },
      { name: 'check', taskRef: { name: 'check', kind: 'Task' }, params: [
        { name: 'digest', value: '$(tasks.fetch.results.digest)' }, { name: 'names', value: '$(params.names[*])' }] },
    ]);
    expect(p.spec.finally).toEqual([{ name: 'report', taskRef: { name: 'report', kind: 'Task' }, params: [{ name: 'status', value: '$(tasks.check.status)' }] }]);
    expect(p.spec.results).toEqual([{ name: 'digest', value: '$(tasks.fetch.results.digest)' }]);
    // Tasks come before the pipeline that references them.
    expect(objects.map((o) => o.kind)).toEqual(['Task', 'Task', 'Task', 'Pipeline']);
  });

  test('runAfter, retries and timeout render as Tekton reads them', () => {
    const { chart } = build((t): Partial<TektonPipelineProps> => ({
      tasks: [
        { name: 'fetch', task: t.fetch, params: { url: '$(params.url)' }, retries: 2, timeout: Duration.minutes(90) },
        { name: 'check', task: t.check, params: { digest: 'literal' }, runAfter: ['fetch'], timeout: Duration.seconds(45) },
      ],
    }));
    const p = findObject(synthValid(chart), 'Pipeline', 'verify');
    expect(p.spec.tasks[0]).toMatchObject({ retries: 2, timeout: '1h30m' });
    expect(p.spec.tasks[1]).toMatchObject({ runAfter: ['fetch'], timeout: '45s' });
  });

  test('runTemplate renders a valid v1 PipelineRun with the restricted pod security context (ITektonPipeline)', () => {
    const { pipeline } = build();
    const contract: ITektonPipeline = pipeline;
    expect(contract.pipelineName).toBe('verify');
    expect(contract.namespace).toBe('ns');
    expect(contract.paramNames).toEqual(['url', 'names']);
    const run = contract.runTemplate({ name: 'verify-$(tt.params.id)', params: { url: '$(tt.params.url)' }, serviceAccountName: 'runner', timeout: Duration.minutes(20) });
    expect(run).toEqual({
      apiVersion: 'tekton.dev/v1', kind: 'PipelineRun',
      metadata: { name: 'verify-$(tt.params.id)', namespace: 'ns', labels: { 'tekton.dev/pipeline': 'verify' } },
      spec: {
        pipelineRef: { name: 'verify' },
        params: [{ name: 'url', value: '$(tt.params.url)' }],
        timeouts: { pipeline: '20m' },
        taskRunTemplate: {
          serviceAccountName: 'runner',
          podTemplate: { securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, fsGroupChangePolicy: 'OnRootMismatch', seccompProfile: { type: 'RuntimeDefault' } } },
        },
      },
    });
    const validator = SchemaValidator.load();
    // With the placeholder filled in, as the trigger creates it.
    const created = { ...run, metadata: { ...run.metadata, name: 'verify-1234' } };
    expect(validator.validate(created)).toEqual([]);
    // A generateName run gets its name from the API server (generateName + 5 characters).
    const generated = pipeline.runTemplate({ params: { url: 'http://x' } });
    expect(validator.validate({ ...generated, metadata: { ...generated.metadata, name: `${generated.metadata.generateName}x7k2p` } })).toEqual([]);
    // The CRD leaves podTemplate.securityContext open; it is a core/v1 PodSecurityContext: validate it as one.
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' },
      spec: { securityContext: run.spec.taskRunTemplate.podTemplate.securityContext, containers: [{ name: 'c', image: IMAGE }] } };
    expect(validator.validate(pod)).toEqual([]);
    expect(PlatformPolicy.check([{ ...pod, spec: { ...pod.spec, containers: [] } }]).map((v) => v.message).join('\n')).not.toMatch(/seccomp|uid 0/);
    expect(pipeline.runTemplate({ params: { url: 'http://x' } }).metadata).toEqual({ generateName: 'verify-', namespace: 'ns', labels: { 'tekton.dev/pipeline': 'verify' } });
  });

  test('runTemplate refuses unknown or missing params and ambiguous names', () => {
    const { pipeline } = build();
    expect(validationError(() => pipeline.runTemplate({ params: { url: 'x', urls: 'y' } })).message)
      .toMatch(/test\/verify: runTemplate.params \("urls"\) is not a param of the pipeline \(params: url, names\)/);
    expect(validationError(() => pipeline.runTemplate({ params: {} })).message).toMatch(/lack the required param "url"/);
    expect(validationError(() => pipeline.runTemplate({ name: 'a', generateName: 'b-', params: { url: 'x' } })).message).toMatch(/cannot both be given/);
    expect(validationError(() => pipeline.runTemplate({ name: 'Run_$(tt.params.id)', params: { url: 'x' } })).message).toMatch(/runTemplate.name/);
    expect(validationError(() => pipeline.runTemplate({ params: { url: 'x' }, timeout: Duration.millis(1500) })).message).toMatch(/must be whole seconds/);
  });

  test('task names, duplicates, runAfter and finally follow the webhook (pipeline_validation.go)', () => {
    expect(validationError(() => build((t): Partial<TektonPipelineProps> => ({ tasks: [{ name: 'Fetch', task: t.fetch, params: { url: 'x' } }], finally: [] }))).message)
      .toMatch(/tasks\[0\]\.name \("Fetch"\) must be a DNS-1123 label/);
    expect(validationError(() => build((t): Partial<TektonPipelineProps> => ({ finally: [{ name: 'fetch', task: t.report, params: { status: 'x' } }] }))).message)
      .toMatch(/tasks\[\]\.name \("fetch"\) is used more than once/);
    expect(validationError(() => build(() => ({ tasks: [] }))).message).toMatch(/tasks \(\[\]\) must hold at least one task/);
    expect(validationError(() => build((t): Partial<TektonPipelineProps> => ({ tasks: [{ name: 'fetch', task: t.fetch, params: { url: 'x' }, runAfter: ['nope'] }], finally: [] }))).message)
      .toMatch(/tasks\[0\]\.runAfter \("nope"\) is not a task of the pipeline/);
    expect(validationError(() => build((t): Partial<TektonPipelineProps> => ({ finally: [{ name: 'report', task: t.report, params: { status: 'x' }, runAfter: ['fetch'] }] }))).message)
      .toMatch(/finally\[0\]\.runAfter .* is not allowed on a finally task/);
    expect(validationError(() => build((t): Partial<TektonPipelineProps> => ({
      tasks: [
        { name: 'fetch', task: t.fetch, params: { url: 'x' }, runAfter: ['check'] },
        { name: 'check', task: t.check, params: { digest: '$(tasks.fetch.results.digest)' } },
      ],
      finally: [],
    }))).message).toMatch(/tasks \("fetch -> check -> fetch"\) form a cycle/);
  });

  test('params passed to tasks: known names, required ones given, references resolved', () => {
    expect(validationError(() => build((t): Partial<TektonPipelineProps> => ({ tasks: [{ name: 'fetch', task: t.fetch, params: { url: 'x', uri: 'y' } }], finally: [] }))).message)
      .toMatch(/tasks\[0\]\.params \("uri"\) is not a param of Task fetch \(params: url, retries\)/);
    expect(validationError(() => build((t): Partial<TektonPipelineProps> => ({ tasks: [{ name: 'fetch', task: t.fetch, params: { retries: '1' } }], finally: [] }))).message)
      .toMatch(/lack the required param "url" of Task fetch/);
    expect(validationError(() => build((t): Partial<TektonPipelineProps> => ({ tasks: [{ name: 'fetch', task: t.fetch, params: { url: '$(params.uri)' } }], finally: [] }))).message)
      .toMatch(/tasks\[0\]\.params\.url \("\$\(params.uri\)"\) references a param the pipeline does not declare/);
    expect(validationError(() => build((t): Partial<TektonPipelineProps> => ({ tasks: [{ name: 'fetch', task: t.fetch, params: { url: '$(params.names)' } }], finally: [] }))).message)
      .toMatch(/uses the array param "names" where a string is expected/);
    expect(validationError(() => build((t): Partial<TektonPipelineProps> => ({ tasks: [
      { name: 'fetch', task: t.fetch, params: { url: 'x' } },
      { name: 'check', task: t.check, params: { digest: 'd', names: 'a,b' } }], finally: [] }))).message)
      .toMatch(/tasks\[1\]\.params\.names \("a,b"\) is given to an array param/);
    expect(validationError(() => build((t): Partial<TektonPipelineProps> => ({ tasks: [
      { name: 'fetch', task: t.fetch, params: { url: 'x' } },
      { name: 'check', task: t.check, params: { digest: '$(tasks.fetch.results.sha)' } }], finally: [] }))).message)
      .toMatch(/references a result Task fetch does not declare \(results: digest\)/);
    expect(validationError(() => build((t): Partial<TektonPipelineProps> => ({ tasks: [
      { name: 'fetch', task: t.fetch, params: { url: 'x' } },
      { name: 'check', task: t.check, params: { digest: '$(tasks.fech.results.digest)' } }], finally: [] }))).message)
      .toMatch(/references the task "fech", which the pipeline does not have/);
    expect(validationError(() => build((t): Partial<TektonPipelineProps> => ({ tasks: [{ name: 'fetch', task: t.fetch, params: { url: '$(context.pipelineRun.id)' } }], finally: [] }))).message)
      .toMatch(/is not a context.pipelineRun variable/);
  });

  test('execution status only in finally; finally results cannot be used', () => {
    expect(validationError(() => build((t): Partial<TektonPipelineProps> => ({ tasks: [
      { name: 'fetch', task: t.fetch, params: { url: '$(tasks.check.status)' } },
      { name: 'check', task: t.check, params: { digest: 'd' } }], finally: [] }))).message)
      .toMatch(/refers to an execution status, which only finally tasks can/);
    expect(validationError(() => build((t): Partial<TektonPipelineProps> => ({ tasks: [{ name: 'fetch', task: t.fetch, params: { url: '$(tasks.status)' } }], finally: [] }))).message)
      .toMatch(/\$\(tasks.status\).*only available to finally tasks/);
    build((t): Partial<TektonPipelineProps> => ({ finally: [{ name: 'report', task: t.report, params: { status: '$(tasks.status)' } }] }));
    expect(validationError(() => build((t): Partial<TektonPipelineProps> => ({ finally: [
      { name: 'report', task: t.report, params: { status: '$(tasks.report.status)' } }] }))).message).toMatch(/status of a finally task/);
    expect(validationError(() => build((t): Partial<TektonPipelineProps> => ({ finally: [
      { name: 'fin', task: t.fetch, params: { url: 'x' } },
      { name: 'report', task: t.report, params: { status: '$(tasks.fin.results.digest)' } }] }))).message).toMatch(/references a result of a finally task/);
  });

  test('tasks from another namespace, workspaces and results are checked', () => {
    const { chart } = testChart();
    const other = new TektonTask(chart, 'other', { namespace: 'elsewhere', steps: [{ name: 's', image: IMAGE, script: 'true', resources: RESOURCES }] });
    expect(validationError(() => new TektonPipeline(chart, 'p', { tasks: [{ name: 'a', task: other }] })).message)
      .toMatch(/tasks\[0\]\.task \("elsewhere\/other"\) is not in the pipeline's namespace \(ns\)/);
    const ws = new TektonTask(chart, 'ws', { workspaces: [{ name: 'src' }], steps: [{ name: 's', image: IMAGE, script: 'ls', resources: RESOURCES }] });
    expect(validationError(() => new TektonPipeline(chart, 'p2', { tasks: [{ name: 'a', task: ws }] })).message).toMatch(/lack the workspace "src" Task ws needs/);
    expect(validationError(() => new TektonPipeline(chart, 'p3', { tasks: [{ name: 'a', task: ws, workspaces: { src: 'shared' } }] })).message)
      .toMatch(/workspaces.src \("shared"\) is not a workspace of the pipeline/);
    new TektonPipeline(chart, 'p4', { workspaces: [{ name: 'shared' }], tasks: [{ name: 'a', task: ws, workspaces: { src: 'shared' } }] });
    expect(validationError(() => build(() => ({ results: [{ name: 'r', value: 'literal' }] }))).message).toMatch(/is not a task result reference/);
    expect(validationError(() => build(() => ({ results: [{ name: 'r', value: '$(tasks.fetch.results.nope)' }] }))).message).toMatch(/does not declare/);
  });
});

describe('TektonPipeline: the remaining input rules', () => {
  test('workspaces, retries, self-references, task types, param parts, result names', () => {
    const { chart } = testChart();
    const t = tasks(chart);
    const one = (props: Partial<TektonPipelineProps>) => new TektonPipeline(chart, `p${Math.random().toString(36).slice(2, 8)}`, {
      tasks: [{ name: 'fetch', task: t.fetch, params: { url: 'x' } }], ...props });
    expect(validationError(() => one({ workspaces: [{ name: 'Shared' }] })).message).toMatch(/workspaces\[0\]\.name \("Shared"\)/);
    expect(validationError(() => one({ workspaces: [{ name: 'a' }, { name: 'a' }] })).message).toMatch(/workspaces\[\]\.name \("a"\) is used more than once/);
    expect(validationError(() => one({ tasks: [{ name: 'fetch', task: t.fetch, params: { url: 'x' }, retries: -1 }] })).message).toMatch(/retries \(-1\) must be a whole number >= 0/);
    expect(validationError(() => one({ tasks: [{ name: 'fetch', task: t.fetch, params: { url: 'x' }, runAfter: ['fetch'] }] })).message).toMatch(/runAfter \("fetch"\) names the task itself/);
    expect(validationError(() => one({ tasks: [{ name: 'fetch', task: {} as TektonTask }] })).message).toMatch(/tasks\[0\]\.task \(\{\}\) is not a TektonTask/);
    expect(validationError(() => one({ tasks: [{ name: 'fetch', task: t.fetch, params: { url: 3 as any } }] })).message).toMatch(/params\.url \(3\) must be a string/);
    expect(validationError(() => one({ params: [{ name: 'u' }], tasks: [{ name: 'fetch', task: t.fetch, params: { url: '$(params.u.a.b)' } }] })).message)
      .toMatch(/more than two dot-separated parts after "params"/);
    expect(validationError(() => one({ tasks: [{ name: 3 as any, task: t.fetch }] })).message).toMatch(/tasks\[0\]\.name \(3\) is required/);
    expect(validationError(() => one({ results: [{ name: '1x', value: '$(tasks.fetch.results.digest)' }] })).message).toMatch(/results\[0\]\.name \("1x"\) is not a valid result name/);
    expect(validationError(() => one({ results: [{ name: 'r', value: '$(tasks.nope.results.digest)' }] })).message).toMatch(/references the task "nope"/);
    expect(validationError(() => one({ results: [{ name: 'r', value: '$(tasks.fetch.results.digest)' }, { name: 'r', value: '$(tasks.fetch.results.digest)' }] })).message)
      .toMatch(/results\[\]\.name \("r"\) is used more than once/);
    expect(validationError(() => one({ tasks: [{ name: 'fetch', task: t.fetch, params: { url: 'x' }, workspaces: { src: 'w' } }] })).message)
      .toMatch(/workspaces \("src"\) is not a workspace of Task fetch/);
  });
});
