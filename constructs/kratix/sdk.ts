/**
 * The Kratix workflow container contract, typed: the Node counterpart of Kratix's Go and Python SDKs
 * (syntasso/kratix sdk/contract.md), checked against what Kratix's own code does at the pinned commit:
 *
 * - Kratix runs each Pipeline as one Job; the containers run in order, with the request (resource workflows) or the
 *   Promise (promise workflows) in `/kratix/input/object.yaml` (read-only), and `/kratix/output` and
 *   `/kratix/metadata` writable (api/v1alpha1/pipeline_factory.go).
 * - The environment: `KRATIX_WORKFLOW_ACTION` (configure | delete), `KRATIX_WORKFLOW_TYPE` (promise | resource),
 *   `KRATIX_PROMISE_NAME`, `KRATIX_PIPELINE_NAME`, `KRATIX_OBJECT_{KIND,GROUP,VERSION,NAME,NAMESPACE}`.
 * - After a configure workflow, Kratix turns every file under `output/` into a Work (work-creator/lib/work_creator.go);
 *   `metadata/destination-selectors.yaml` (hyphenated, as the code reads it; the SDK contract text says
 *   `destination_selectors.yaml`) sends top-level directories of `output/` to other destinations.
 * - `metadata/status.yaml` is merged into the object's `.status` (work-creator/cmd/update_status.go); the key `kratix`
 *   is Kratix's own and refused; a promise workflow's status keeps only `message`.
 * - `metadata/workflow-control.yaml` (`suspend`, `retryAfter`, `message`) suspends or retries the pipeline instead
 *   of scheduling (work-creator/lib/workflow_control.go).
 *
 * The folder is `/kratix` unless `KRATIX_DIR` names another, so a pipeline runs outside a container too.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { IConstruct } from 'constructs';
import { parseAllDocuments } from 'yaml';
import { invalid } from '../core/errors';
import { requireLabels } from '../core/validate';
import { KratixWorkflowAction, KratixWorkflowType } from './pipeline';

// What the workflow does (`KRATIX_WORKFLOW_ACTION`) and whose it is (`KRATIX_WORKFLOW_TYPE`): the enums the Promise's
// workflows are declared with.
export { KratixWorkflowAction, KratixWorkflowType };

/** The folder a workflow container works in, unless `KRATIX_DIR` names another. */
export const KRATIX_DEFAULT_DIR = '/kratix';

/** Output sent to destinations other than the Promise's (one entry of `metadata/destination-selectors.yaml`). */
export interface KratixDestinationSelector {
  /** A top-level directory of `output/` (no sub-directories), or `.` for the rest of the output. */
  readonly directory: string;
  /** Labels the destinations must carry (at least one). */
  readonly matchLabels: { [key: string]: string };
}

/** The object a workflow runs for, from the `KRATIX_OBJECT_*` environment. */
export interface KratixObjectRef {
  readonly kind: string;
  readonly group: string;
  readonly version: string;
  readonly name: string;
  /** Empty for a Promise (cluster-scoped). */
  readonly namespace: string;
}

export interface KratixSdkOptions {
  /**
   * The Kratix folder.
   * @default - `KRATIX_DIR` from the environment, else `/kratix`
   */
  readonly dir?: string;
  /**
   * The environment to read the `KRATIX_*` variables from.
   * @default - process.env
   */
  readonly env?: { [name: string]: string };
}

/** Status keys Kratix manages itself on a request (the status schema it gives the request CRD, and `kratix`). */
const RESERVED_STATUS_KEYS = ['kratix', 'conditions', 'observedGeneration', 'workflows', 'workflowsSucceeded', 'workflowsFailed'];
/** A Go `time.ParseDuration` string (what `retryAfter` must be). */
const GO_DURATION = /^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$|^0$/;

/**
 * The contract of a Kratix workflow container (see the module comment). Every refusal is a ValidationError naming
 * the call (`kratix/writeOutput`...), the field, the value and the fix.
 */
export class KratixSdk {
  /** The Kratix folder. */
  public readonly dir: string;
  private readonly env: { [name: string]: string | undefined };

  public constructor(options: KratixSdkOptions = {}) {
    if (options === null || typeof options !== 'object') invalid(scope('new'), 'options', options, 'must be an object', 'e.g. { dir: "/tmp/k" }, or leave it out');
    if (options.env !== undefined && (options.env === null || typeof options.env !== 'object')) {
      invalid(scope('new'), 'options.env', options.env, 'must be a map of variables', 'e.g. process.env');
    }
    this.env = options.env ?? process.env;
    const dir = options.dir ?? (this.env.KRATIX_DIR || KRATIX_DEFAULT_DIR);
    if (typeof dir !== 'string' || dir.includes('\0')) invalid(scope('new'), 'options.dir', dir, 'must be a folder path', `e.g. "${KRATIX_DEFAULT_DIR}"`);
    this.dir = path.resolve(dir);
  }

  /** `<dir>/input`: what Kratix gives the container (read-only in the cluster). */
  public get inputDir(): string {
    return path.join(this.dir, 'input');
  }

  /** `<dir>/output`: what Kratix schedules to destinations. */
  public get outputDir(): string {
    return path.join(this.dir, 'output');
  }

  /** `<dir>/metadata`: status, destination selectors, workflow control. */
  public get metadataDir(): string {
    return path.join(this.dir, 'metadata');
  }

  /** `KRATIX_WORKFLOW_ACTION`. */
  public workflowAction(): KratixWorkflowAction {
    return this.enumVariable('KRATIX_WORKFLOW_ACTION', Object.values(KratixWorkflowAction)) as KratixWorkflowAction;
  }

  /** `KRATIX_WORKFLOW_TYPE`. */
  public workflowType(): KratixWorkflowType {
    return this.enumVariable('KRATIX_WORKFLOW_TYPE', Object.values(KratixWorkflowType)) as KratixWorkflowType;
  }

  /** `KRATIX_PROMISE_NAME`. */
  public promiseName(): string {
    return this.variable('KRATIX_PROMISE_NAME');
  }

  /** `KRATIX_PIPELINE_NAME`. */
  public pipelineName(): string {
    return this.variable('KRATIX_PIPELINE_NAME');
  }

  /** The object the workflow runs for (`KRATIX_OBJECT_*`; the group is empty for the core group). */
  public object(): KratixObjectRef {
    return {
      kind: this.variable('KRATIX_OBJECT_KIND'),
      group: this.env.KRATIX_OBJECT_GROUP ?? '',
      version: this.variable('KRATIX_OBJECT_VERSION'),
      name: this.variable('KRATIX_OBJECT_NAME'),
      namespace: this.env.KRATIX_OBJECT_NAMESPACE ?? '',
    };
  }

  public isPromiseWorkflow(): boolean {
    return this.workflowType() === KratixWorkflowType.PROMISE;
  }

  public isResourceWorkflow(): boolean {
    return this.workflowType() === KratixWorkflowType.RESOURCE;
  }

  public isConfigureAction(): boolean {
    return this.workflowAction() === KratixWorkflowAction.CONFIGURE;
  }

  public isDeleteAction(): boolean {
    return this.workflowAction() === KratixWorkflowAction.DELETE;
  }

  /** Whether this run is a Kratix dry run (`KRATIX_DRY_RUN=true`): Kratix records the Work but schedules nothing. */
  public isDryRun(): boolean {
    return this.env.KRATIX_DRY_RUN === 'true';
  }

  /**
   * `input/object.yaml`: the request (resource workflows) or the Promise (promise workflows), one Kubernetes object
   * with `apiVersion`, `kind` and `metadata.name`.
   */
  public readInput(): { [key: string]: any } {
    const file = path.join(this.inputDir, 'object.yaml');
    if (!fs.existsSync(file)) {
      invalid(scope('readInput'), 'input/object.yaml', file, 'does not exist',
        `run inside a Kratix workflow, or point KRATIX_DIR at a folder whose input/object.yaml holds the object (now ${this.dir})`);
    }
    const docs = parseAllDocuments(fs.readFileSync(file, 'utf8')).filter((d) => d.contents !== null);
    const errors = docs.flatMap((d) => d.errors);
    if (errors.length) invalid(scope('readInput'), 'input/object.yaml', file, `is not valid YAML: ${errors[0].message.split('\n')[0]}`, 'write one Kubernetes object');
    if (docs.length !== 1) invalid(scope('readInput'), 'input/object.yaml', docs.length, 'must hold exactly one YAML document', 'write one Kubernetes object');
    const obj = docs[0].toJS();
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)
      || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string' || typeof obj.metadata?.name !== 'string') {
      invalid(scope('readInput'), 'input/object.yaml', obj, 'is not a Kubernetes object', 'give it apiVersion, kind and metadata.name');
    }
    return obj;
  }

  /**
   * Writes `text` to `output/<file>` (directories created). `file` is relative and stays inside `output/`.
   * @returns the absolute path written
   */
  public writeOutput(file: string, text: string): string {
    if (typeof text !== 'string') invalid(scope('writeOutput'), 'text', text, 'must be a string', 'use writeOutputObjects for objects');
    const target = this.outputPath(file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, text);
    return target;
  }

  /**
   * Writes Kubernetes objects as one multi-document YAML file `output/<file>` (the form `cdk8s synth` writes).
   * @returns the absolute path written
   */
  public writeOutputObjects(file: string, objects: any[]): string {
    if (!Array.isArray(objects) || objects.some((o) => typeof o !== 'object' || o === null || Array.isArray(o))) {
      invalid(scope('writeOutputObjects'), 'objects', objects, 'must be a list of objects', 'pass the objects a chart synthesizes');
    }
    requirePlainData(scope('writeOutputObjects'), 'objects', objects);
    return this.writeOutput(file, Yaml.stringify(...objects));
  }

  /**
   * Writes `metadata/status.yaml`, which Kratix merges into the object's `.status`. Refuses the keys Kratix manages
   * (`kratix`, `conditions`, `observedGeneration`, `workflows*`); a promise workflow's status keeps only `message`.
   */
  public writeStatus(status: { [key: string]: any }): string {
    if (typeof status !== 'object' || status === null || Array.isArray(status)) invalid(scope('writeStatus'), 'status', status, 'must be an object', 'e.g. { message: "ready" }');
    const reserved = Object.keys(status).find((k) => RESERVED_STATUS_KEYS.includes(k));
    if (reserved !== undefined) invalid(scope('writeStatus'), `status.${reserved}`, reserved, 'is managed by Kratix', `use other keys than ${RESERVED_STATUS_KEYS.join(', ')}`);
    if (status.message !== undefined && typeof status.message !== 'string') invalid(scope('writeStatus'), 'status.message', status.message, 'must be a string', 'Kratix\'s status schema types message as a string');
    requirePlainData(scope('writeStatus'), 'status', status);
    // As JSON would: a field set to undefined is left out (YAML would write it as null).
    return this.writeMetadata('status.yaml', Yaml.stringify(JSON.parse(JSON.stringify(status))));
  }

  /** `metadata/status.yaml` as written so far (by this container or an earlier one); `{}` when there is none. */
  public readStatus(): { [key: string]: any } {
    return this.readMetadata('status.yaml') ?? {};
  }

  /**
   * Writes `metadata/destination-selectors.yaml`: which destinations the top-level directories of `output/` go to.
   * Refuses what Kratix refuses (work_creator.go ParseDestinationSelectors): an entry without labels, a directory
   * named twice, a sub-directory.
   */
  public writeDestinationSelectors(selectors: KratixDestinationSelector[]): string {
    const at = scope('writeDestinationSelectors');
    if (!Array.isArray(selectors)) invalid(at, 'selectors', selectors, 'must be a list', 'e.g. [{ directory: "db", matchLabels: { environment: "data" } }]');
    const seen = new Set<string>();
    const out = selectors.map((s, i) => {
      const labels = s?.matchLabels;
      if (typeof labels !== 'object' || labels === null || Array.isArray(labels) || Object.keys(labels).length === 0) {
        invalid(at, `selectors[${i}].matchLabels`, labels, 'must have at least one label', 'Kratix refuses an entry with no selectors');
      }
      requireLabels(at, `selectors[${i}].matchLabels`, labels);
      const directory = typeof s.directory === 'string' ? path.posix.normalize(s.directory).replace(/\/+$/, '') : s.directory;
      if (typeof directory !== 'string' || directory === '' || directory.includes('/') || directory === '..') {
        invalid(at, `selectors[${i}].directory`, s.directory, 'must be a top-level directory of output/ or "."', 'Kratix refuses sub-directories; move the files up');
      }
      if (seen.has(directory)) invalid(at, `selectors[${i}].directory`, directory, 'is listed twice', 'merge the entries');
      seen.add(directory);
      return { directory, matchLabels: { ...labels } };
    });
    return this.writeMetadata('destination-selectors.yaml', Yaml.stringify(out));
  }

  /** `metadata/destination-selectors.yaml` as written so far; `[]` when there is none. */
  public readDestinationSelectors(): KratixDestinationSelector[] {
    return this.readMetadata('destination-selectors.yaml') ?? [];
  }

  /**
   * Suspends the workflow (`metadata/workflow-control.yaml` `suspend: true`): Kratix neither schedules this run's
   * output nor runs further pipelines, marks the pipeline Suspended with `message`, and runs again when the object's
   * spec changes.
   */
  public writeSuspend(message: string): string {
    if (typeof message !== 'string') invalid(scope('writeSuspend'), 'message', message, 'must be a string');
    return this.writeMetadata('workflow-control.yaml', Yaml.stringify({ suspend: true, message }));
  }

  /** Asks Kratix to run the pipeline again after `duration` (a Go duration, e.g. `5m`), scheduling nothing now. */
  public writeRetryAfter(duration: string, message: string): string {
    if (typeof duration !== 'string' || !GO_DURATION.test(duration)) invalid(scope('writeRetryAfter'), 'duration', duration, 'is not a Go duration', 'e.g. 30s, 5m, 1h30m');
    if (typeof message !== 'string') invalid(scope('writeRetryAfter'), 'message', message, 'must be a string');
    return this.writeMetadata('workflow-control.yaml', Yaml.stringify({ retryAfter: duration, message }));
  }

  /** The absolute path of `output/<file>`, refusing a path that is absolute or leaves `output/`. */
  public outputPath(file: string): string {
    if (typeof file !== 'string' || file === '' || file.includes('\0') || path.isAbsolute(file) || path.win32.isAbsolute(file)) {
      invalid(scope('writeOutput'), 'path', file, 'must be a relative file path', 'e.g. "app.yaml" or "db/claim.yaml"');
    }
    const target = path.resolve(this.outputDir, file);
    const rel = path.relative(this.outputDir, target);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
      invalid(scope('writeOutput'), 'path', file, 'leaves output/', 'give a path inside output/, without ".."');
    }
    return target;
  }

  private writeMetadata(file: string, text: string): string {
    const target = path.join(this.metadataDir, file);
    fs.mkdirSync(this.metadataDir, { recursive: true });
    fs.writeFileSync(target, text);
    return target;
  }

  private readMetadata(file: string): any {
    const target = path.join(this.metadataDir, file);
    if (!fs.existsSync(target)) return undefined;
    const doc = parseAllDocuments(fs.readFileSync(target, 'utf8'))[0];
    if (!doc || doc.errors.length) invalid(scope('read'), `metadata/${file}`, target, `is not valid YAML${doc ? `: ${doc.errors[0].message.split('\n')[0]}` : ''}`, 'fix or remove it');
    return doc.toJS() ?? undefined;
  }

  private variable(name: string): string {
    const value = this.env[name];
    if (value === undefined || value === '') {
      invalid(scope('env'), name, value, 'is not set', 'Kratix sets it in a workflow container; set it yourself to run outside one');
    }
    return value;
  }

  private enumVariable(name: string, allowed: string[]): string {
    const value = this.variable(name);
    if (!allowed.includes(value)) invalid(scope('env'), name, value, `must be one of ${allowed.join(', ')}`);
    return value;
  }
}

/**
 * Refuses what is not JSON data (a function, a symbol, a bigint, a number that is not finite, a cycle): Kratix reads
 * the files as YAML into JSON, and the YAML writer would otherwise throw deep inside or write aliases for a cycle.
 */
function requirePlainData(at: IConstruct, field: string, value: unknown, seen: object[] = []): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) invalid(at, field, String(value), 'is not a finite number', 'write numbers JSON can hold');
    return;
  }
  if (typeof value !== 'object') return invalid(at, field, typeof value, 'is not data (Kratix reads these files as YAML)', 'write strings, numbers, booleans, lists and maps');
  if (seen.includes(value)) return invalid(at, field, '<cycle>', 'refers back to itself', 'write a tree of values, not a graph');
  const inner = [...seen, value];
  if (Array.isArray(value)) {
    value.forEach((v, i) => requirePlainData(at, `${field}[${i}]`, v, inner));
  } else {
    for (const [k, v] of Object.entries(value)) if (v !== undefined) requirePlainData(at, `${field}.${k}`, v, inner);
  }
}

/** Errors of the SDK name the call they come from, in place of a construct path. */
function scope(call: string): IConstruct {
  return { node: { path: `kratix/${call}` } } as unknown as IConstruct;
}
