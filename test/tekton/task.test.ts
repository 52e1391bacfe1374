import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { PlatformPolicy, StepOnError, TektonParamType, TektonTask, TektonTaskProps, TektonStep, tekton } from '../../constructs';
import { SchemaValidator } from '../../scripts/lib/schema-validator';
import { findObject, synthValid, testChart, validationError } from '../support/k8s';

const IMAGE = `cgr.dev/chainguard/busybox:1.37@sha256:${'b'.repeat(64)}`;
const RESOURCES: kplus.ContainerResources = { cpu: { request: kplus.Cpu.millis(50) }, memory: { request: Size.mebibytes(32), limit: Size.mebibytes(64) } };

function step(overrides: Partial<TektonStep> = {}): TektonStep {
  return { name: 'run', image: IMAGE, script: 'echo hello', resources: RESOURCES, ...overrides };
}

function build(props: Partial<TektonTaskProps> = {}) {
  const { chart } = testChart();
  const task = new TektonTask(chart, 'greet', { steps: [step()], ...props });
  return { chart, task };
}

describe('TektonTask', () => {
  test('emits a tekton.dev/v1 Task that validates strictly and is policy-clean', () => {
    const { chart, task } = build({
      description: 'says hello',
      params: [
        { name: 'who', defaultValue: 'world' },
        { name: 'flags', type: TektonParamType.ARRAY, defaultValues: ['-n'] },
        { name: 'target' },
      ],
      results: [{ name: 'greeting', description: 'what was said' }],
      workspaces: [{ name: 'source', readOnly: true }],
      steps: [
        step({ name: 'say', script: '#!/bin/sh\necho "$(params.who) from $(context.taskRun.name)" > $(results.greeting.path)', workingDir: '/workspace/source' }),
        step({ name: 'echo', script: undefined, command: ['echo'], args: ['$(params.flags[*])', '$(params.target)'], env: { TARGET: '$(params.target)' },
          onError: StepOnError.CONTINUE, writablePaths: ['/tmp'] }),
      ],
    });
    const objects = synthValid(chart);
    expect(objects).toHaveLength(1);
    const t = findObject(objects, 'Task', 'greet', 'tekton.dev/v1');
    expect(t.metadata.namespace).toBe('ns');
    expect(t.spec.params).toEqual([
      { name: 'who', type: 'string', default: 'world' },
      { name: 'flags', type: 'array', default: ['-n'] },
      { name: 'target', type: 'string' },
    ]);
    for (const s of t.spec.steps) {
      expect(s.securityContext).toEqual({
        runAsNonRoot: true, runAsUser: 65532, allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(s.computeResources).toEqual({ requests: { cpu: '50m', memory: '32Mi' }, limits: { memory: '64Mi' } });
    }
    expect(t.spec.steps[1]).toMatchObject({ onError: 'continue', volumeMounts: [{ name: 'scratch-1-0', mountPath: '/tmp' }] });
    expect(t.spec.volumes).toEqual([{ name: 'scratch-1-0', emptyDir: {} }]);
    // The CRD leaves spec.volumes open (preserve-unknown); they are core/v1 Volumes: validate them as a Pod's.
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' }, spec: { volumes: t.spec.volumes, containers: [{ name: 'c', image: IMAGE }] } };
    expect(SchemaValidator.load().validate(pod)).toEqual([]);
    expect(task.requiredParamNames).toEqual(['target']);
    expect(task.resultNames).toEqual(['greeting']);
  });

  test('the Task CRD types steps strictly: a misspelt step field or a wrong securityContext type is refused', () => {
    const { chart } = build();
    const [task] = synthValid(chart);
    const validator = SchemaValidator.load();
    const typo = structuredClone(task);
    typo.spec.steps[0].imagePullPolcy = 'Always';
    expect(validator.validate(typo).join('\n')).toMatch(/imagePullPolcy/);
    const wrongType = structuredClone(task);
    wrongType.spec.steps[0].securityContext.runAsNonRoot = 'yes';
    expect(validator.validate(wrongType)).not.toEqual([]);
    const wrongResources = structuredClone(task);
    wrongResources.spec.steps[0].resources = wrongResources.spec.steps[0].computeResources; // v1beta1 name, not v1
    expect(validator.validate(wrongResources).join('\n')).toMatch(/resources/);
  });

  test('the policy checks Task steps like containers: an unrestricted step, a step without resources, an unpinned image', () => {
    const { chart } = build();
    const [task] = synthValid(chart);
    const bad = structuredClone(task);
    delete bad.spec.steps[0].securityContext;
    delete bad.spec.steps[0].computeResources;
    bad.spec.steps[0].image = 'busybox:latest';
    const messages = PlatformPolicy.check([bad]).map((v) => `[${v.ruleId}] ${v.message}`).join('\n');
    expect(messages).toMatch(/container run does not set runAsNonRoot/);
    expect(messages).toMatch(/container run sets no requests.cpu, requests.memory, limits.memory/);
    expect(messages).toMatch(/busybox:latest, which is not pinned/);
    expect(PlatformPolicy.check([{ ...bad, spec: { ...bad.spec, steps: [] } }]).map((v) => v.message).join('\n')).toMatch(/has no containers/);
  });

  test('a tag without digest only with allowTagOnlyImages; never latest', () => {
    expect(validationError(() => build({ steps: [step({ image: 'busybox:1.37' })] })).message)
      .toMatch(/steps\[0\]\.image \("busybox:1.37"\) is not pinned by digest; append "@sha256:<digest>".*allowTagOnlyImages/);
    const { chart } = build({ steps: [step({ image: 'busybox:1.37' })], allowTagOnlyImages: true });
    synthValid(chart);
    expect(validationError(() => build({ steps: [step({ image: 'busybox:latest' })], allowTagOnlyImages: true })).message)
      .toMatch(/uses the tag "latest", which moves/);
    expect(validationError(() => build({ steps: [step({ image: `busybox:latest@sha256:${'c'.repeat(64)}` })] })).message).toMatch(/"latest"/);
    expect(validationError(() => build({ steps: [step({ image: 'busybox' })], allowTagOnlyImages: true })).message).toMatch(/neither a tag nor a digest/);
    expect(validationError(() => build({ params: [{ name: 'img' }], steps: [step({ image: '$(params.img)' })] })).message)
      .toMatch(/is substituted at run time, so its pinning cannot be checked/);
  });

  test('names follow the webhook: Task name (DNS-1123 subdomain, <= 63), step names (DNS-1123 labels, unique)', () => {
    const { chart } = testChart();
    expect(validationError(() => new TektonTask(chart, 'Bad_Name', { steps: [step()] })).message).toMatch(/test\/Bad_Name: name/);
    expect(validationError(() => new TektonTask(chart, 'a'.repeat(64), { steps: [step()] })).message).toMatch(/at most 63 characters/);
    expect(validationError(() => build({ steps: [step({ name: 'Build.Step' })] })).message).toMatch(/steps\[0\]\.name \("Build.Step"\) must be a DNS-1123 label/);
    expect(validationError(() => build({ steps: [step(), step()] })).message).toMatch(/steps\[\]\.name \("run"\) is used more than once/);
    expect(validationError(() => build({ steps: [] })).message).toMatch(/steps \(\[\]\) must hold at least one step/);
  });

  test('params: names, duplicates and defaults of the declared type (task_validation.go)', () => {
    // The webhook's own cases (pkg/apis/pipeline/v1/task_validation_test.go at v1.15.0: "_validparam1" and
    // "valid_param2" pass; "", "a^b", "0ab", "f oo" are refused), and a few more of the same format.
    for (const ok of ['_validparam1', 'valid_param2', 'a.b-c_d', 'X1']) build({ params: [{ name: ok, defaultValue: 'v' }] });
    for (const bad of ['', 'a^b', '0ab', 'f oo', '-dash', 'a,b']) {
      expect(validationError(() => build({ params: [{ name: bad }] })).message).toMatch(/params\[0\]\.name .* is not a valid param name/);
    }
    expect(validationError(() => build({ params: [{ name: 'x' }, { name: 'x' }] })).message).toMatch(/params\[\]\.name \("x"\) is used more than once/);
    expect(validationError(() => build({ params: [{ name: 'x', defaultValues: ['a'] }] })).message).toMatch(/array default for the string param "x"/);
    expect(validationError(() => build({ params: [{ name: 'x', type: TektonParamType.ARRAY, defaultValue: 'a' }] })).message)
      .toMatch(/string default for the array param "x"/);
  });

  test('references: params, results and context variables must exist; array params only whole in command/args', () => {
    expect(validationError(() => build({ params: [{ name: 'who' }], steps: [step({ script: 'echo $(params.whom)' })] })).message)
      .toMatch(/steps\[0\]\.script \("\$\(params.whom\)"\) references a param the Task does not declare \(declared: who\); declare a param "whom"/);
    // Bracket notation and array indexes are the same references for the webhook.
    expect(validationError(() => build({ steps: [step({ env: { A: '$(params["a.b"])' } })] })).message).toMatch(/steps\[0\]\.env\.A/);
    build({ params: [{ name: 'a.b' }, { name: 'list', type: TektonParamType.ARRAY }],
      steps: [step({ script: 'echo $(params["a.b"]) $(params.list[0])' })] });
    expect(validationError(() => build({ params: [{ name: 'x' }], steps: [step({ script: 'echo $(params.x.y.z)' })] })).message)
      .toMatch(/more than two dot-separated parts/);
    expect(validationError(() => build({ results: [{ name: 'out' }], steps: [step({ script: 'echo 1 > $(results.output.path)' })] })).message)
      .toMatch(/references a result the Task does not declare \(declared: out\)/);
    expect(validationError(() => build({ steps: [step({ script: 'echo $(context.taskRun.id)' })] })).message)
      .toMatch(/is not a context.taskRun variable; use one of \$\(context.taskRun.name\)/);
    expect(validationError(() => build({ steps: [step({ script: 'echo $(context.task.namespace)' })] })).message).toMatch(/context.task variable/);
    const list = { name: 'list', type: TektonParamType.ARRAY };
    expect(validationError(() => build({ params: [list], steps: [step({ script: 'echo $(params.list[*])' })] })).message)
      .toMatch(/uses the array param "list" where only a string fits/);
    expect(validationError(() => build({ params: [list], steps: [step({ script: undefined, command: ['echo'], args: ['x $(params.list[*])'] })] })).message)
      .toMatch(/steps\[0\]\.args\[0\]/);
  });

  test('steps: script or command, onError values, resources, env names, mount paths', () => {
    expect(validationError(() => build({ steps: [step({ command: ['sh'] })] })).message).toMatch(/command \(\["sh"\]\) cannot be used together with script/);
    expect(validationError(() => build({ steps: [step({ script: '  ' })] })).message).toMatch(/script \(" {2}"\) is empty/);
    expect(validationError(() => build({ steps: [step({ onError: 'ignore' as StepOnError })] })).message).toMatch(/onError \("ignore"\) is not continue or stopAndFail/);
    expect(validationError(() => build({ steps: [step({ resources: { memory: { limit: Size.mebibytes(64) } } })] })).message)
      .toMatch(/steps\[0\]\.resources .* sets no cpu.request, memory.request/);
    expect(validationError(() => build({ steps: [step({ resources: undefined as any })] })).message).toMatch(/resources \(undefined\) is required/);
    expect(validationError(() => build({ steps: [step({ env: { 'BAD-NAME': 'x' } })] })).message).toMatch(/not a valid environment variable name/);
    expect(validationError(() => build({ steps: [step({ writablePaths: ['/tekton/results'] })] })).message).toMatch(/under \/tekton\/, which Tekton reserves/);
    build({ steps: [step({ writablePaths: ['/tekton/home'] })] });
    expect(validationError(() => build({ steps: [step({ writablePaths: ['tmp'] })] })).message).toMatch(/must be an absolute path/);
    expect(validationError(() => build({ workspaces: [{ name: 'src' }], steps: [step({ writablePaths: ['/workspace/src/'] })] })).message)
      .toMatch(/is mounted twice in the Task/);
  });

  test('results and workspaces: names and duplicates', () => {
    // result_validation_test.go at v1.15.0 (ResultNameFormat, shared by task and step results): "MY-RESULT" passes, "_MY-RESULT" is refused.
    build({ results: [{ name: 'MY-RESULT' }] });
    expect(validationError(() => build({ results: [{ name: '_MY-RESULT' }] })).message).toMatch(/results\[0\]\.name \("_MY-RESULT"\) is not a valid result name/);
    expect(validationError(() => build({ results: [{ name: '-out' }] })).message).toMatch(/results\[0\]\.name \("-out"\) is not a valid result name/);
    expect(validationError(() => build({ results: [{ name: 'a' }, { name: 'a' }] })).message).toMatch(/results\[\]\.name \("a"\) is used more than once/);
    expect(validationError(() => build({ workspaces: [{ name: 'Src' }] })).message).toMatch(/workspaces\[0\]\.name \("Src"\)/);
    expect(validationError(() => build({ workspaces: [{ name: 'a' }, { name: 'a' }] })).message).toMatch(/workspaces\[\]\.name \("a"\) is used more than once/);
    expect(validationError(() => build({ workspaces: [{ name: 'a', mountPath: '/data' }, { name: 'b', mountPath: '/data/' }] })).message)
      .toMatch(/workspaces\[\]\.mountPath \("\/data"\) is used more than once/);
  });
});

describe('TektonTask: the remaining input rules', () => {
  test('types, names and values of the wrong kind', () => {
    expect(validationError(() => build({ params: [{ name: 'x', type: 'object' as TektonParamType }] })).message).toMatch(/params\[0\]\.type \("object"\) is not a param type/);
    expect(validationError(() => build({ results: [{ name: 'x', type: 'object' as any }] })).message).toMatch(/results\[0\]\.type \("object"\) is not a result type/);
    expect(validationError(() => build({ steps: [step({ name: undefined as any })] })).message).toMatch(/steps\[0\]\.name \(undefined\) is required/);
    expect(validationError(() => build({ steps: [step({ env: { A: 1 as any } })] })).message).toMatch(/steps\[0\]\.env\.A \(1\) must be a string/);
    expect(validationError(() => build({ workspaces: [{ name: undefined as any }] })).message).toMatch(/workspaces\[0\]\.name \(undefined\) is required/);
    expect(validationError(() => build({ workspaces: [{ name: 'w', mountPath: '/tekton/results' }] })).message).toMatch(/Tekton reserves/);
  });

  test('the L1 class without suffix is tekton.dev/v1beta1; TaskV1, PipelineV1, PipelineRunV1 are v1', () => {
    expect(tekton.Task.GVK).toEqual({ apiVersion: 'tekton.dev/v1beta1', kind: 'Task' });
    expect(tekton.TaskV1.GVK).toEqual({ apiVersion: 'tekton.dev/v1', kind: 'Task' });
    expect(tekton.PipelineV1.GVK).toEqual({ apiVersion: 'tekton.dev/v1', kind: 'Pipeline' });
    expect(tekton.PipelineRunV1.GVK).toEqual({ apiVersion: 'tekton.dev/v1', kind: 'PipelineRun' });
    expect(tekton.TaskRunV1.GVK).toEqual({ apiVersion: 'tekton.dev/v1', kind: 'TaskRun' });
  });
});
