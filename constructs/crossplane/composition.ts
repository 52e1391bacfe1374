/**
 * Compositions in Pipeline mode (the only mode Crossplane 2 has): a list of composition-function steps. The steps
 * this library writes use function-patch-and-transform (typed patches over base objects), function-go-templating
 * (for objects rendered from this library's own constructs, see InClusterTemplate) and function-auto-ready.
 */
import { Construct } from 'constructs';
import { clusterScoped } from '../core/context';
import { DeployHints } from '../core/deploy-hints';
import { invalid } from '../core/errors';
import { checkName } from '../core/k8s-rules';
import { recommendedLabels } from '../core/labels';
import { requireLabels } from '../core/validate';
import { Composition as CompositionL1, CompositionSpecMode } from '../imports/apiextensions.crossplane.io';
import { CrossplaneMode, PlatformApi } from './api';
import type { InClusterTemplate } from './in-cluster';
import { PINNED_RELEASES } from '../imports/versions';

/** A composition function package, pinned. */
export class CompositionFunction {
  /** Patches and transforms over base objects. */
  public static readonly PATCH_AND_TRANSFORM = CompositionFunction.pinned('function-patch-and-transform');
  /** Objects rendered from Go templates (sprig functions included). */
  public static readonly GO_TEMPLATING = CompositionFunction.pinned('function-go-templating');
  /** Marks composed resources ready from their own status (native health checks since v0.6.0). */
  public static readonly AUTO_READY = CompositionFunction.pinned('function-auto-ready');

  /** Another function, by its Function object name and fully qualified package reference. */
  public static of(name: string, packageRef: string): CompositionFunction {
    return new CompositionFunction(name, packageRef);
  }

  /** A function pinned in upstream.yaml (constructs/imports/versions.ts). */
  private static pinned(name: string): CompositionFunction {
    return new CompositionFunction(name, PINNED_RELEASES[name].artifacts.package);
  }

  private constructor(public readonly name: string, public readonly packageRef: string) {}
}

/** An object kind a composition creates (for the RBAC of whatever creates it, and the providers it needs). */
export interface ComposedKind {
  readonly apiVersion: string;
  readonly kind: string;
}

/** One step of a composition pipeline. */
const PIPELINE_STEP = Symbol.for('platform-blueprints.PipelineStep');

export abstract class PipelineStep {
  /** True for every PipelineStep, also one made by another copy of this library. */
  public static isPipelineStep(x: unknown): x is PipelineStep {
    return typeof x === 'object' && x !== null && (x as any)[PIPELINE_STEP] === true;
  }

  /** Composes `resources` with function-patch-and-transform. */
  public static patchAndTransform(step: string, resources: ComposedTemplate[]): PipelineStep {
    return new PatchAndTransformStep(step, resources);
  }

  /**
   * Renders composed resources from a Go template with function-go-templating. `composes` lists the kinds the
   * template can emit (the template itself is opaque here).
   */
  public static goTemplate(step: string, template: string, composes: ComposedKind[] = []): PipelineStep {
    return new GoTemplateStep(step, template, composes);
  }

  /**
   * Composes provider-kubernetes Objects made from this library's constructs (function-go-templating; see
   * InClusterTemplate).
   */
  public static inCluster(step: string, template: InClusterTemplate): PipelineStep {
    return new GoTemplateStep(step, template.toGoTemplate(), template.composes, template.manifestKinds);
  }

  /** Marks the composite ready when every composed resource is (function-auto-ready). */
  public static autoReady(step: string = 'mark-ready'): PipelineStep {
    return new FunctionOnlyStep(step, CompositionFunction.AUTO_READY);
  }

  protected constructor(public readonly step: string, public readonly fn: CompositionFunction) {
    Object.defineProperty(this, PIPELINE_STEP, { value: true });
  }

  /** The kinds this step composes. */
  public abstract get composes(): ComposedKind[];

  /** The kinds inside the provider-kubernetes Objects this step composes (what the provider must manage). */
  public get objectManifests(): ComposedKind[] {
    return [];
  }

  /** The `input` of the step, checked. @internal */
  public abstract _input(scope: Construct, field: string): any;
}

class GoTemplateStep extends PipelineStep {
  public constructor(step: string, private readonly template: string, private readonly kinds: ComposedKind[], private readonly manifests: ComposedKind[] = []) {
    super(step, CompositionFunction.GO_TEMPLATING);
  }

  public get composes(): ComposedKind[] {
    return [...this.kinds];
  }

  public get objectManifests(): ComposedKind[] {
    return [...this.manifests];
  }

  public _input(scope: Construct, field: string): any {
    if (typeof this.template !== 'string' || this.template.trim() === '') invalid(scope, `${field}.template`, this.template, 'must be a non-empty Go template');
    return { apiVersion: 'gotemplating.fn.crossplane.io/v1beta1', kind: 'GoTemplate', source: 'Inline', inline: { template: this.template } };
  }
}

class FunctionOnlyStep extends PipelineStep {
  public get composes(): ComposedKind[] {
    return [];
  }

  public _input(): any {
    return undefined;
  }
}

class PatchAndTransformStep extends PipelineStep {
  public constructor(step: string, private readonly resources: ComposedTemplate[]) {
    super(step, CompositionFunction.PATCH_AND_TRANSFORM);
  }

  public get composes(): ComposedKind[] {
    return this.resources.map((r) => ({ apiVersion: r.base?.apiVersion, kind: r.base?.kind }));
  }

  public _input(scope: Construct, field: string): any {
    if (!Array.isArray(this.resources) || this.resources.length === 0) invalid(scope, `${field}.resources`, this.resources, 'must list at least one resource');
    const names = new Set<string>();
    const resources = this.resources.map((r, i) => {
      const at = `${field}.resources[${i}]`;
      if (typeof r.name !== 'string' || checkName('dns1123-label', r.name)) invalid(scope, `${at}.name`, r.name, 'must be a DNS-1123 label', 'e.g. "memorystore"');
      if (names.has(r.name)) invalid(scope, `${at}.name`, r.name, 'is used twice', 'each composed resource needs its own name');
      names.add(r.name);
      if (!r.base || typeof r.base.apiVersion !== 'string' || typeof r.base.kind !== 'string') {
        invalid(scope, `${at}.base`, r.base, 'must be an object with apiVersion and kind');
      }
      return {
        name: r.name,
        base: r.base,
        patches: r.patches?.length ? r.patches.map((p, j) => p._render(scope, `${at}.patches[${j}]`)) : undefined,
        connectionDetails: r.connectionDetails?.length ? r.connectionDetails.map((c, j) => c._render(scope, `${at}.connectionDetails[${j}]`)) : undefined,
        readinessChecks: r.readinessChecks?.length ? r.readinessChecks.map((c) => c._render()) : undefined,
      };
    });
    return { apiVersion: 'pt.fn.crossplane.io/v1beta1', kind: 'Resources', resources };
  }
}

/** A composed resource of function-patch-and-transform: a base object and what to patch into it. */
export interface ComposedTemplate {
  /** Name of the composed resource inside the composition (stable: renaming it replaces the resource). */
  readonly name: string;
  /** The object, complete except for what the patches fill in. */
  readonly base: { [key: string]: any };
  /** @default - none */
  readonly patches?: Patch[];
  /** Connection details the composite takes from this resource. @default - none */
  readonly connectionDetails?: ConnectionDetail[];
  /** @default - Ready when the resource's Ready condition is True */
  readonly readinessChecks?: ReadinessCheck[];
}

const FIELD_PATH = /^[A-Za-z_][\w-]*(\[[^\]]+\]|\.[A-Za-z_][\w./-]*|\.\[[^\]]+\])*$/;

function requireFieldPath(scope: Construct, field: string, path: string): string {
  if (typeof path !== 'string' || !FIELD_PATH.test(path)) invalid(scope, field, path, 'is not a field path', 'e.g. "spec.size" or "metadata.labels[app]"');
  return path;
}

/** A transform of function-patch-and-transform. */
export class Transform {
  /** Maps input strings to values (every possible input should be listed). */
  public static map(values: { [input: string]: any }): Transform {
    return new Transform({ type: 'map', map: { ...values } }, () => Object.keys(values).length > 0 || 'must map at least one value');
  }

  /** Formats the input with a Go fmt string, e.g. `%s-memorystore`. */
  public static format(fmt: string): Transform {
    return new Transform({ type: 'string', string: { type: 'Format', fmt } }, () => (typeof fmt === 'string' && fmt.includes('%')) || 'must contain a % verb');
  }

  /** Converts the input to a type (`string`, `int64`, `float64`, `bool`). */
  public static convert(toType: string): Transform {
    const types = ['string', 'int', 'int64', 'bool', 'float64', 'object', 'array'];
    return new Transform({ type: 'convert', convert: { toType } }, () => types.includes(toType) || `must be one of ${types.join(', ')}`);
  }

  /** Multiplies a number. */
  public static multiply(factor: number): Transform {
    return new Transform({ type: 'math', math: { type: 'Multiply', multiply: factor } }, () => Number.isFinite(factor) || 'must be a finite number');
  }

  private constructor(private readonly rendered: any, private readonly check: () => true | string) {}

  /** @internal */
  public _render(scope: Construct, field: string): any {
    const result = this.check();
    if (result !== true) invalid(scope, field, this.rendered, result);
    return this.rendered;
  }
}

export interface PatchOptions {
  /** Transforms applied in order. @default - none */
  readonly transforms?: Transform[];
  /** Fail the composition when the source field is missing (instead of skipping the patch). @default false */
  readonly required?: boolean;
}

/** A patch of function-patch-and-transform. */
export class Patch {
  /** Copies a composite's field into the composed resource. */
  public static fromComposite(fromFieldPath: string, toFieldPath: string, options: PatchOptions = {}): Patch {
    return new Patch('FromCompositeFieldPath', { fromFieldPath, toFieldPath }, options);
  }

  /** Copies a composed resource's field into the composite (e.g. into its status). */
  public static toComposite(fromFieldPath: string, toFieldPath: string, options: PatchOptions = {}): Patch {
    return new Patch('ToCompositeFieldPath', { fromFieldPath, toFieldPath }, options);
  }

  /** Combines composite fields with a Go fmt string into one composed field. */
  public static combineFromComposite(fromFieldPaths: string[], fmt: string, toFieldPath: string): Patch {
    return new Patch('CombineFromComposite', { fromFieldPaths, fmt, toFieldPath }, {});
  }

  private constructor(private readonly type: string, private readonly paths: any, private readonly options: PatchOptions) {}

  /** @internal */
  public _render(scope: Construct, field: string): any {
    const out: any = { type: this.type };
    if (this.type === 'CombineFromComposite') {
      const { fromFieldPaths, fmt, toFieldPath } = this.paths;
      if (!Array.isArray(fromFieldPaths) || fromFieldPaths.length === 0) invalid(scope, `${field}.variables`, fromFieldPaths, 'must list at least one field');
      const verbs = (String(fmt).match(/%[^%]/g) ?? []).length;
      if (verbs !== fromFieldPaths.length) invalid(scope, `${field}.fmt`, fmt, `has ${verbs} verbs for ${fromFieldPaths.length} variables`);
      out.combine = {
        variables: fromFieldPaths.map((p: string, i: number) => ({ fromFieldPath: requireFieldPath(scope, `${field}.variables[${i}]`, p) })),
        strategy: 'string',
        string: { fmt },
      };
      out.toFieldPath = requireFieldPath(scope, `${field}.toFieldPath`, toFieldPath);
    } else {
      out.fromFieldPath = requireFieldPath(scope, `${field}.fromFieldPath`, this.paths.fromFieldPath);
      out.toFieldPath = requireFieldPath(scope, `${field}.toFieldPath`, this.paths.toFieldPath);
    }
    if (this.options.transforms?.length) out.transforms = this.options.transforms.map((t, i) => t._render(scope, `${field}.transforms[${i}]`));
    if (this.options.required) out.policy = { fromFieldPath: 'Required' };
    return out;
  }
}

/** A connection detail the composite takes from a composed resource. */
export class ConnectionDetail {
  /** A key of the composed resource's own connection Secret. */
  public static fromConnectionSecretKey(name: string, key: string): ConnectionDetail {
    return new ConnectionDetail({ name, type: 'FromConnectionSecretKey', fromConnectionSecretKey: key });
  }

  /** A field of the composed resource (e.g. `status.atProvider.host`). */
  public static fromFieldPath(name: string, fieldPath: string): ConnectionDetail {
    return new ConnectionDetail({ name, type: 'FromFieldPath', fromFieldPath: fieldPath });
  }

  /** A fixed value. */
  public static fromValue(name: string, value: string): ConnectionDetail {
    return new ConnectionDetail({ name, type: 'FromValue', value });
  }

  private constructor(private readonly rendered: any) {}

  /** @internal */
  public _render(scope: Construct, field: string): any {
    if (typeof this.rendered.name !== 'string' || !/^[-._a-zA-Z0-9]+$/.test(this.rendered.name)) invalid(scope, `${field}.name`, this.rendered.name, 'must be a Secret key');
    if (this.rendered.type === 'FromFieldPath') requireFieldPath(scope, `${field}.fromFieldPath`, this.rendered.fromFieldPath);
    return { ...this.rendered };
  }
}

/** When function-patch-and-transform considers a composed resource ready. */
export class ReadinessCheck {
  /** A status condition has a status (default: Ready is True). */
  public static matchCondition(type: string = 'Ready', status: string = 'True'): ReadinessCheck {
    return new ReadinessCheck({ type: 'MatchCondition', matchCondition: { type, status } });
  }

  /** A field is set and not empty. */
  public static nonEmpty(fieldPath: string): ReadinessCheck {
    return new ReadinessCheck({ type: 'NonEmpty', fieldPath });
  }

  private constructor(private readonly rendered: any) {}

  /** @internal */
  public _render(): any {
    return { ...this.rendered };
  }
}

export interface CompositionProps {
  /** The platform API this composition implements. */
  readonly api: PlatformApi;
  /** Object name (cluster-wide). @default `<id>.<api plural>.<api group>` */
  readonly name?: string;
  /**
   * Labels claims select the composition by (`compositionSelector`), e.g. `{ provider: 'gcp' }`.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /** The pipeline. */
  readonly pipeline: PipelineStep[];
  /** Claims without a selector get this composition. @default false */
  readonly default?: boolean;
  /**
   * Namespace of the composites' connection Secrets (CLAIMS mode; Crossplane copies them into each claim's namespace).
   * @default 'crossplane-system'
   */
  readonly connectionSecretsNamespace?: string;
}

const COMPOSITION = Symbol.for('platform-blueprints.Composition');

/** A Crossplane Composition (Pipeline mode) implementing a platform API. */
export class Composition extends Construct {
  /** True for every Composition, also one made by another copy of this library. */
  public static isComposition(x: unknown): x is Composition {
    return typeof x === 'object' && x !== null && (x as any)[COMPOSITION] === true;
  }

  /** Every Composition under a scope, in tree order. */
  public static findAll(scope: Construct): Composition[] {
    return scope.node.findAll().filter((c): c is Composition => Composition.isComposition(c));
  }

  public readonly api: PlatformApi;
  public readonly name: string;
  public readonly labels: { [key: string]: string };
  public readonly pipeline: PipelineStep[];
  public readonly resource: CompositionL1;

  public constructor(scope: Construct, id: string, props: CompositionProps) {
    super(scope, id);
    Object.defineProperty(this, COMPOSITION, { value: true });
    if (!PlatformApi.isPlatformApi(props.api)) invalid(this, 'api', props.api, 'must be a PlatformApi');
    this.api = props.api;
    this.name = props.name ?? `${id.toLowerCase()}.${this.api.compositePlural}.${this.api.group}`;
    if (checkName('dns1123-subdomain', this.name)) invalid(this, 'name', this.name, 'must be a DNS-1123 subdomain', 'e.g. "local.keyvaluestores.data.example.org"');
    requireLabels(this, 'labels', props.labels);
    this.labels = { ...props.labels };
    if (!Array.isArray(props.pipeline) || props.pipeline.length === 0) invalid(this, 'pipeline', props.pipeline, 'must have at least one step');
    if (props.pipeline.length > 99) invalid(this, 'pipeline', props.pipeline.length, 'has more than 99 steps, the most Crossplane allows');
    const steps = new Set<string>();
    const pipeline = props.pipeline.map((s, i) => {
      if (!PipelineStep.isPipelineStep(s)) invalid(this, `pipeline[${i}]`, s, 'must be a PipelineStep', 'e.g. PipelineStep.autoReady()');
      if (checkName('dns1123-label', s.step)) invalid(this, `pipeline[${i}].step`, s.step, 'must be a DNS-1123 label');
      if (steps.has(s.step)) invalid(this, `pipeline[${i}].step`, s.step, 'is used twice', 'step names must be unique');
      steps.add(s.step);
      return { step: s.step, functionRef: { name: s.fn.name }, input: s._input(this, `pipeline[${i}]`) };
    });
    this.pipeline = [...props.pipeline];
    const claims = this.api.mode === CrossplaneMode.CLAIMS;
    const secretsNamespace = props.connectionSecretsNamespace ?? 'crossplane-system';
    if (checkName('dns1123-label', secretsNamespace)) invalid(this, 'connectionSecretsNamespace', secretsNamespace, 'must be a namespace name');
    this.resource = new CompositionL1(this, 'Resource', {
      metadata: {
        name: this.name,
        labels: { ...recommendedLabels({ name: 'composition', instance: this.name, component: 'platform-api' }), ...this.labels },
      },
      spec: {
        compositeTypeRef: { apiVersion: this.api.apiVersion, kind: this.api.compositeKind },
        mode: CompositionSpecMode.PIPELINE,
        pipeline,
        writeConnectionSecretsToNamespace: claims && this.api.connectionSecretKeys.length ? secretsNamespace : undefined,
      },
    });
    clusterScoped(this.resource);
    DeployHints.dependsOn(this.resource, this.api.resource);
    this.api._addComposition(this, props.default === true);
  }

  /** The composition functions the pipeline uses. */
  public get functions(): CompositionFunction[] {
    return [...new Set(this.pipeline.map((s) => s.fn))];
  }

  /** The kinds the pipeline composes. */
  public get composedKinds(): ComposedKind[] {
    return uniqueKinds(this.pipeline.flatMap((s) => s.composes));
  }

  /** The kinds inside the provider-kubernetes Objects the pipeline composes. */
  public get objectManifestKinds(): ComposedKind[] {
    return uniqueKinds(this.pipeline.flatMap((s) => s.objectManifests));
  }
}

function uniqueKinds(kinds: ComposedKind[]): ComposedKind[] {
  const seen = new Map<string, ComposedKind>();
  for (const k of kinds) seen.set(`${k.apiVersion}/${k.kind}`, k);
  return [...seen.values()];
}

export interface HelmChartRef {
  readonly name: string;
  /** Chart repository URL, e.g. `https://charts.example.org`. */
  readonly repository: string;
  /** Exact chart version. */
  readonly version: string;
}

export interface HelmReleaseTemplateProps {
  /** The API the composition implements (decides cluster-scoped or namespaced Release). */
  readonly api: PlatformApi;
  /** Name of the composed resource. @default 'release' */
  readonly name?: string;
  readonly chart: HelmChartRef;
  /** Values every release gets. @default - none */
  readonly values?: { [key: string]: any };
  /**
   * Composite fields copied into values, by composite field path → values path (e.g. `spec.size` → `resources.preset`).
   * @default - none
   */
  readonly valuesFromComposite?: { [fromFieldPath: string]: string };
  /** Name of the provider-helm (Cluster)ProviderConfig. @default 'in-cluster' */
  readonly providerConfigName?: string;
}

/**
 * A provider-helm Release as a function-patch-and-transform resource: the chart installed into the claim's (or
 * namespaced composite's) namespace, named after it, with values from the composite.
 */
export class HelmReleaseTemplate {
  /** The composed resource. */
  public static of(scope: Construct, props: HelmReleaseTemplateProps): ComposedTemplate {
    const { chart } = props;
    if (!chart || checkName('dns1123-label', chart.name)) invalid(scope, 'chart.name', chart?.name, 'must be a chart name (DNS-1123 label)');
    if (typeof chart.repository !== 'string' || !/^(https?|oci):\/\/\S+$/.test(chart.repository)) invalid(scope, 'chart.repository', chart.repository, 'must be an http(s) or oci URL');
    if (typeof chart.version !== 'string' || !/^v?\d+\.\d+\.\d+([-+][\w.-]+)?$/.test(chart.version)) {
      invalid(scope, 'chart.version', chart.version, 'must be an exact semantic version', 'pin the chart, e.g. "1.4.2"');
    }
    const namespaced = props.api.mode === CrossplaneMode.NAMESPACED;
    const providerConfig = props.providerConfigName ?? 'in-cluster';
    const forProvider = { chart: { name: chart.name, repository: chart.repository, version: chart.version }, namespace: 'default', values: { ...props.values } };
    const target = namespaced ? 'metadata.namespace' : 'spec.claimRef.namespace';
    return {
      name: props.name ?? 'release',
      base: namespaced
        ? { apiVersion: 'helm.m.crossplane.io/v1beta1', kind: 'Release', spec: { forProvider, providerConfigRef: { kind: 'ClusterProviderConfig', name: providerConfig } } }
        : { apiVersion: 'helm.crossplane.io/v1beta1', kind: 'Release', spec: { forProvider, providerConfigRef: { name: providerConfig } } },
      patches: [
        Patch.fromComposite(target, 'spec.forProvider.namespace', { required: true }),
        Patch.fromComposite(namespaced ? 'metadata.name' : 'spec.claimRef.name', 'metadata.annotations[crossplane.io/external-name]', { required: true }),
        ...Object.entries(props.valuesFromComposite ?? {}).map(([from, to]) => Patch.fromComposite(from, `spec.forProvider.values.${to}`)),
      ],
    };
  }

  private constructor() {}
}
