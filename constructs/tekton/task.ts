/**
 * TektonTask: a typed Tekton v1 Task. Steps run under Pod Security "restricted" (see step-security.ts), with
 * resources set and images pinned by digest; params, results, step names, workspaces and every `$(...)` reference
 * are held to the rules of the Tekton v1.15.0 admission webhook (pkg/apis/pipeline/v1/*_validation.go) at synth.
 */
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { invalid } from '../core/errors';
import { resourcesToKube, toQuantities } from '../core/quantity';
import { NameFormat, NamespacedResource, ResourceProps } from '../core/resource';
import { ContainerSecurityOptions, restrictedContainerSecurityContext } from '../core/security';
import { requireArray, requireEnvName, requireImage, requireName, requireProps, requireUnique } from '../core/validate';
import {
  TaskV1, TaskV1SpecSteps, TaskV1SpecStepsComputeResourcesLimits, TaskV1SpecStepsComputeResourcesRequests,
} from '../imports/tekton.dev';
import { isIsolated, variableRefs } from './variables';

/** Type of a Task or Pipeline param. */
export enum TektonParamType {
  STRING = 'string',
  ARRAY = 'array',
}

/** Type of a Task result. */
export enum TektonResultType {
  STRING = 'string',
  ARRAY = 'array',
}

/** What a step's failure does to the Task (Tekton `onError`). */
export enum StepOnError {
  /** The Task fails and the following steps are skipped. */
  STOP_AND_FAIL = 'stopAndFail',
  /** The exit code is recorded and the Task goes on (and can succeed). */
  CONTINUE = 'continue',
}

/** A param of a Task or Pipeline. */
export interface TektonParam {
  /** Letters, digits, `_`, `-`, `.`, starting with a letter or `_`. */
  readonly name: string;
  /** @default TektonParamType.STRING */
  readonly type?: TektonParamType;
  /** @default - none */
  readonly description?: string;
  /** Default of a string param. @default - none: a run must give the param */
  readonly defaultValue?: string;
  /** Default of an array param. @default - none: a run must give the param */
  readonly defaultValues?: string[];
}

/** A result a Task writes to `$(results.<name>.path)`. */
export interface TektonResult {
  /** Letters, digits, `-`, `_`, `.`, starting and ending alphanumeric. */
  readonly name: string;
  /** @default TektonResultType.STRING */
  readonly type?: TektonResultType;
  /** @default - none */
  readonly description?: string;
}

/** A workspace the Task's steps can use (a volume the run provides). */
export interface TektonWorkspace {
  readonly name: string;
  /** @default - none */
  readonly description?: string;
  /** @default `/workspace/<name>` */
  readonly mountPath?: string;
  /** @default false */
  readonly readOnly?: boolean;
  /** @default false */
  readonly optional?: boolean;
}

/** One step of a Task: a container that runs to completion. */
export interface TektonStep {
  /** A DNS-1123 label, unique in the Task. */
  readonly name: string;
  /** The image, pinned by digest (`repo:tag@sha256:...`); a tag alone only with `allowTagOnlyImages`. */
  readonly image: string;
  /** A script run in the image (starts with `#!` or runs with `sh`); not together with `command`. @default - none */
  readonly script?: string;
  /** @default - the image's entrypoint */
  readonly command?: string[];
  /** @default - none */
  readonly args?: string[];
  /** Environment variables (values may reference `$(params.<name>)`). @default - none */
  readonly env?: { [name: string]: string };
  /** @default - the image's working directory */
  readonly workingDir?: string;
  /** Requests (cpu, memory) and the memory limit are required. */
  readonly resources: kplus.ContainerResources;
  /** @default StepOnError.STOP_AND_FAIL */
  readonly onError?: StepOnError;
  /** uid and root filesystem; the rest of Pod Security "restricted" is always set. @default - uid 65532, read-only root */
  readonly security?: ContainerSecurityOptions;
  /** Absolute paths the step writes to, each an `emptyDir` (the root filesystem is read-only). @default - none */
  readonly writablePaths?: string[];
}

/** Props of a TektonTask. */
export interface TektonTaskProps extends ResourceProps {
  /** @default - none */
  readonly description?: string;
  /** @default - none */
  readonly params?: TektonParam[];
  /** @default - none */
  readonly results?: TektonResult[];
  /** At least one. */
  readonly steps: TektonStep[];
  /** @default - none */
  readonly workspaces?: TektonWorkspace[];
  /**
   * Accept images pinned by a version tag without a digest (never `latest`, never untagged). A tag can move; a
   * digest cannot.
   * @default false
   */
  readonly allowTagOnlyImages?: boolean;
}

// Formats of pkg/apis/pipeline/v1 at v1.15.0 (task_validation.go, resultref.go).
const PARAM_NAME = /^[_a-zA-Z][_a-zA-Z0-9.-]*$/;
const RESULT_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
/** `$(context.taskRun.*)` and `$(context.task.*)` names a step may use (task_validation.go). */
const TASK_RUN_CONTEXT = ['name', 'namespace', 'uid'];
const TASK_CONTEXT = ['name', 'retry-count'];

/** Checks a list of params as the webhook does (names, duplicates, defaults of the declared type). */
export function checkParams(scope: Construct, field: string, params: TektonParam[]): void {
  params.forEach((p, i) => {
    const at = `${field}[${i}]`;
    if (typeof p.name !== 'string' || !PARAM_NAME.test(p.name)) {
      invalid(scope, `${at}.name`, p.name, 'is not a valid param name', 'use letters, digits, "_", "-" and ".", starting with a letter or "_"');
    }
    const type = p.type ?? TektonParamType.STRING;
    if (!Object.values(TektonParamType).includes(type)) invalid(scope, `${at}.type`, p.type, 'is not a param type', 'use TektonParamType');
    if (type === TektonParamType.STRING && p.defaultValues !== undefined) {
      invalid(scope, `${at}.defaultValues`, p.defaultValues, `is an array default for the string param "${p.name}"`, 'use defaultValue, or type TektonParamType.ARRAY');
    }
    if (type === TektonParamType.ARRAY && p.defaultValue !== undefined) {
      invalid(scope, `${at}.defaultValue`, p.defaultValue, `is a string default for the array param "${p.name}"`, 'use defaultValues, or type TektonParamType.STRING');
    }
  });
  requireUnique(scope, `${field}[].name`, params.map((p) => p.name), 'each param needs its own name');
}

/** The L1 `params` entries of a list of params. */
export function paramSpecs(params: TektonParam[]): any[] | undefined {
  if (!params.length) return undefined;
  return params.map((p) => ({
    name: p.name,
    type: p.type ?? TektonParamType.STRING,
    description: p.description,
    default: p.defaultValue ?? p.defaultValues,
  }));
}

/** Whether a param must be given by whoever runs the Task or Pipeline. */
export function isRequired(p: TektonParam): boolean {
  return p.defaultValue === undefined && p.defaultValues === undefined;
}

const DIGEST = /@sha256:[a-f0-9]{64}$/;

/** A typed Tekton v1 Task (see the module comment). */
export class TektonTask extends NamespacedResource {
  /** The Task's name (what a Pipeline's `taskRef` names). */
  public readonly taskName: string;
  /** The params as declared. */
  public readonly params: TektonParam[];
  /** The results as declared. */
  public readonly results: TektonResult[];
  /** The workspaces as declared. */
  public readonly workspaces: TektonWorkspace[];
  /** The L1 object. */
  public readonly resource: TaskV1;

  public constructor(scope: Construct, id: string, props: TektonTaskProps) {
    // validate.ObjectMetadata: a DNS-1123 subdomain of at most 63 characters.
    super(scope, id, props, { format: NameFormat.DNS1123_SUBDOMAIN, maxLength: 63, maxLengthReason: 'the Tekton webhook refuses longer Task names' });
    requireProps(this, props, 'give at least steps');
    this.taskName = this.name;
    this.params = [...requireArray(this, 'params', props.params)];
    this.results = [...requireArray(this, 'results', props.results)];
    this.workspaces = [...requireArray(this, 'workspaces', props.workspaces)];
    checkParams(this, 'params', this.params);
    this.checkResults();
    this.checkWorkspaces();
    if (!Array.isArray(props.steps) || props.steps.length === 0) {
      invalid(this, 'steps', props.steps, 'must hold at least one step', 'add a step with an image and a script or command');
    }
    requireArray(this, 'steps', props.steps, 'give each step a name, an image, resources and a script or command');
    requireUnique(this, 'steps[].name', props.steps.map((s) => s.name), 'each step needs its own name');

    const volumes: any[] = [];
    const mountPaths = new Set(this.workspaces.map((w) => normalize(w.mountPath ?? `/workspace/${w.name}`)));
    const steps = props.steps.map((step, i) => this.renderStep(step, i, props.allowTagOnlyImages ?? false, volumes, mountPaths));

    this.resource = new TaskV1(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace, labels: this.recommendedLabels(this.name, 'task') },
      spec: {
        description: props.description,
        params: paramSpecs(this.params),
        results: this.results.length ? this.results.map((r) => ({ name: r.name, type: r.type ?? TektonResultType.STRING, description: r.description })) : undefined,
        workspaces: this.workspaces.length ? this.workspaces.map((w) => ({
          name: w.name, description: w.description, mountPath: w.mountPath, readOnly: w.readOnly, optional: w.optional,
        })) : undefined,
        steps,
        volumes: volumes.length ? volumes : undefined,
      },
    });
  }

  /** Names of the params. */
  public get paramNames(): string[] {
    return this.params.map((p) => p.name);
  }

  /** Names of the params a run must give (no default). */
  public get requiredParamNames(): string[] {
    return this.params.filter(isRequired).map((p) => p.name);
  }

  /** Names of the results. */
  public get resultNames(): string[] {
    return this.results.map((r) => r.name);
  }

  private checkResults(): void {
    this.results.forEach((r, i) => {
      if (typeof r.name !== 'string' || !RESULT_NAME.test(r.name)) {
        invalid(this, `results[${i}].name`, r.name, 'is not a valid result name', 'use letters, digits, "-", "_" and ".", starting and ending with a letter or digit');
      }
      if (r.type !== undefined && !Object.values(TektonResultType).includes(r.type)) invalid(this, `results[${i}].type`, r.type, 'is not a result type', 'use TektonResultType');
    });
    requireUnique(this, 'results[].name', this.resultNames, 'each result needs its own name');
  }

  private checkWorkspaces(): void {
    this.workspaces.forEach((w, i) => {
      requireName(this, `workspaces[${i}].name`, w.name);
      if (w.mountPath !== undefined) this.checkMountPath(`workspaces[${i}].mountPath`, w.mountPath);
    });
    requireUnique(this, 'workspaces[].name', this.workspaces.map((w) => w.name), 'each workspace needs its own name');
    requireUnique(this, 'workspaces[].mountPath', this.workspaces.map((w) => normalize(w.mountPath ?? `/workspace/${w.name}`)),
      'give each workspace its own mountPath');
  }

  private checkMountPath(field: string, path: string): void {
    if (typeof path !== 'string' || !path.startsWith('/')) invalid(this, field, path, 'must be an absolute path');
    const clean = normalize(path);
    if (clean.startsWith('/tekton/') && !clean.startsWith('/tekton/home')) {
      invalid(this, field, path, 'is under /tekton/, which Tekton reserves for itself', 'mount it elsewhere, e.g. under /workspace or /tmp');
    }
  }

  private renderStep(step: TektonStep, i: number, allowTagOnly: boolean, volumes: any[], mountPaths: Set<string>): TaskV1SpecSteps {
    const at = `steps[${i}]`;
    requireName(this, `${at}.name`, step.name);
    for (const list of ['command', 'args'] as const) {
      requireArray(this, `${at}.${list}`, step[list]).forEach((v, j) => {
        if (typeof v !== 'string') invalid(this, `${at}.${list}[${j}]`, v, 'must be a string');
      });
    }
    requireArray(this, `${at}.writablePaths`, step.writablePaths, 'list absolute paths, e.g. ["/tmp"]');
    this.checkImage(`${at}.image`, step.image, allowTagOnly);
    if (step.script !== undefined && step.command !== undefined) {
      invalid(this, `${at}.command`, step.command, 'cannot be used together with script', 'put the command into the script, or drop the script');
    }
    if (step.script !== undefined && (typeof step.script !== 'string' || step.script.trim() === '')) {
      invalid(this, `${at}.script`, step.script, 'is empty', 'give the script text, or leave script out and give a command');
    }
    if (step.onError !== undefined && !Object.values(StepOnError).includes(step.onError)) {
      invalid(this, `${at}.onError`, step.onError, 'is not continue or stopAndFail', 'use StepOnError');
    }
    const env = Object.entries(step.env ?? {}).map(([name, value]) => {
      requireEnvName(this, `${at}.env`, name);
      if (typeof value !== 'string') invalid(this, `${at}.env.${name}`, value, 'must be a string');
      return { name, value };
    });
    if (step.workingDir !== undefined) this.checkMountPath(`${at}.workingDir`, step.workingDir);

    // Every `$(...)` reference of the step, as the webhook checks them.
    const texts: Array<[string, string | undefined, boolean]> = [
      [`${at}.script`, step.script, false],
      [`${at}.workingDir`, step.workingDir, false],
      ...(step.command ?? []).map((c, j): [string, string, boolean] => [`${at}.command[${j}]`, c, true]),
      ...(step.args ?? []).map((a, j): [string, string, boolean] => [`${at}.args[${j}]`, a, true]),
      ...env.map((e): [string, string, boolean] => [`${at}.env.${e.name}`, e.value, false]),
    ];
    for (const [field, text, arraysAllowed] of texts) this.checkReferences(field, text, arraysAllowed);

    const resources = this.checkResources(`${at}.resources`, step.resources);
    const mounts = (step.writablePaths ?? []).map((path, j) => {
      this.checkMountPath(`${at}.writablePaths[${j}]`, path);
      const clean = normalize(path);
      if (mountPaths.has(clean)) invalid(this, `${at}.writablePaths[${j}]`, path, 'is mounted twice in the Task', 'give each workspace and writable path its own directory');
      mountPaths.add(clean);
      const name = `scratch-${i}-${j}`;
      volumes.push({ name, emptyDir: {} });
      return { name, mountPath: path };
    });
    return {
      name: step.name,
      image: step.image,
      script: step.script,
      command: step.command,
      args: step.args,
      env: env.length ? env : undefined,
      workingDir: step.workingDir,
      computeResources: {
        requests: toQuantities(resources.requests, (v) => TaskV1SpecStepsComputeResourcesRequests.fromString(v)),
        limits: toQuantities(resources.limits, (v) => TaskV1SpecStepsComputeResourcesLimits.fromString(v)),
      },
      securityContext: restrictedContainerSecurityContext(step.security ?? {}),
      onError: step.onError,
      volumeMounts: mounts.length ? mounts : undefined,
    };
  }

  private checkImage(field: string, image: string, allowTagOnly: boolean): void {
    if (typeof image === 'string' && image.includes('$(')) {
      invalid(this, field, image, 'is substituted at run time, so its pinning cannot be checked', 'give the image literally, pinned by digest');
    }
    requireImage(this, field, image);
    const lastSegment = image.split('/').pop() as string;
    const tag = lastSegment.split('@')[0].split(':')[1];
    if (tag === 'latest') invalid(this, field, image, 'uses the tag "latest", which moves', 'pin a version tag and its digest, e.g. "repo:1.2.3@sha256:..."');
    if (!DIGEST.test(image) && !allowTagOnly) {
      invalid(this, field, image, 'is not pinned by digest', 'append "@sha256:<digest>" of the image you tested, or set allowTagOnlyImages: true to accept a version tag');
    }
  }

  private checkResources(field: string, resources: kplus.ContainerResources | undefined) {
    if (!resources || typeof resources !== 'object') invalid(this, field, resources, 'is required', 'set cpu.request, memory.request and memory.limit');
    const kube = resourcesToKube(this, field, resources);
    const missing = [
      kube.requests?.cpu === undefined ? 'cpu.request' : undefined,
      kube.requests?.memory === undefined ? 'memory.request' : undefined,
      kube.limits?.memory === undefined ? 'memory.limit' : undefined,
    ].filter(Boolean);
    if (missing.length) invalid(this, field, resources, `sets no ${missing.join(', ')}`, 'every step needs cpu and memory requests and a memory limit');
    return kube;
  }

  private checkReferences(field: string, text: string | undefined, arraysAllowed: boolean): void {
    if (!text) return;
    const declared = new Map(this.params.map((p) => [p.name, p]));
    for (const ref of variableRefs(text, 'params')) {
      if (ref.tooManyParts) invalid(this, field, ref.expression, 'has more than two dot-separated parts after "params"', 'use $(params.<name>) or $(params["<name.with.dots>"])');
      const param = declared.get(ref.name);
      if (!param) {
        invalid(this, field, ref.expression, `references a param the Task does not declare (declared: ${[...declared.keys()].join(', ') || 'none'})`,
          `declare a param "${ref.name}" or fix the name`);
      }
      if ((param.type ?? TektonParamType.STRING) === TektonParamType.ARRAY && !/\[[0-9]+\]\)$/.test(ref.expression)) {
        if (!arraysAllowed || !isIsolated(text, ref) || !ref.wholeArray) {
          invalid(this, field, ref.expression, `uses the array param "${ref.name}" where only a string fits`,
            `use it whole as its own command or args entry ("$(params.${ref.name}[*])"), or one element ("$(params.${ref.name}[0])")`);
        }
      }
    }
    const results = new Set(this.resultNames);
    for (const ref of variableRefs(text, 'results')) {
      if (!results.has(ref.name)) {
        invalid(this, field, ref.expression, `references a result the Task does not declare (declared: ${[...results].join(', ') || 'none'})`,
          `declare a result "${ref.name}" or fix the name`);
      }
    }
    for (const [prefix, names] of [['context.taskRun', TASK_RUN_CONTEXT], ['context.task', TASK_CONTEXT]] as Array<[string, string[]]>) {
      for (const ref of variableRefs(text, prefix)) {
        if (!names.includes(ref.name)) invalid(this, field, ref.expression, `is not a ${prefix} variable`, `use one of ${names.map((n) => `$(${prefix}.${n})`).join(', ')}`);
      }
    }
  }
}

function normalize(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}
