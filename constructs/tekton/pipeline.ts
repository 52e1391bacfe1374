/**
 * TektonPipeline: a typed Tekton v1 Pipeline of TektonTasks. Params pass through by reference, `runAfter` and
 * result references order the tasks, `finally` tasks run last; the rules of the Tekton v1.15.0 webhook
 * (pipeline_validation.go: task names, duplicates, unknown params and results, execution status only in finally,
 * no runAfter in finally, no cycles) are checked at synth. It implements ITektonPipeline: `runTemplate()` renders
 * the v1 PipelineRun an event-triggered pipeline embeds, with the restricted pod security context for every pod.
 */
import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { durationMillis } from '../core/durations';
import { invalid } from '../core/errors';
import { checkName } from '../core/k8s-rules';
import { NameFormat, NamespacedResource, ResourceProps } from '../core/resource';
import { requireArray, requireName, requireProps, requireUnique } from '../core/validate';
import { PipelineV1 } from '../imports/tekton.dev';
import { ITektonPipeline, PipelineRunTemplateOptions } from './contracts';
import { tektonPodSecurityContext } from './step-security';
import { checkParams, isRequired, paramSpecs, TektonParam, TektonParamType, TektonTask } from './task';
import { goDuration, taskRefs, usesAggregateStatus, variableRefs } from './variables';

/** One task of a pipeline: a TektonTask with its param values. */
export interface TektonPipelineTask {
  /** A DNS-1123 label, unique in the pipeline (tasks and finally together). */
  readonly name: string;
  /** The Task it runs (in the pipeline's namespace). */
  readonly task: TektonTask;
  /**
   * Values of the Task's params by name: literals or references such as `$(params.<pipeline param>)`,
   * `$(tasks.<task>.results.<result>)`, `$(context.pipelineRun.name)`. An array param takes a whole-array
   * reference `$(params.<array param>[*])`.
   * @default - none (every required param of the Task must be given)
   */
  readonly params?: { [name: string]: string };
  /** Tasks this one runs after (not for finally tasks). @default - none (ordered by result references only) */
  readonly runAfter?: string[];
  /** @default 0 */
  readonly retries?: number;
  /** @default - Tekton's default (the pipeline's tasks timeout) */
  readonly timeout?: Duration;
  /** The Task's workspaces bound to pipeline workspaces (Task workspace → pipeline workspace). @default - none */
  readonly workspaces?: { [taskWorkspace: string]: string };
}

/** A workspace of a pipeline, bound by each run. */
export interface TektonPipelineWorkspace {
  readonly name: string;
  /** @default - none */
  readonly description?: string;
  /** @default false */
  readonly optional?: boolean;
}

/** A result of a pipeline: a task's result. */
export interface TektonPipelineResult {
  readonly name: string;
  /** A `$(tasks.<task>.results.<result>)` reference. */
  readonly value: string;
  /** @default - none */
  readonly description?: string;
}

/** Props of a TektonPipeline. */
export interface TektonPipelineProps extends ResourceProps {
  /** @default - none */
  readonly description?: string;
  /** @default - none */
  readonly params?: TektonParam[];
  /** At least one. */
  readonly tasks: TektonPipelineTask[];
  /** Tasks that run after all others, whatever their outcome. @default - none */
  readonly finally?: TektonPipelineTask[];
  /** @default - none */
  readonly results?: TektonPipelineResult[];
  /** @default - none */
  readonly workspaces?: TektonPipelineWorkspace[];
}

const CONTEXT: { [prefix: string]: string[] } = {
  'context.pipelineRun': ['name', 'namespace', 'uid'],
  'context.pipeline': ['name'],
};

/** A typed Tekton v1 Pipeline (see the module comment). */
export class TektonPipeline extends NamespacedResource implements ITektonPipeline {
  public readonly pipelineName: string;
  /** The params as declared. */
  public readonly params: TektonParam[];
  /** The L1 object. */
  public readonly resource: PipelineV1;

  public constructor(scope: Construct, id: string, props: TektonPipelineProps) {
    super(scope, id, props, { format: NameFormat.DNS1123_SUBDOMAIN, maxLength: 63, maxLengthReason: 'the Tekton webhook refuses longer Pipeline names' });
    requireProps(this, props, 'give at least tasks');
    this.pipelineName = this.name;
    this.params = [...requireArray(this, 'params', props.params)];
    checkParams(this, 'params', this.params);
    const tasks = props.tasks ?? [];
    if (!Array.isArray(tasks) || tasks.length === 0) invalid(this, 'tasks', props.tasks, 'must hold at least one task', 'add a task (finally tasks alone are refused by Tekton)');
    requireArray(this, 'tasks', tasks, 'give each task a name and a task');
    const final = requireArray(this, 'finally', props.finally, 'give each task a name and a task');
    const results = requireArray(this, 'results', props.results, 'give each result a name and a value');
    const workspaces = requireArray(this, 'workspaces', props.workspaces);
    workspaces.forEach((w, i) => requireName(this, `workspaces[${i}].name`, w.name));
    requireUnique(this, 'workspaces[].name', workspaces.map((w) => w.name), 'each workspace needs its own name');

    const all = [...tasks.map((t, i) => ({ t, field: `tasks[${i}]`, final: false })), ...final.map((t, i) => ({ t, field: `finally[${i}]`, final: true }))];
    all.forEach(({ t, field }) => requireName(this, `${field}.name`, t.name));
    requireUnique(this, 'tasks[].name', all.map(({ t }) => t.name), 'each task (finally included) needs its own name');
    const byName = new Map(all.map(({ t, final: f }) => [t.name, { t, final: f }]));
    const deps = new Map<string, Set<string>>();
    for (const { t, field, final: isFinal } of all) {
      deps.set(t.name, this.checkTask(t, field, isFinal, byName, new Set(workspaces.map((w) => w.name))));
    }
    this.checkCycles(tasks, deps);
    results.forEach((r, i) => this.checkResult(r, `results[${i}]`, byName));
    requireUnique(this, 'results[].name', results.map((r) => r.name), 'each result needs its own name');

    const render = (t: TektonPipelineTask) => ({
      name: t.name,
      taskRef: { name: t.task.taskName, kind: 'Task' },
      params: Object.keys(t.params ?? {}).length ? Object.entries(t.params ?? {}).map(([name, value]) => ({ name, value })) : undefined,
      runAfter: t.runAfter?.length ? [...t.runAfter] : undefined,
      retries: t.retries,
      timeout: t.timeout !== undefined ? goDuration(durationMillis(this, `tasks.${t.name}.timeout`, t.timeout) / 1000) : undefined,
      workspaces: Object.keys(t.workspaces ?? {}).length ? Object.entries(t.workspaces ?? {}).map(([name, workspace]) => ({ name, workspace })) : undefined,
    });
    this.resource = new PipelineV1(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace, labels: this.recommendedLabels(this.name, 'pipeline') },
      spec: {
        description: props.description,
        params: paramSpecs(this.params),
        tasks: tasks.map(render),
        finally: final.length ? final.map(render) : undefined,
        results: props.results?.length ? props.results.map((r) => ({ name: r.name, value: r.value, description: r.description })) : undefined,
        workspaces: workspaces.length ? workspaces.map((w) => ({ name: w.name, description: w.description, optional: w.optional })) : undefined,
      },
    });
    for (const t of all) this.resource.node.addDependency(t.t.task);
  }

  public get paramNames(): string[] {
    return this.params.map((p) => p.name);
  }

  /**
   * A v1 PipelineRun of this pipeline, as a plain object: `pipelineRef`, the given params, the ServiceAccount and
   * the restricted pod security context of every TaskRun pod (`taskRunTemplate.podTemplate.securityContext`).
   */
  public runTemplate(options: PipelineRunTemplateOptions = {}): any {
    if (options.name !== undefined && options.generateName !== undefined) {
      invalid(this, 'runTemplate.name', options.name, 'and generateName cannot both be given', 'give one of them');
    }
    for (const [field, value] of [['name', options.name], ['generateName', options.generateName]] as Array<[string, string | undefined]>) {
      if (value === undefined) continue;
      // Placeholders ($(tt.params.x), $(uid)) are filled in by the trigger; check only what is literal.
      const literal = value.replace(/\$\([^)]*\)/g, 'x');
      const problem = typeof value === 'string' && value !== '' ? checkName('dns1123-subdomain', field === 'generateName' ? `${literal}x` : literal) : 'is required';
      if (problem) invalid(this, `runTemplate.${field}`, value, problem);
    }
    const params = options.params ?? {};
    for (const name of Object.keys(params)) {
      if (!this.paramNames.includes(name)) {
        invalid(this, 'runTemplate.params', name, `is not a param of the pipeline (params: ${this.paramNames.join(', ') || 'none'})`, 'fix the name or declare the param');
      }
    }
    for (const p of this.params.filter(isRequired)) {
      if (params[p.name] === undefined) invalid(this, 'runTemplate.params', Object.keys(params), `lack the required param "${p.name}"`, `give params["${p.name}"] or a default`);
    }
    const timeout = options.timeout !== undefined ? durationMillis(this, 'runTemplate.timeout', options.timeout) : undefined;
    if (timeout !== undefined && timeout % 1000 !== 0) invalid(this, 'runTemplate.timeout', options.timeout, 'must be whole seconds');
    return {
      apiVersion: 'tekton.dev/v1',
      kind: 'PipelineRun',
      metadata: {
        ...(options.name !== undefined ? { name: options.name } : { generateName: options.generateName ?? `${this.pipelineName}-` }),
        namespace: this.namespace,
        labels: { 'tekton.dev/pipeline': this.pipelineName },
      },
      spec: {
        pipelineRef: { name: this.pipelineName },
        ...(Object.keys(params).length ? { params: Object.entries(params).map(([name, value]) => ({ name, value })) } : {}),
        ...(timeout !== undefined ? { timeouts: { pipeline: goDuration(timeout / 1000) } } : {}),
        taskRunTemplate: {
          ...(options.serviceAccountName !== undefined ? { serviceAccountName: options.serviceAccountName } : {}),
          podTemplate: { securityContext: tektonPodSecurityContext() },
        },
      },
    };
  }

  /** Checks one pipeline task; returns the tasks it runs after (runAfter and result references). */
  private checkTask(t: TektonPipelineTask, field: string, isFinal: boolean, byName: Map<string, { t: TektonPipelineTask; final: boolean }>,
    workspaceNames: Set<string>): Set<string> {
    if (!(t.task instanceof TektonTask)) invalid(this, `${field}.task`, t.task, 'is not a TektonTask');
    if (t.task.namespace !== this.namespace) {
      invalid(this, `${field}.task`, `${t.task.namespace}/${t.task.taskName}`, `is not in the pipeline's namespace (${this.namespace})`, 'a taskRef resolves in the run\'s namespace: create the Task there');
    }
    const after = new Set<string>();
    if (t.runAfter?.length) {
      if (isFinal) invalid(this, `${field}.runAfter`, t.runAfter, 'is not allowed on a finally task', 'finally tasks run after all tasks; drop runAfter');
      for (const name of t.runAfter) {
        const target = byName.get(name);
        if (!target || target.final) invalid(this, `${field}.runAfter`, name, 'is not a task of the pipeline', `use one of ${[...byName.values()].filter((x) => !x.final).map((x) => x.t.name).join(', ')}`);
        if (name === t.name) invalid(this, `${field}.runAfter`, name, 'names the task itself');
        after.add(name);
      }
    }
    if (t.retries !== undefined && (!Number.isInteger(t.retries) || t.retries < 0)) invalid(this, `${field}.retries`, t.retries, 'must be a whole number >= 0');
    const taskParams = new Map(t.task.params.map((p) => [p.name, p]));
    const given = t.params ?? {};
    for (const [name, value] of Object.entries(given)) {
      const at = `${field}.params.${name}`;
      const declared = taskParams.get(name);
      if (!declared) invalid(this, `${field}.params`, name, `is not a param of Task ${t.task.taskName} (params: ${[...taskParams.keys()].join(', ') || 'none'})`, 'fix the name');
      if (typeof value !== 'string') invalid(this, at, value, 'must be a string');
      this.checkValue(at, value, isFinal, byName, after, (declared.type ?? TektonParamType.STRING) === TektonParamType.ARRAY);
    }
    for (const p of t.task.params.filter(isRequired)) {
      if (given[p.name] === undefined) invalid(this, `${field}.params`, Object.keys(given), `lack the required param "${p.name}" of Task ${t.task.taskName}`, `give params["${p.name}"]`);
    }
    const bound = t.workspaces ?? {};
    for (const [taskWs, pipelineWs] of Object.entries(bound)) {
      if (!t.task.workspaces.some((w) => w.name === taskWs)) invalid(this, `${field}.workspaces`, taskWs, `is not a workspace of Task ${t.task.taskName}`);
      if (!workspaceNames.has(pipelineWs)) invalid(this, `${field}.workspaces.${taskWs}`, pipelineWs, 'is not a workspace of the pipeline', 'declare it in workspaces');
    }
    for (const w of t.task.workspaces.filter((x) => !x.optional)) {
      if (bound[w.name] === undefined) invalid(this, `${field}.workspaces`, Object.keys(bound), `lack the workspace "${w.name}" Task ${t.task.taskName} needs`, 'bind it to a pipeline workspace');
    }
    return after;
  }

  /** Checks the references in a param value; adds the tasks whose results it uses to `after`. */
  private checkValue(at: string, value: string, isFinal: boolean, byName: Map<string, { t: TektonPipelineTask; final: boolean }>, after: Set<string>, isArray: boolean): void {
    const params = new Map(this.params.map((p) => [p.name, p]));
    for (const ref of variableRefs(value, 'params')) {
      if (ref.tooManyParts) invalid(this, at, ref.expression, 'has more than two dot-separated parts after "params"');
      const p = params.get(ref.name);
      if (!p) invalid(this, at, ref.expression, `references a param the pipeline does not declare (declared: ${[...params.keys()].join(', ') || 'none'})`, `declare a param "${ref.name}" or fix the name`);
      const pArray = (p.type ?? TektonParamType.STRING) === TektonParamType.ARRAY;
      if (pArray && !/\[[0-9]+\]\)$/.test(ref.expression) && !(isArray && ref.wholeArray && value === ref.expression)) {
        invalid(this, at, ref.expression, `uses the array param "${ref.name}" where a string is expected`, `pass it whole to an array param ("$(params.${ref.name}[*])") or one element ("$(params.${ref.name}[0])")`);
      }
    }
    if (isArray && !(variableRefs(value, 'params').some((r) => r.wholeArray && value === r.expression))) {
      invalid(this, at, value, 'is given to an array param', 'pass a whole pipeline array param, "$(params.<array param>[*])"');
    }
    for (const [prefix, names] of Object.entries(CONTEXT)) {
      for (const ref of variableRefs(value, prefix)) {
        if (!names.includes(ref.name)) invalid(this, at, ref.expression, `is not a ${prefix} variable`, `use one of ${names.map((n) => `$(${prefix}.${n})`).join(', ')}`);
      }
    }
    if (usesAggregateStatus(value) && !isFinal) invalid(this, at, '$(tasks.status)', 'is only available to finally tasks', 'move the task into finally');
    for (const ref of taskRefs(value)) {
      const target = byName.get(ref.task);
      if (!target) invalid(this, at, ref.expression, `references the task "${ref.task}", which the pipeline does not have`);
      if (ref.attribute) {
        if (!isFinal) invalid(this, at, ref.expression, 'refers to an execution status, which only finally tasks can', 'move the task into finally');
        if (target.final) invalid(this, at, ref.expression, 'refers to the status of a finally task', 'refer to a task of tasks');
        continue;
      }
      if (target.final) invalid(this, at, ref.expression, 'references a result of a finally task', 'only results of tasks (not finally) can be used');
      if (!target.t.task.resultNames.includes(ref.result!)) {
        invalid(this, at, ref.expression, `references a result Task ${target.t.task.taskName} does not declare (results: ${target.t.task.resultNames.join(', ') || 'none'})`);
      }
      if (!isFinal) after.add(ref.task);
    }
  }

  private checkResult(r: TektonPipelineResult, field: string, byName: Map<string, { t: TektonPipelineTask; final: boolean }>): void {
    if (typeof r.name !== 'string' || !/^[_a-zA-Z][_a-zA-Z0-9.-]*$/.test(r.name)) invalid(this, `${field}.name`, r.name, 'is not a valid result name');
    const refs = taskRefs(r.value).filter((x) => x.result !== undefined);
    if (refs.length === 0) invalid(this, `${field}.value`, r.value, 'is not a task result reference', 'use "$(tasks.<task>.results.<result>)"');
    for (const ref of refs) {
      const target = byName.get(ref.task);
      if (!target) invalid(this, `${field}.value`, ref.expression, `references the task "${ref.task}", which the pipeline does not have`);
      if (!target.t.task.resultNames.includes(ref.result!)) invalid(this, `${field}.value`, ref.expression, `references a result Task ${target.t.task.taskName} does not declare`);
    }
  }

  private checkCycles(tasks: TektonPipelineTask[], deps: Map<string, Set<string>>): void {
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (name: string, path: string[]): void => {
      if (state.get(name) === 'done') return;
      if (state.get(name) === 'visiting') invalid(this, 'tasks', [...path.slice(path.indexOf(name)), name].join(' -> '), 'form a cycle', 'break it: a task cannot run after itself');
      state.set(name, 'visiting');
      for (const d of deps.get(name) ?? []) visit(d, [...path, name]);
      state.set(name, 'done');
    };
    for (const t of tasks) visit(t.name, []);
  }
}
