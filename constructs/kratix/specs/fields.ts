/**
 * Schema fields the bundle specs share, and the conversions from a request's plain values to the typed values the
 * constructs take (sizes, CPU, resources, scale). The patterns only admit what the conversions understand, so a
 * request the schema accepts always converts; what the constructs refuse beyond that is their ValidationError.
 */
import { Size } from 'cdk8s';
import { IConstruct } from 'constructs';
import * as kplus from 'cdk8s-plus-27';
import { SchemaField } from '../../crossplane/schema';
import { IMAGE_REFERENCE_PATTERN } from '../../core/validate';
import { ScaleOptions } from '../../knative/autoscaling';
import { invalid } from '../../core/errors';
import { BundleRequest, IBundleSpec } from '../bundle-spec';

/** A DNS-1123 label (namespaces, storage class-free names). */
export const DNS1123_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** A DNS-1035 label (names of Services: functions, stores, gateways, clusters). */
export const DNS1035_LABEL = '^[a-z]([-a-z0-9]*[a-z0-9])?$';
/** CPU as millicores (`250m`) or whole cores (`2`). */
const CPU = '^([1-9][0-9]{0,5}m|[1-9][0-9]{0,2})$';
/** Memory or disk in binary units (`768Mi`, `2Gi`, `1Ti`). */
const BYTES = '^[1-9][0-9]{0,5}(Mi|Gi|Ti)$';

export function nameField(description: string, options: { required?: boolean; default?: string; maxLength?: number; pattern?: string } = {}): SchemaField {
  return SchemaField.string({
    description,
    required: options.required,
    default: options.default,
    minLength: 1,
    maxLength: options.maxLength ?? 63,
    pattern: options.pattern ?? DNS1035_LABEL,
  });
}

export function imageField(description: string, required = false): SchemaField {
  // The reference grammar the constructs check (requireImage), checked by the API server too; that a tag or a digest
  // pins it stays the constructs' rule, whose message says how to pin it.
  return SchemaField.string({ description: `${description} [registry/]repository[:tag][@sha256:digest].`, required, minLength: 1, maxLength: 512, pattern: IMAGE_REFERENCE_PATTERN });
}

export function storageField(description: string): SchemaField {
  return SchemaField.string({ description, pattern: BYTES, maxLength: 8 });
}

export function storageClassField(): SchemaField {
  return SchemaField.string({
    description: 'StorageClass of the volume (default: the cluster\'s default StorageClass).',
    minLength: 1,
    maxLength: 253,
    pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
  });
}

function requestLimit(what: string, pattern: string, maxLength: number, limitRequired: boolean): SchemaField {
  return SchemaField.object({
    request: SchemaField.string({ description: `${what} requested.`, pattern, maxLength, required: true }),
    limit: SchemaField.string({ description: `${what} limit.`, pattern, maxLength, required: limitRequired }),
  }, { required: true });
}

/**
 * CPU and memory, given whole: a CPU request, a memory request and a memory limit (what the platform policy asks of
 * every workload; given resources replace the profile's, so a partial set would leave the rest unset). No CPU limit
 * is needed (throttling hurts latency).
 */
export function resourcesField(description: string): SchemaField {
  return SchemaField.object({
    cpu: requestLimit('CPU (e.g. 250m or 2)', CPU, 7, false),
    memory: requestLimit('Memory (e.g. 768Mi or 2Gi)', BYTES, 8, true),
  }, { description });
}

export function scaleField(description: string): SchemaField {
  return SchemaField.object({
    min: SchemaField.integer({ description: 'Fewest pods (0: scale to zero when idle).', minimum: 0, maximum: 1000 }),
    max: SchemaField.integer({ description: 'Most pods (0: unbounded).', minimum: 0, maximum: 1000 }),
  }, { description });
}

/** `768Mi` → Size.mebibytes(768) (the pattern above admits only these units). */
export function toSize(text: string | undefined): Size | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+)(Mi|Gi|Ti)$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2] === 'Mi' ? Size.mebibytes(n) : m[2] === 'Gi' ? Size.gibibytes(n) : Size.tebibytes(n);
}

/** `250m` → Cpu.millis(250), `2` → Cpu.units(2). */
export function toCpu(text: string | undefined): kplus.Cpu | undefined {
  if (text === undefined) return undefined;
  return text.endsWith('m') ? kplus.Cpu.millis(Number(text.slice(0, -1))) : kplus.Cpu.units(Number(text));
}

/** The request's resources as the constructs take them (undefined when none are given: the profile's apply). */
export function toResources(value: any): kplus.ContainerResources | undefined {
  if (value === undefined) return undefined;
  const cpu = value.cpu ? { request: toCpu(value.cpu.request), limit: toCpu(value.cpu.limit) } : undefined;
  const memory = value.memory ? { request: toSize(value.memory.request), limit: toSize(value.memory.limit) } : undefined;
  return { ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}) };
}

export function toScale(value: any): ScaleOptions | undefined {
  if (value === undefined) return undefined;
  return { ...(value.min !== undefined ? { min: value.min } : {}), ...(value.max !== undefined ? { max: value.max } : {}) };
}

/** Keeps the keys whose value is defined (props stay what a hand-written literal would be). */
export function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/**
 * The spec of a request `buildBundle` is given, refused unless the bundle spec's own schema accepts it. The pipeline checks
 * (and defaults) a request before it builds; a caller of `buildBundle` that skips that gets the schema's problems, not a
 * TypeError from a conversion that met a value of the wrong shape.
 */
export function requestSpec(scope: IConstruct, spec: IBundleSpec, request: BundleRequest): { [field: string]: any } {
  if (request === null || typeof request !== 'object' || Array.isArray(request)) {
    return invalid(scope, 'request', request, 'must be a request', 'e.g. { name: "shop", namespace: "team-a", spec: {...} }');
  }
  const value = request.spec ?? {};
  const problems = spec.schema.validate(value, 'spec');
  if (problems.length) {
    invalid(scope, 'spec', `${problems.length} problem${problems.length === 1 ? '' : 's'}`, `is refused by the ${spec.kind} API: ${problems.join('; ')}`,
      'build from a request the API accepts (the pipeline validates and defaults it first)');
  }
  return value;
}
