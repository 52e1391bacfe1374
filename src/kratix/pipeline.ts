/**
 * The Kratix pipeline: one container that fulfils a Promise generated from a bundle spec, by running the same
 * constructs the library ships (the `kratix-pipeline` command of the `platform-blueprints` bin, and
 * `npm run kratix:pipeline` here).
 *
 * What it does, per workflow (KRATIX_WORKFLOW_TYPE / KRATIX_WORKFLOW_ACTION; unset, they default to a resource
 * configure, so it runs on a request outside a cluster):
 * - resource configure: reads the request (`input/object.yaml`), picks the bundle spec serving its API group and kind,
 *   applies the schema's defaults as the API server does and validates the spec against the same schema, builds the
 *   bundle into a fresh cdk8s App (one Chart named after the request), runs the constructs' synth-time validations,
 *   synthesizes, checks the platform policy, then writes one YAML file per chart under `output/` (the names
 *   `cdk8s synth` gives them) and `metadata/status.yaml` (message, outputs, object count, files). Kratix turns
 *   `output/` into a Work for the Promise's destinations.
 * - resource delete: writes only a status message. Kratix deletes the Works the request's configure runs scheduled;
 *   the request is not validated (a request that was refused must still be deletable).
 * - promise configure: the input is the Promise; the spec serving its `spec.api` builds its prerequisites (if it has
 *   any) into `output/`, which Kratix schedules as the Promise's own Work; otherwise nothing is written but the status
 *   message (a promise workflow's status keeps only `message`).
 * - promise delete: a status message; Kratix removes the Promise's Works.
 *
 * Everything is staged in a folder inside `output/` (the one place that is writable and on the same volume as
 * `output/` in a Kratix Job, whose root filesystem may be read-only) and moved into place only when the whole run
 * succeeded. A request the schema or the constructs refuse (schema problem, ValidationError, synth-time validation,
 * policy violation) leaves `output/` untouched, writes the refusal to `metadata/status.yaml` (construct path, field,
 * value, problem, fix) and exits 1 with one line on stderr. Anything else (no input, no spec for the API, a bug)
 * exits 2 with one line. Never a stack trace.
 *
 * In a cluster, a non-zero exit fails the Job before Kratix's status writer runs (the user containers are init
 * containers; the status writer is the pod's main container — api/v1alpha1/pipeline_factory.go): Kratix keeps the
 * request's previous Work, marks the configure workflow failed, and the refusal is read from the container's log.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, YamlOutputType } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ValidationError, show } from '../../constructs/core/errors';
import { checkName } from '../../constructs/core/k8s-rules';
import { BundleBuildResult, BundleRequest, IBundleSpec } from '../../constructs/kratix/bundle-spec';
import { applySchemaDefaults } from '../../constructs/kratix/defaults';
import { KratixSdk, KratixWorkflowAction, KratixWorkflowType } from '../../constructs/kratix/sdk';
import { PlatformPolicy } from '../../constructs/policy/policy';

/** Exit codes of the pipeline. */
export enum PipelineExitCode {
  /** Done: output and status written (or, for delete workflows, the status). */
  OK = 0,
  /** The request was refused: the refusal is in `metadata/status.yaml`, nothing in `output/`. */
  REFUSED = 1,
  /** The pipeline could not run (no input, no spec for the API, a bug). */
  FAILED = 2,
}

export interface PipelineRunOptions {
  /** The bundle specs this pipeline serves (picked by the request's API group and kind). */
  readonly specs: IBundleSpec[];
  /** The Kratix folder. @default - KRATIX_DIR, else /kratix */
  readonly dir?: string;
  /** The environment (KRATIX_*). @default - process.env */
  readonly env?: { [name: string]: string | undefined };
  /** Where the one-line outcome goes. @default - stdout for success, stderr for a refusal or a failure */
  readonly log?: (line: string, failed: boolean) => void;
}

/** What the request's status says of a refusal. */
export interface PipelineRefusal {
  /** `SchemaInvalid`, `ValidationError`, `SynthValidation` or `PolicyViolation`. */
  readonly reason: string;
  /** The construct (or the request, for schema problems) that refused. */
  readonly constructPath: string;
  /** The field, e.g. `spec.functions[0].name` or `scale.min`. */
  readonly field: string;
  /** The value refused, as the message shows it. */
  readonly value?: string;
  /** What is wrong. */
  readonly problem: string;
  /** How to fix it. */
  readonly fix?: string;
  /** Every problem found (schema problems are all reported at once). */
  readonly problems: string[];
}

const COMMAND = 'platform-blueprints kratix-pipeline';
const STAGING_PREFIX = '.platform-blueprints-staging-';
/** Kratix limits a request's name to this (promise_types.go MaxResourceNameLength). */
const MAX_REQUEST_NAME = 63;

/** A refusal of the request (exit 1). */
class Refused extends Error {
  public constructor(public readonly refusal: PipelineRefusal) {
    super(`refused: ${refusal.problems[0]}`);
  }
}

/** A failure to run (exit 2), with its one line. */
class Failed extends Error {}

/** Runs one workflow container (see the module comment); returns the exit code. */
export function runPipeline(options: PipelineRunOptions): number {
  const env = { ...(options.env ?? process.env) };
  // Outside Kratix nothing sets the workflow: the local run is a resource configure.
  env.KRATIX_WORKFLOW_ACTION ||= KratixWorkflowAction.CONFIGURE;
  env.KRATIX_WORKFLOW_TYPE ||= KratixWorkflowType.RESOURCE;
  const log = options.log ?? ((line: string, failed: boolean) => (failed ? process.stderr : process.stdout).write(`${line}\n`));
  let sdk: KratixSdk | undefined;
  let staging: string | undefined;
  try {
    sdk = new KratixSdk({ dir: options.dir, env: env as { [name: string]: string } });
    const action = sdk.workflowAction();
    const type = sdk.workflowType();
    const input = sdk.readInput();
    if (action === KratixWorkflowAction.DELETE) {
      const message = type === KratixWorkflowType.PROMISE
        ? `promise ${input.metadata.name} deleted: Kratix removes the Works its workflows scheduled`
        : `${input.kind} ${describe(input)} deleted: Kratix removes the Works its workflows scheduled`;
      writeStatusAtomically(sdk, { message });
      log(`${COMMAND}: ${message}`, false);
      return PipelineExitCode.OK;
    }
    const spec = type === KratixWorkflowType.PROMISE ? specOfPromise(options.specs, input) : specOfRequest(options.specs, input);
    fs.mkdirSync(sdk.outputDir, { recursive: true });
    staging = fs.mkdtempSync(path.join(sdk.outputDir, STAGING_PREFIX));
    const staged = path.join(staging, 'output');
    const built = type === KratixWorkflowType.PROMISE ? buildPrerequisites(spec, staged) : buildRequest(spec, input, staged);
    const files = commit(staged, sdk.outputDir);
    const status = type === KratixWorkflowType.PROMISE
      ? { message: built.result.message }
      : { message: built.result.message, outputs: built.result.outputs, objects: built.objects, files };
    writeStatusAtomically(sdk, status);
    log(`${COMMAND}: ${built.result.message} (${built.objects} objects in ${files.length} files)`, false);
    return PipelineExitCode.OK;
  } catch (e) {
    if (e instanceof Refused) {
      const refusal = e.refusal;
      const message = `refused: ${refusal.problems[0]}${refusal.fix && !refusal.problems[0].includes(refusal.fix) ? `; ${refusal.fix}` : ''}`;
      const written = trySafely(() => writeStatusAtomically(sdk!, { message, refusal }));
      log(`${COMMAND}: ${message}${written === true ? '' : ` (status.yaml not written: ${written})`}`, true);
      return PipelineExitCode.REFUSED;
    }
    const line = oneLine(e);
    if (sdk) trySafely(() => writeStatusAtomically(sdk!, { message: `pipeline failed: ${line}` }));
    log(`${COMMAND}: ${line}`, true);
    return PipelineExitCode.FAILED;
  } finally {
    if (staging) fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** The spec serving a request's API group and kind. */
function specOfRequest(specs: IBundleSpec[], input: any): IBundleSpec {
  const [group, version] = splitApiVersion(input.apiVersion);
  return pickSpec(specs, group, input.kind, version, `request ${input.kind} ${describe(input)}`);
}

/** The spec serving the API a Promise offers (its `spec.api`, a CRD). */
function specOfPromise(specs: IBundleSpec[], input: any): IBundleSpec {
  if (input.kind !== 'Promise' || splitApiVersion(input.apiVersion)[0] !== 'platform.kratix.io') {
    throw new Failed(`input/object.yaml is a ${input.apiVersion} ${input.kind}, but a promise workflow reads a platform.kratix.io Promise`);
  }
  const api = input.spec?.api;
  const group = api?.spec?.group;
  const kind = api?.spec?.names?.kind;
  if (typeof group !== 'string' || typeof kind !== 'string') throw new Failed(`promise ${input.metadata.name} has no spec.api with spec.group and spec.names.kind`);
  return pickSpec(specs, group, kind, undefined, `promise ${input.metadata.name}`);
}

function pickSpec(specs: IBundleSpec[], group: string, kind: string, version: string | undefined, what: string): IBundleSpec {
  const spec = specs.find((s) => s.group === group && s.kind === kind);
  if (!spec) {
    const served = specs.map((s) => `${s.kind}.${s.group}`).join(', ') || 'none';
    throw new Failed(`no bundle spec serves ${kind}.${group} (${what}); this pipeline serves: ${served}`);
  }
  if (version !== undefined && version !== spec.version) {
    throw new Failed(`${what} is ${group}/${version}, but this pipeline serves ${kind}.${group} at ${spec.version}; use the pipeline image of the Promise's version`);
  }
  return spec;
}

/** Validates the request against the spec's schema (after defaulting) and builds it into `outdir`. */
function buildRequest(spec: IBundleSpec, input: any, outdir: string): { result: BundleBuildResult; objects: number } {
  const requestPath = `${input.kind} ${describe(input)}`;
  // What the API server and Kratix guarantee of a request in a cluster, checked here for a request written by hand: the
  // name becomes the Chart's id and the output file's name, so an empty or path-like name must not reach cdk8s.
  const nameProblem = checkName('dns1123-subdomain', input.metadata.name)
    ?? (input.metadata.name.length > MAX_REQUEST_NAME ? `must be at most ${MAX_REQUEST_NAME} characters (Kratix limits request names)` : undefined);
  const namespace = input.metadata.namespace;
  const namespaceProblem = namespace === undefined ? undefined : typeof namespace !== 'string' ? 'must be a string' : checkName('dns1123-label', namespace);
  if (nameProblem || namespaceProblem) {
    const field = nameProblem ? 'metadata.name' : 'metadata.namespace';
    const value = show(nameProblem ? input.metadata.name : namespace);
    const problem = (nameProblem ?? namespaceProblem)!;
    throw new Refused({
      reason: 'SchemaInvalid', constructPath: requestPath, field, value, problem,
      fix: 'name the request as Kubernetes names objects, e.g. "shop"', problems: [`${field} (${value}) ${problem}`],
    });
  }
  const specValue = applySchemaDefaults(spec.schema, input.spec ?? {});
  const problems = spec.schema.validate(specValue, 'spec');
  if (problems.length) {
    const first = problems[0];
    const parsed = parseProblem(first);
    throw new Refused({
      reason: 'SchemaInvalid', constructPath: requestPath, field: parsed.field, value: parsed.value, problem: parsed.problem,
      fix: `change the request so that it fits the ${spec.kind} API (kubectl explain ${spec.plural}.spec)`, problems,
    });
  }
  const request: BundleRequest = { name: input.metadata.name, namespace: input.metadata.namespace ?? '', spec: specValue as any };
  return synthesize(outdir, (app) => spec.buildBundle(new Chart(app, request.name, { disableResourceNameHashes: true }), request));
}

/** Builds the spec's Promise-level prerequisites into `outdir`, if it has any. */
function buildPrerequisites(spec: IBundleSpec, outdir: string): { result: BundleBuildResult; objects: number } {
  const prerequisites = spec.prerequisites;
  if (!prerequisites) {
    return { result: { message: `${spec.kind}: no prerequisites to schedule`, outputs: {} }, objects: 0 };
  }
  return synthesize(outdir, (app) => prerequisites.buildPrerequisites(new Chart(app, 'prerequisites', { disableResourceNameHashes: true })));
}

/**
 * Builds into a fresh App, validates (the constructs' synth-time validations, then the platform policy) and writes
 * the manifests as `cdk8s synth` does (one file per chart) into `outdir`, a staging folder.
 */
function synthesize(outdir: string, build: (app: App) => BundleBuildResult): { result: BundleBuildResult; objects: number } {
  // The file layout `cdk8s synth` uses by default, stated so that a CDK8S_* variable cannot change it.
  const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART, outputFileExtension: '.k8s.yaml', recordConstructMetadata: false });
  let result: BundleBuildResult;
  try {
    result = build(app);
  } catch (e) {
    if (ValidationError.isValidationError(e)) throw new Refused(refusalOf(e));
    throw e;
  }
  const messages = app.node.findAll().flatMap((c) => c.node.validate().map((m) => ({ path: c.node.path, message: m })));
  if (messages.length) {
    throw new Refused({
      reason: 'SynthValidation', constructPath: messages[0].path, field: '', problem: messages[0].message,
      problems: messages.map((m) => `${m.path}: ${m.message}`),
    });
  }
  const objects = app.charts.flatMap((c) => c.toJson());
  const violations = PlatformPolicy.check(objects);
  if (violations.length) {
    const v = violations[0];
    const obj = objects.find((o) => o.apiVersion === v.apiVersion && o.kind === v.kind && o.metadata?.name === v.name && o.metadata?.namespace === v.namespace);
    const value = v.locations[0] === undefined ? undefined : pointerValue(obj, v.locations[0]);
    throw new Refused({
      reason: 'PolicyViolation', constructPath: constructPathOf(app, v) ?? '', field: v.locations[0] ?? '',
      value: value === undefined ? undefined : show(value), problem: `[${v.ruleId} ${v.rule}] ${v.message}`,
      fix: v.fix, problems: violations.map((x) => `[${x.ruleId} ${x.rule}] ${x.message}`),
    });
  }
  app.synth();
  return { result, objects: objects.length };
}

/** Moves the staged files into `outputDir` (same volume: each a rename); returns their paths relative to it. */
function commit(staged: string, outputDir: string): string[] {
  if (!fs.existsSync(staged)) return [];
  const files = (fs.readdirSync(staged, { recursive: true }) as string[])
    .filter((f) => fs.statSync(path.join(staged, f)).isFile()).sort();
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(outputDir, f)), { recursive: true });
    fs.renameSync(path.join(staged, f), path.join(outputDir, f));
  }
  return files.map((f) => f.split(path.sep).join('/'));
}

/** Writes status.yaml through a temporary file in the same folder, so a reader sees the old or the new one. */
function writeStatusAtomically(sdk: KratixSdk, status: { [key: string]: any }): void {
  const target = path.join(sdk.metadataDir, 'status.yaml');
  const scratch = new KratixSdk({ dir: fs.mkdtempSync(path.join(ensureDir(sdk.metadataDir), STAGING_PREFIX)), env: {} });
  try {
    fs.renameSync(scratch.writeStatus(status), target);
  } finally {
    fs.rmSync(scratch.dir, { recursive: true, force: true });
  }
}

function ensureDir(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** The refusal a ValidationError describes (`<path>: <field> (<value>) <rule>; <fix>`). */
function refusalOf(e: ValidationError): PipelineRefusal {
  const rest = e.message.slice(`${e.constructPath}: ${e.field} `.length);
  const value = leadingValue(rest);
  const afterValue = value === undefined ? rest : rest.slice(value.length + 3);
  const split = afterValue.indexOf('; ');
  return {
    reason: 'ValidationError', constructPath: e.constructPath, field: e.field, value,
    problem: split < 0 ? afterValue : afterValue.slice(0, split), fix: split < 0 ? undefined : afterValue.slice(split + 2),
    problems: [e.message],
  };
}

/** A schema problem (`<field> (<value>) <rule>` or `<field> <rule>`) in parts. */
function parseProblem(problem: string): { field: string; value?: string; problem: string } {
  const space = problem.indexOf(' ');
  const field = space < 0 ? problem : problem.slice(0, space);
  const rest = space < 0 ? '' : problem.slice(space + 1);
  const value = leadingValue(rest);
  return { field, value, problem: value === undefined ? rest : rest.slice(value.length + 3) };
}

/** The `(<value>)` a message starts with, as errors.ts `show` renders it (JSON, or `undefined`), if it does. */
function leadingValue(text: string): string | undefined {
  if (!text.startsWith('(')) return undefined;
  for (let end = text.indexOf(') '); end > 0; end = text.indexOf(') ', end + 1)) {
    const candidate = text.slice(1, end);
    if (candidate === 'undefined' || parsesAsJson(candidate)) return candidate;
  }
  const last = text.endsWith(')') ? text.slice(1, -1) : undefined;
  return last !== undefined && (last === 'undefined' || parsesAsJson(last)) ? last : undefined;
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The construct path of the ApiObject a policy violation names. */
function constructPathOf(app: App, v: { apiVersion: string; kind: string; namespace?: string; name: string }): string | undefined {
  const found = app.node.findAll().find((c: IConstruct): c is ApiObject => ApiObject.isApiObject(c)
    && c.apiVersion === v.apiVersion && c.kind === v.kind && c.name === v.name && (c.metadata.namespace ?? undefined) === (v.namespace ?? undefined));
  return found?.node.path;
}

/** The value at a JSON pointer (`/spec/template/spec/containers/0/image`). */
function pointerValue(obj: any, pointer: string): unknown {
  return pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((o, k) => (o === undefined || o === null ? undefined : o[k]), obj);
}

function splitApiVersion(apiVersion: string): [string, string] {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0 ? ['', apiVersion] : [apiVersion.slice(0, slash), apiVersion.slice(slash + 1)];
}

function describe(obj: any): string {
  return obj.metadata?.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata?.name;
}

/** The first line of an error's message (no stack). */
function oneLine(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return (message.split('\n').find((l) => l.trim() !== '') ?? 'unknown error').trim();
}

/** Runs `fn`; returns true, or its error in one line. */
function trySafely(fn: () => void): true | string {
  try {
    fn();
    return true;
  } catch (e) {
    return oneLine(e);
  }
}
